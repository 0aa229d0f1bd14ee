/* kinesis_call.c - endpoint parsing, SigV4-signed JSON 1.1 (and CBOR 1.1) requests over HTTP/1.1
 * and h2c, blocking calls (see kinesis_call.h). */
#include "kinesis_call.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_ACCESS_KEY "AKIDKINESDBENCH00000"
#define BENCH_SECRET_KEY "kinesd-bench-secret-access-key-000000000"

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

/* Parses "HOST:PORT" where HOST is an IP literal ("[::1]" for IPv6) or "localhost". */
static int parse_address(kinesis_endpoint *ep, const char *hostport)
{
    char host[64];
    const char *colon = hostport[0] == '[' ? strstr(hostport, "]:") : strrchr(hostport, ':');
    if (!colon)
        return -1;
    size_t skip = hostport[0] == '[' ? 1 : 0;
    size_t len = (size_t)(colon - hostport) - skip;
    if (len == 0 || len >= sizeof(host))
        return -1;
    memcpy(host, hostport + skip, len);
    host[len] = '\0';
    int port = atoi(colon + 1 + skip);
    if (port <= 0 || port > 65535)
        return -1;
    if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)&ep->addr) != 0 &&
        uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ep->addr) != 0)
        return -1;
    snprintf(ep->host, sizeof(ep->host), "%s", hostport);
    return 0;
}

int kinesis_endpoint_parse(kinesis_endpoint *ep, const char *url)
{
    memset(ep, 0, sizeof(*ep));
    const char *scheme = "http://";
    if (!url || strncmp(url, scheme, strlen(scheme)) != 0 ||
        parse_address(ep, url + strlen(scheme)) != 0) {
        fprintf(stderr, "kinesd-bench: --endpoint must look like http://127.0.0.1:PORT, not %s\n",
                url ? url : "(none)");
        return -1;
    }
    snprintf(ep->region, sizeof(ep->region), "%s",
             env_or("AWS_REGION", env_or("AWS_DEFAULT_REGION", "us-east-1")));
    ep->creds.access_key_id = env_or("AWS_ACCESS_KEY_ID", BENCH_ACCESS_KEY);
    ep->creds.secret_access_key = env_or("AWS_SECRET_ACCESS_KEY", BENCH_SECRET_KEY);
    ep->creds.session_token = getenv("AWS_SESSION_TOKEN");
    return 0;
}

/* Prints why the connection to the endpoint failed (rc < 0); returns rc. */
static int connected(const kinesis_endpoint *ep, int rc)
{
    if (rc < 0)
        fprintf(stderr, "kinesd-bench: cannot connect to %s: %s\n", ep->host, uv_strerror(rc));
    return rc;
}

int kinesis_connect(hc_conn *c, const kinesis_endpoint *ep)
{
    return connected(ep, hc_connect(c, uv_default_loop(), (const struct sockaddr *)&ep->addr));
}

int kinesis_connect_h2(h2_conn *c, const kinesis_endpoint *ep)
{
    return connected(
        ep, h2_connect(c, uv_default_loop(), (const struct sockaddr *)&ep->addr, ep->host));
}

void kinesis_request(hc_conn *c, const kinesis_endpoint *ep, const char *operation,
                     const kbuf *body)
{
    kinesis_request_as(c, ep, operation, "application/x-amz-json-1.1", body);
}

/* A signed Kinesis request's headers, but Content-Length: the same for HTTP/1.1 and h2c. */
typedef struct signed_headers {
    char amz_date[17];
    char target[96];
    sigv4_header list[5]; /* host first (h2c sends it as :authority), then what was signed */
    size_t count;
    kbuf authorization; /* the Authorization header's value */
} signed_headers;

static void sign_request(signed_headers *s, const kinesis_endpoint *ep, const char *operation,
                         const char *content_type, const kbuf *body)
{
    sigv4_amz_date_now(s->amz_date);
    snprintf(s->target, sizeof(s->target), "Kinesis_20131202.%s", operation);
    const sigv4_header list[] = {
        {"host", ep->host},
        {"content-type", content_type},
        {"x-amz-date", s->amz_date},
        {"x-amz-target", s->target},
        {"x-amz-security-token", ep->creds.session_token},
    };
    memcpy(s->list, list, sizeof(list));
    s->count = ep->creds.session_token ? 5 : 4;
    sigv4_request req = {"POST", "/", "", s->list, s->count, body->data, body->len};
    kbuf_init(&s->authorization);
    sigv4_sign(&req, &ep->creds, ep->region, "kinesis", s->amz_date, &s->authorization, NULL, NULL);
}

void kinesis_request_as(hc_conn *c, const kinesis_endpoint *ep, const char *operation,
                        const char *content_type, const kbuf *body)
{
    signed_headers s;
    sign_request(&s, ep, operation, content_type, body);
    kbuf *out = &c->out;
    kbuf_reset(out);
    kbuf_reserve(out, body->len + 1024);
    kbuf_puts(out, "POST / HTTP/1.1\r\n");
    for (size_t i = 0; i < s.count; i++)
        kbuf_printf(out, "%s: %s\r\n", s.list[i].name, s.list[i].value);
    kbuf_printf(out, "authorization: %s\r\ncontent-length: %zu\r\n\r\n", s.authorization.data,
                body->len);
    kbuf_append(out, body->data, body->len);
    kbuf_free(&s.authorization);
}

void kinesis_post_h2(h2_conn *c, const kinesis_endpoint *ep, const char *operation,
                     const char *content_type, const kbuf *body, h2_response_fn on_response,
                     void *user)
{
    signed_headers s;
    sign_request(&s, ep, operation, content_type, body);
    h2_header headers[sizeof(s.list) / sizeof(s.list[0])];
    size_t n = 0;
    for (size_t i = 1; i < s.count; i++)
        headers[n++] = (h2_header){s.list[i].name, s.list[i].value};
    headers[n++] = (h2_header){"authorization", s.authorization.data};
    h2_post(c, "/", headers, n, body->data, body->len, on_response, user);
    kbuf_free(&s.authorization);
}

int kinesis_call(hc_conn *c, const kinesis_endpoint *ep, const char *operation, const kbuf *body)
{
    kinesis_request(c, ep, operation, body);
    return hc_roundtrip(c);
}

void kinesis_report_failure(const char *operation, int status, const char *body, size_t len)
{
    if (status < 0)
        fprintf(stderr, "kinesd-bench: %s failed: %s\n", operation, uv_strerror(status));
    else
        fprintf(stderr, "kinesd-bench: %s failed: HTTP %d %.*s\n", operation, status,
                (int)(len > 300 ? 300 : len), body ? body : "");
}
