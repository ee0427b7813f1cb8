// See xtcp_build_info.h.
#include "xtcp_build_info.h"

#ifndef XTCP_BUILD_REVISION
#define XTCP_BUILD_REVISION "unknown"
#endif
#ifndef XTCP_BUILD_DATE
#define XTCP_BUILD_DATE "unknown"
#endif
#ifndef XTCP_BUILD_SWIFT
#define XTCP_BUILD_SWIFT "unknown"
#endif

const char *xtcp_build_revision(void) { return XTCP_BUILD_REVISION; }
const char *xtcp_build_date(void) { return XTCP_BUILD_DATE; }
const char *xtcp_build_swift(void) { return XTCP_BUILD_SWIFT; }
