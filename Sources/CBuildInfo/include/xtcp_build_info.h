// What a build of xtcp was made from, for `xtcp -version` and
// xtcp_build_info. scripts/build-release.sh passes them to the C compiler
// (-Xcc -DXTCP_BUILD_REVISION="..." and so on); a plain `swift build` says
// "unknown". A C target because only the C preprocessor takes a value from
// the command line: Swift's -D names a condition, not a string.
#ifndef XTCP_BUILD_INFO_H
#define XTCP_BUILD_INFO_H

/// The git revision built (`git describe --always --dirty`).
const char *_Nonnull xtcp_build_revision(void);
/// The day of the commit built (YYYY-MM-DD): reproducible, unlike the clock.
const char *_Nonnull xtcp_build_date(void);
/// The Swift compiler's version (6.3.1).
const char *_Nonnull xtcp_build_swift(void);

#endif
