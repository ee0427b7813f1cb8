#include "xtcp_curl.h"

#include <curl/curl.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const int xtcp_curle_couldnt_connect = CURLE_COULDNT_CONNECT;
const int xtcp_curle_couldnt_resolve_host = CURLE_COULDNT_RESOLVE_HOST;
const int xtcp_curle_operation_timedout = CURLE_OPERATION_TIMEDOUT;
const int xtcp_curle_send_error = CURLE_SEND_ERROR;
const int xtcp_curle_recv_error = CURLE_RECV_ERROR;
const int xtcp_curle_got_nothing = CURLE_GOT_NOTHING;

/// A handle and what its options point at (libcurl keeps the pointers).
struct xtcp_curl {
    CURL *easy;
    struct curl_slist *headers;
    char error[CURL_ERROR_SIZE];
    /// S3: where the response body goes, and how much of it was kept.
    char *answer;
    size_t answer_size, answer_length;
};

static size_t discard(char *data, size_t size, size_t count, void *user) {
    (void)data;
    (void)user;
    return size * count;
}

/// A handle with what every one has: no signals (threads), keep-alive, the
/// connect bound, the error text, HTTP(S) only, TLS checked against
/// `ca_file` or the system's CAs. NULL when libcurl cannot make one.
static struct xtcp_curl *new_handle(const char *ca_file, long connect_timeout_ms) {
    struct xtcp_curl *handle = calloc(1, sizeof *handle);
    if (handle == NULL) return NULL;
    handle->easy = curl_easy_init();
    if (handle->easy == NULL) {
        free(handle);
        return NULL;
    }
    CURL *e = handle->easy;
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, handle->error);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    if (ca_file != NULL) curl_easy_setopt(e, CURLOPT_CAINFO, ca_file);
    return handle;
}

int xtcp_curl_global_init(void) { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1; }

void *xtcp_curl_open(const char *url, const char *content_type, const char *ca_file, long connect_timeout_ms) {
    struct xtcp_curl *handle = new_handle(ca_file, connect_timeout_ms);
    if (handle == NULL) return NULL;
    char header[256];
    snprintf(header, sizeof header, "Content-Type: %s", content_type);
    handle->headers = curl_slist_append(NULL, header);
    // No "Expect: 100-continue": one round trip per envelope, not two.
    handle->headers = curl_slist_append(handle->headers, "Expect:");
    CURL *e = handle->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, handle->headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    return handle;
}

int xtcp_curl_post(void *opaque, const void *body, size_t length, long timeout_ms, long *status, char *error, size_t error_size) {
    struct xtcp_curl *handle = opaque;
    handle->error[0] = 0;
    curl_easy_setopt(handle->easy, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(handle->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)length);
    curl_easy_setopt(handle->easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    CURLcode code = curl_easy_perform(handle->easy);
    *status = 0;
    curl_easy_getinfo(handle->easy, CURLINFO_RESPONSE_CODE, status);
    const char *text = handle->error[0] ? handle->error : curl_easy_strerror(code);
    snprintf(error, error_size, "%s", code == CURLE_OK ? "" : text);
    // The body pointer is the caller's for this call only.
    curl_easy_setopt(handle->easy, CURLOPT_POSTFIELDS, NULL);
    return (int)code;
}

void xtcp_curl_close(void *opaque) {
    struct xtcp_curl *handle = opaque;
    if (handle == NULL) return;
    curl_easy_cleanup(handle->easy);
    curl_slist_free_all(handle->headers);
    free(handle);
}

/// Keeps the start of the response body (S3 errors are a small XML document).
static size_t keep_answer(char *data, size_t size, size_t count, void *user) {
    struct xtcp_curl *handle = user;
    size_t bytes = size * count;
    if (handle->answer != NULL && handle->answer_length + 1 < handle->answer_size) {
        size_t room = handle->answer_size - 1 - handle->answer_length;
        size_t take = bytes < room ? bytes : room;
        memcpy(handle->answer + handle->answer_length, data, take);
        handle->answer_length += take;
        handle->answer[handle->answer_length] = 0;
    }
    return bytes;
}

void *xtcp_curl_s3_open(const char *region, const char *access_key, const char *secret_key, const char *ca_file, long connect_timeout_ms) {
    struct xtcp_curl *handle = new_handle(ca_file, connect_timeout_ms);
    if (handle == NULL) return NULL;
    CURL *e = handle->easy;
    char provider[128];
    snprintf(provider, sizeof provider, "aws:amz:%s:s3", region);
    curl_easy_setopt(e, CURLOPT_AWS_SIGV4, provider);
    curl_easy_setopt(e, CURLOPT_USERNAME, access_key);
    curl_easy_setopt(e, CURLOPT_PASSWORD, secret_key);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, keep_answer);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, handle);
    return handle;
}

int xtcp_curl_s3_request(void *opaque, const char *method, const char *url, const void *body, size_t length, const char *content_type,
                         long timeout_ms, long *status, char *error, size_t error_size, char *answer, size_t answer_size) {
    struct xtcp_curl *handle = opaque;
    CURL *e = handle->easy;
    handle->error[0] = 0;
    handle->answer = answer;
    handle->answer_size = answer_size;
    handle->answer_length = 0;
    if (answer_size > 0) answer[0] = 0;
    int put = strcmp(method, "PUT") == 0;
    // libcurl 7.88 signs the payload hash it finds in this header (and
    // would otherwise sign none, which S3 refuses).
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(put ? body : (const void *)"", put ? length : 0, digest);
    char header[128] = "x-amz-content-sha256: ";
    size_t at = strlen(header);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) at += (size_t)snprintf(header + at, sizeof header - at, "%02x", digest[i]);
    char type[256];
    snprintf(type, sizeof type, "Content-Type: %s", content_type);
    struct curl_slist *headers = curl_slist_append(NULL, header);
    // Only a PUT has a type. No "Expect:" to turn 100-continue off (as the
    // HTTP destination does): libcurl 7.88 signs the header it removes, and
    // the signature then fails. A large object waits for its 100 once.
    if (put) headers = curl_slist_append(headers, type);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
    if (put) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 0L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)length);
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "PUT");
    } else {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL);
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    }
    CURLcode code = curl_easy_perform(e);
    *status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
    const char *text = handle->error[0] ? handle->error : curl_easy_strerror(code);
    snprintf(error, error_size, "%s", code == CURLE_OK ? "" : text);
    // The body, the answer buffer and the headers are this call's only.
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, NULL);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(headers);
    handle->answer = NULL;
    return (int)code;
}
