#ifndef XTCP_CURL_H
#define XTCP_CURL_H

#include <stddef.h>

/// libcurl's easy interface for xtcp's HTTP destination: curl_easy_setopt is
/// variadic, which Swift cannot call, so each use is a function here. One
/// handle per destination, used under its lock; responses are discarded.

/// curl_global_init once; 0 on success.
int xtcp_curl_global_init(void);

/// A handle that POSTs to `url` with `content_type`, keep-alive, TLS
/// verified (against `ca_file` when it is not NULL), the response body
/// discarded, no signals (threads), redirects not followed. NULL when
/// libcurl cannot make one.
void *_Nullable xtcp_curl_open(const char *_Nonnull url, const char *_Nonnull content_type, const char *_Nullable ca_file,
                               long connect_timeout_ms);

/// POSTs `length` bytes, waiting at most `timeout_ms`: the CURLcode, and
/// the HTTP status in *status (0 when there was none). The error's text
/// (CURLOPT_ERRORBUFFER) in `error`, `error_size` bytes.
int xtcp_curl_post(void *_Nonnull handle, const void *_Nonnull body, size_t length, long timeout_ms, long *_Nonnull status,
                   char *_Nonnull error, size_t error_size);

void xtcp_curl_close(void *_Nullable handle);

/// A handle for S3 requests signed with AWS Signature Version 4 by libcurl
/// (CURLOPT_AWS_SIGV4, service s3, `region`), keep-alive, TLS verified
/// (against `ca_file` when it is not NULL). The keys are copied by libcurl
/// and never printed. NULL when libcurl cannot make one.
void *_Nullable xtcp_curl_s3_open(const char *_Nonnull region, const char *_Nonnull access_key, const char *_Nonnull secret_key,
                                  const char *_Nullable ca_file, long connect_timeout_ms);

/// One request: `method` "PUT" sends `length` bytes of `body` (its SHA-256
/// signed as x-amz-content-sha256), "HEAD" none. As xtcp_curl_post, and the
/// first `answer_size` bytes of the response body in `answer` (an S3 error's
/// XML), NUL-terminated.
int xtcp_curl_s3_request(void *_Nonnull handle, const char *_Nonnull method, const char *_Nonnull url, const void *_Nullable body,
                         size_t length, const char *_Nonnull content_type, long timeout_ms, long *_Nonnull status,
                         char *_Nonnull error, size_t error_size, char *_Nonnull answer, size_t answer_size);

/// The CURLcode values the destination tells apart.
extern const int xtcp_curle_couldnt_connect, xtcp_curle_couldnt_resolve_host, xtcp_curle_operation_timedout,
    xtcp_curle_send_error, xtcp_curle_recv_error, xtcp_curle_got_nothing;

#endif
