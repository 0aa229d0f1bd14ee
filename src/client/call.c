/* call.c - the client and its one request path: JSON 1.1 (or another AWS JSON API, or a query
 * protocol's form: query.c) over HTTP, signed with SigV4, AWS errors decoded, throttling / 5xx /
 * connection errors retried with backoff (see kines.h and wire.h). */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/sigv4.h"
#include "common/oom.h"
#include "error.h"
#include "kines/kines.h"
#include "retry.h"
#include "transport.h"
#include "wire.h"

/* Kinesis: the API the typed calls speak. */
static const kines_api kinesis_api = {"kinesis", "Kinesis_20131202", "application/x-amz-json-1.1"};
#define USER_AGENT "libkines/" KINESD_VERSION

struct kines_client {
    kines_config cfg;
    transport *http;
    char *host; /* authority of the endpoint, sent and signed as Host */
    char *path; /* path of the endpoint, "/" normally */
    char *url;
};

int client_split_endpoint(const char *url, char **host, char **path, kines_error *err)
{
    const char *authority = strstr(url, "://");
    if (!authority || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))
        return kines_fail(err, KINES_ERR_CONFIG, "endpoint '%s' is not an http:// or https:// URL",
                          url);
    authority += 3;
    size_t n = strcspn(authority, "/?#");
    *host = oom_strndup(authority, n);
    *path = oom_strdup(authority[n] == '/' ? authority + n : "/");
    return *host && *path ? 0 : kines_out_of_memory(err);
}

/* Splits the endpoint into authority and path. */
static int split_endpoint(kines_client *c, kines_error *err)
{
    if (client_split_endpoint(c->cfg.endpoint_url, &c->host, &c->path, err) != 0)
        return -1;
    c->url = oom_strdup(c->cfg.endpoint_url);
    return c->url ? 0 : kines_out_of_memory(err);
}

kines_client *kines_client_new(const kines_options *opts, kines_error *err)
{
    kines_error_clear(err);
    kines_client *c = calloc(1, sizeof *c);
    if (!c) {
        kines_out_of_memory(err);
        return NULL;
    }
    if (kines_config_resolve(opts, &c->cfg, err) != 0) {
        free(c);
        return NULL;
    }
    c->http =
        split_endpoint(c, err) == 0 ? transport_new(c->cfg.timeout_ms, c->cfg.ca_bundle) : NULL;
    if (!c->http) {
        if (c->host && c->path && c->url)
            kines_fail(err, KINES_ERR_TRANSPORT, "cannot initialise libcurl");
        kines_client_free(c);
        return NULL;
    }
    return c;
}

void kines_client_free(kines_client *c)
{
    if (!c)
        return;
    transport_free(c->http);
    kines_config_free(&c->cfg);
    free(c->host);
    free(c->path);
    free(c->url);
    free(c);
}

const kines_config *kines_client_config(const kines_client *c)
{
    return &c->cfg;
}

/* ---- one attempt ---------------------------------------------------------------------------- */

#define MAX_SIGNED_HEADERS 5
#define MAX_HEADERS (MAX_SIGNED_HEADERS + 2)

/* The header lines to send: the signed headers, Authorization and User-Agent. */
static size_t header_lines(const sigv4_header *signed_headers, size_t signed_count,
                           const char *authorization, kbuf lines[MAX_HEADERS])
{
    size_t n = 0;
    for (; n < signed_count; n++) {
        kbuf_init(&lines[n]);
        kbuf_printf(&lines[n], "%s: %s", signed_headers[n].name, signed_headers[n].value);
    }
    kbuf_init(&lines[n]);
    kbuf_printf(&lines[n++], "Authorization: %s", authorization);
    kbuf_init(&lines[n]);
    kbuf_puts(&lines[n++], "User-Agent: " USER_AGENT);
    return n;
}

/* The headers SigV4 signs: Host, Content-Type, X-Amz-Date, and X-Amz-Target and
 * X-Amz-Security-Token when there are. */
static size_t signed_headers_of(const kines_client *c, const client_wire *w, const char *host,
                                const char *amz_date, sigv4_header out[MAX_SIGNED_HEADERS])
{
    size_t n = 0;
    out[n++] = (sigv4_header){"Host", host};
    out[n++] = (sigv4_header){"Content-Type", w->content_type};
    out[n++] = (sigv4_header){"X-Amz-Date", amz_date};
    if (w->target)
        out[n++] = (sigv4_header){"X-Amz-Target", w->target};
    if (c->cfg.session_token)
        out[n++] = (sigv4_header){"X-Amz-Security-Token", c->cfg.session_token};
    return n;
}

