/* call.c - the client and its one request path: JSON 1.1 (or another AWS JSON API) over HTTP,
 * signed with SigV4, AWS errors decoded, throttling / 5xx / connection errors retried with backoff
 * (see kines.h). */
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

/* Splits "scheme://authority/path" into authority and path ("/" when none). */
static int split_endpoint(kines_client *c, kines_error *err)
{
    const char *url = c->cfg.endpoint_url;
    const char *authority = strstr(url, "://");
    if (!authority || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))
        return kines_fail(err, KINES_ERR_CONFIG, "endpoint '%s' is not an http:// or https:// URL",
                          url);
    authority += 3;
    size_t n = strcspn(authority, "/?#");
    c->host = oom_strndup(authority, n);
    c->path = oom_strdup(authority[n] == '/' ? authority + n : "/");
    c->url = oom_strdup(url);
    return c->host && c->path && c->url ? 0 : kines_out_of_memory(err);
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

#define MAX_HEADERS 7

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

/* Signs and sends the request once; returns 0 with the response body on HTTP 200. */
static int send_once(kines_client *c, const kines_api *api, const char *target, const char *body,
                     kbuf *response, kines_error *err)
{
    char amz_date[17];
    sigv4_amz_date_now(amz_date);
    const kines_config *cfg = &c->cfg;
    sigv4_header signed_headers[] = {
        {"Host", c->host},
        {"Content-Type", api->content_type},
        {"X-Amz-Date", amz_date},
        {"X-Amz-Target", target},
        {"X-Amz-Security-Token", cfg->session_token},
    };
    size_t signed_count = cfg->session_token ? 5 : 4;
    sigv4_request req = {"POST", c->path, "", signed_headers, signed_count, body, strlen(body)};
    sigv4_credentials creds = {cfg->access_key_id, cfg->secret_access_key, cfg->session_token};
    kbuf auth = KBUF_INIT, lines[MAX_HEADERS], transport_error = KBUF_INIT;
    sigv4_sign(&req, &creds, cfg->region, api->signing_name, amz_date, &auth, NULL, NULL);
    size_t header_count = header_lines(signed_headers, signed_count, auth.data, lines);
    const char *headers[MAX_HEADERS];
    bool complete = !kbuf_failed(&auth);
    for (size_t i = 0; i < header_count; i++) {
        headers[i] = lines[i].data;
        complete = complete && !kbuf_failed(&lines[i]);
    }
    long status = 0;
    int rc = complete ? transport_post(c->http, c->url, headers, header_count, body, strlen(body),
                                       &status, response, &transport_error)
                      : -1;
    if (!complete)
        kines_out_of_memory(err);
    else if (rc != 0)
        kines_fail(err, KINES_ERR_TRANSPORT, "cannot reach %s: %s", c->url, transport_error.data);
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

static int call_with_retries(kines_client *c, const kines_api *api, const char *operation,
                             const char *body, kbuf *response, kines_error *err)
{
    kines_error local;
    kines_error *e = err ? err : &local;
    kbuf target = KBUF_INIT;
    kbuf_printf(&target, "%s.%s", api->target_prefix, operation);
    if (kbuf_failed(&target))
        return kines_out_of_memory(err);
    retry_policy policy = {c->cfg.max_attempts, c->cfg.retry_base_ms, c->cfg.retry_cap_ms,
                           c->cfg.retry_budget_ms};
    int waited = 0, rc;
    for (int attempt = 1;; attempt++) {
        kines_error_clear(e);
        rc = send_once(c, api, target.data, body, response, e);
        e->attempts = attempt;
        if (rc == 0 || !kines_error_is_retryable(e))
            break;
        int delay = retry_delay_ms(&policy, attempt, retry_random());
        if (!retry_allowed(&policy, attempt, waited, delay))
            break;
        sleep_ms(delay);
        waited += delay;
    }
    kbuf_free(&target);
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
    kbuf response = KBUF_INIT;
    oom_take(); /* a failure noted before this call is not this call's */
    int rc = call_with_retries(c, api, operation, request_json, &response, err);
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
