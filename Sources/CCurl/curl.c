#include "xtcp_curl.h"

#include <curl/curl.h>
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
};

static size_t discard(char *data, size_t size, size_t count, void *user) {
    (void)data;
    (void)user;
    return size * count;
}

int xtcp_curl_global_init(void) { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1; }

void *xtcp_curl_open(const char *url, const char *content_type, const char *ca_file, long connect_timeout_ms) {
    struct xtcp_curl *handle = calloc(1, sizeof *handle);
    if (handle == NULL) return NULL;
    handle->easy = curl_easy_init();
    if (handle->easy == NULL) {
        free(handle);
        return NULL;
    }
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
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, handle->error);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    if (ca_file != NULL) curl_easy_setopt(e, CURLOPT_CAINFO, ca_file);
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