/* Signs and sends the request once; returns 0 with the response body on HTTP 200. */
static int send_once(kines_client *c, const client_wire *w, const char *body, kbuf *response,
                     kines_error *err)
{
    char amz_date[17];
    sigv4_amz_date_now(amz_date);
    const kines_config *cfg = &c->cfg;
    const char *url = w->url ? w->url : c->url, *host = w->url ? w->host : c->host;
    sigv4_header signed_headers[MAX_SIGNED_HEADERS];
    size_t signed_count = signed_headers_of(c, w, host, amz_date, signed_headers);
    sigv4_request req = {
        "POST", w->url ? w->path : c->path, "", signed_headers, signed_count, body, strlen(body)};
    sigv4_credentials creds = {cfg->access_key_id, cfg->secret_access_key, cfg->session_token};
    kbuf auth = KBUF_INIT, lines[MAX_HEADERS], transport_error = KBUF_INIT;
    sigv4_sign(&req, &creds, w->region ? w->region : cfg->region, w->signing_name, amz_date, &auth,
               NULL, NULL);
    size_t header_count = header_lines(signed_headers, signed_count, auth.data, lines);
    const char *headers[MAX_HEADERS];
    bool complete = !kbuf_failed(&auth);
    for (size_t i = 0; i < header_count; i++) {
        headers[i] = lines[i].data;
        complete = complete && !kbuf_failed(&lines[i]);
    }
    long status = 0;
    int rc = complete ? transport_post(c->http, url, headers, header_count, body, strlen(body),
                                       &status, response, &transport_error)
                      : -1;
    if (!complete)
        kines_out_of_memory(err);
    else if (rc != 0)
        kines_fail(err, KINES_ERR_TRANSPORT, "cannot reach %s: %s", url, transport_error.data);
    else if (status != 200)
        rc = kines_fail_from_response(err, (int)status, response);
    for (size_t i = 0; i < header_count; i++)
        kbuf_free(&lines[i]);
    kbuf_free(&auth);
    kbuf_free(&transport_error);
    return rc;
}

/* ---- retries -------------------------------------------------------------------------------- */

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

int client_send(kines_client *c, const client_wire *w, const char *body, kbuf *response,
                kines_error *err)
{
    kines_error local;
    kines_error *e = err ? err : &local;
    retry_policy policy = {c->cfg.max_attempts, c->cfg.retry_base_ms, c->cfg.retry_cap_ms,
                           c->cfg.retry_budget_ms};
    int waited = 0, rc;
    for (int attempt = 1;; attempt++) {
        kines_error_clear(e);
        kbuf_reset(response);
        rc = send_once(c, w, body, response, e);
        e->attempts = attempt;
        if (rc == 0 || !kines_error_is_retryable(e))
            break;
        int delay = retry_delay_ms(&policy, attempt, retry_random());
        if (!retry_allowed(&policy, attempt, waited, delay))
            break;
        sleep_ms(delay);
        waited += delay;
    }
    return rc;
}

int kines_call_json(kines_client *c, const char *operation, const char *request_json,
                    char **response_json, kines_error *err)
{
    return kines_call_api(c, &kinesis_api, operation, request_json, response_json, err);
}

int kines_call_api(kines_client *c, const kines_api *api, const char *operation,
                   const char *request_json, char **response_json, kines_error *err)
{
    kbuf response = KBUF_INIT, target = KBUF_INIT;
    oom_take(); /* a failure noted before this call is not this call's */
    kbuf_printf(&target, "%s.%s", api->target_prefix, operation);
    if (kbuf_failed(&target))
        return kines_out_of_memory(err);
    client_wire w = {.signing_name = api->signing_name,
                     .content_type = api->content_type,
                     .target = target.data};
    int rc = client_send(c, &w, request_json, &response, err);
    kbuf_free(&target);
    if (rc == 0 && response_json) {
        if (response.len == 0)
            kbuf_puts(&response, "{}");
        *response_json = kbuf_detach(&response);
        if (!*response_json)
            rc = kines_out_of_memory(err);
    }
    kbuf_free(&response);
    return rc;
}
