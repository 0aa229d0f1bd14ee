/* transport.c - HTTP requests over one reused libcurl easy handle (see transport.h). */
#include "transport.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/oom.h"

struct transport {
    CURL *curl;
    int timeout_ms;
    char *ca_bundle; /* NULL: libcurl's default CAs */
    char detail[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

transport *transport_new(int timeout_ms, const char *ca_bundle)
{
    pthread_once(&curl_once, curl_init_once);
    transport *t = calloc(1, sizeof *t);
    if (!t) {
        oom_failed();
        return NULL;
    }
    t->curl = curl_easy_init();
    t->timeout_ms = timeout_ms;
    t->ca_bundle = ca_bundle ? oom_strdup(ca_bundle) : NULL;
    if (!t->curl || (ca_bundle && !t->ca_bundle)) {
        transport_free(t);
        return NULL;
    }
    return t;
}

void transport_free(transport *t)
{
    if (!t)
        return;
    curl_easy_cleanup(t->curl);
    free(t->ca_bundle);
    free(t);
}

/* A body that cannot be kept (out of memory) stops the transfer: curl reports a write error. */
static size_t collect_body(char *data, size_t size, size_t n, void *user)
{
    kbuf_append(user, data, size * n);
    return kbuf_failed(user) ? 0 : size * n;
}

int transport_post(transport *t, const char *url, const char *const *headers, size_t header_count,
                   const void *body, size_t len, long *status, kbuf *response, kbuf *error)
{
    transport_exchange ex = {"POST", url, headers, header_count, body, len, NULL};
    return transport_request(t, &ex, status, response, error);
}

int transport_request(transport *t, const transport_exchange *ex, long *status, kbuf *response,
                      kbuf *error)
{
    const char *const *headers = ex->headers;
    size_t header_count = ex->header_count;
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < header_count; i++)
        list = curl_slist_append(list, headers[i]);
    list = curl_slist_append(list, "Expect:"); /* no 100-continue round trip */

    CURL *c = t->curl;
    bool get = strcmp(ex->method, "GET") == 0;
    curl_easy_setopt(c, CURLOPT_URL, ex->url);
    curl_easy_setopt(c, get ? CURLOPT_HTTPGET : CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST,
                     get || strcmp(ex->method, "POST") == 0 ? NULL : ex->method);
    if (!get) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, ex->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)ex->len);
    }
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, ex->response_headers ? collect_body : NULL);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, ex->response_headers);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, response);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)t->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, t->detail);
    if (t->ca_bundle)
        curl_easy_setopt(c, CURLOPT_CAINFO, t->ca_bundle);
    t->detail[0] = '\0';

    kbuf_reset(response);
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(list);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    if (rc != CURLE_OK) {
        kbuf_puts(error, t->detail[0] ? t->detail : curl_easy_strerror(rc));
        return -1;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    return 0;
}
