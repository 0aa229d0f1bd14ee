/* lambda_api.c - signed REST calls to the Lambda API for kinesctl (see lambda_api.h). */
#include "lambda_api.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/sigv4.h"
#include "client/error.h"
#include "client/transport.h"

#define MAX_HEADERS 12

struct lambda_api {
    kines_client *client; /* for the resolved configuration */
    transport *http;
    char endpoint[512]; /* scheme://authority, no trailing slash */
    char host[256];     /* the authority, signed as Host */
    char account[16];
};

static void set_endpoint(lambda_api *api, const char *url)
{
    const char *kinesis = strstr(url, "://kinesis.");
    if (kinesis)
        snprintf(api->endpoint, sizeof api->endpoint, "%.*s://lambda.%s", (int)(kinesis - url), url,
                 kinesis + strlen("://kinesis."));
    else
        snprintf(api->endpoint, sizeof api->endpoint, "%s", url);
    size_t n = strlen(api->endpoint);
    while (n > 0 && api->endpoint[n - 1] == '/')
        api->endpoint[--n] = '\0';
    const char *authority = strstr(api->endpoint, "://");
    authority = authority ? authority + 3 : api->endpoint;
    snprintf(api->host, sizeof api->host, "%.*s", (int)strcspn(authority, "/"), authority);
}

lambda_api *lambda_api_new(const cli_ctx *ctx, int *exit_code)
{
    kines_client *c = cli_client(ctx, exit_code);
    if (!c)
        return NULL;
    lambda_api *api = calloc(1, sizeof *api);
    if (!api)
        abort();
    api->client = c;
    const kines_config *cfg = kines_client_config(c);
    api->http = transport_new(cfg->timeout_ms > 0 ? cfg->timeout_ms : 120000, cfg->ca_bundle);
    set_endpoint(api, cfg->endpoint_url);
    const char *key = cfg->access_key_id;
    bool digits = strlen(key) == 12;
    for (int i = 0; digits && i < 12; i++)
        digits = isdigit((unsigned char)key[i]) != 0;
    snprintf(api->account, sizeof api->account, "%s", digits ? key : "000000000000");
    return api;
}

void lambda_api_free(lambda_api *api)
{
    if (!api)
        return;
    transport_free(api->http);
    kines_client_free(api->client);
    free(api);
}

const char *lambda_api_account(const lambda_api *api)
{
    return api->account;
}

const char *lambda_api_region(const lambda_api *api)
{
    return kines_client_config(api->client)->region;
}

const char *lambda_api_header(const kbuf *lines, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    for (const char *p = lines->data; p && *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0)) {
        if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            snprintf(out, cap, "%.*s", (int)strcspn(v, "\r\n"), v);
            return out;
        }
    }
    return NULL;
}

/* The AWS error of a non-2xx answer: the type from x-amzn-ErrorType, the message from the body. */
static void error_of(int status, const kbuf *body, const kbuf *headers, kines_error *err)
{
    kines_fail_from_response(err, status, body);
    char type[128];
    if (lambda_api_header(headers, "x-amzn-ErrorType", type, sizeof type))
        snprintf(err->type, sizeof err->type, "%.*s", (int)strcspn(type, ":"), type);
}

int lambda_api_call(lambda_api *api, const char *method, const char *path,
                    const char *const *headers, const char *body, size_t len, kbuf *response,
                    kbuf *response_headers, kines_error *err)
{
    const kines_config *cfg = kines_client_config(api->client);
    char date[17];
    sigv4_amz_date_now(date);
    size_t path_len = strcspn(path, "?");
    char raw_path[2048];
    snprintf(raw_path, sizeof raw_path, "%.*s", (int)path_len, path);
    sigv4_header signed_headers[] = {{"Host", api->host},
                                     {"Content-Type", "application/json"},
                                     {"X-Amz-Date", date},
                                     {"X-Amz-Security-Token", cfg->session_token}};
    size_t signed_count = cfg->session_token ? 4 : 3;
    sigv4_request req = {method,
                         raw_path,
                         path[path_len] ? path + path_len + 1 : "",
                         signed_headers,
                         signed_count,
                         body ? body : "",
                         len};
    sigv4_credentials creds = {cfg->access_key_id, cfg->secret_access_key, cfg->session_token};
    kbuf auth = KBUF_INIT, lines[MAX_HEADERS], url = KBUF_INIT, transport_error = KBUF_INIT;
    kbuf kept = KBUF_INIT;
    sigv4_sign(&req, &creds, cfg->region, "lambda", date, &auth, NULL, NULL);
    const char *list[MAX_HEADERS];
    size_t n = 0;
    for (; n < signed_count; n++) {
        kbuf_init(&lines[n]);
        kbuf_printf(&lines[n], "%s: %s", signed_headers[n].name, signed_headers[n].value);
    }
    kbuf_init(&lines[n]);
    kbuf_printf(&lines[n++], "Authorization: %s", auth.data);
    for (size_t i = 0; i < n; i++)
        list[i] = lines[i].data;
    for (size_t i = 0; headers && headers[i] && n < MAX_HEADERS; i++)
        list[n++] = headers[i];
    kbuf_printf(&url, "%s%s", api->endpoint, path);
    transport_exchange ex = {method, url.data, list, n, body ? body : "", len, &kept};
    long status = 0;
    int rc = transport_request(api->http, &ex, &status, response, &transport_error);
    if (rc != 0)
        kines_fail(err, KINES_ERR_TRANSPORT, "cannot reach %s: %s", api->endpoint,
                   transport_error.data);
    else if (status < 200 || status > 299)
        rc = -1, error_of((int)status, response, &kept, err);
    if (response_headers)
        kbuf_append(response_headers, kept.data, kept.len);
    for (size_t i = 0; i <= signed_count; i++)
        kbuf_free(&lines[i]);
    kbuf_free(&auth);
    kbuf_free(&url);
    kbuf_free(&kept);
    kbuf_free(&transport_error);
    return rc;
}
