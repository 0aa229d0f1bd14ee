/* fuzz_net_http1.c - the HTTP/1.1 server path (src/net: http_parser callbacks, pipelining,
 * Expect: 100-continue, chunked and Content-Length bodies, the request cap, errors, streaming
 * answers) driven through the public API over loopback (net_loopback.h): one input is the bytes
 * one client sends on one connection.
 *
 * Properties: the server neither crashes nor hangs (it closes within the deadline once the client
 * has half-closed), and what it sends back parses, to its last byte, as a sequence of complete
 * HTTP/1.1 responses: interim 100s, then at most one final response per request plus one error.
 * The answer to a HEAD request has headers only (RFC 9110 9.3.2): it is parsed without a body.
 * A connection that opens with a TLS handshake record gets a TLS alert instead (kinesd refuses
 * TLS on its plain port), and nothing else. */
#include <http_parser.h>

#include "net_loopback.h"

#define MAX_TRACKED 256

typedef struct request_log {
    unsigned char methods[MAX_TRACKED]; /* enum http_method of each request, in order */
    size_t count;
} request_log;

typedef struct response_check {
    const request_log *requests;
    size_t finals; /* final (non-1xx) responses seen */
} response_check;

static int on_request_head(http_parser *p)
{
    request_log *log = p->data;
    if (log->count < MAX_TRACKED)
        log->methods[log->count++] = (unsigned char)p->method;
    return 0;
}

/* The methods of the requests in the input, as far as they parse. */
static void log_requests(const uint8_t *data, size_t size, request_log *log)
{
    http_parser parser;
    http_parser_settings settings = {.on_headers_complete = on_request_head};
    http_parser_init(&parser, HTTP_REQUEST);
    parser.data = log;
    log->count = 0;
    http_parser_execute(&parser, &settings, (const char *)data, size);
}

static int on_response_head(http_parser *p)
{
    response_check *check = p->data;
    if (p->status_code < 200)
        return 0;
    size_t k = check->finals++;
    /* one answer per request, plus one error (the log may have stopped counting) */
    FUZZ_REQUIRE(k <= check->requests->count || check->requests->count == MAX_TRACKED);
    /* 1 tells the parser this response has no body, whatever its headers say */
    return k < check->requests->count && check->requests->methods[k] == HTTP_HEAD;
}

static void check_responses(const kbuf *received, const request_log *requests)
{
    http_parser parser;
    http_parser_settings settings = {.on_headers_complete = on_response_head};
    response_check check = {.requests = requests};
    http_parser_init(&parser, HTTP_RESPONSE);
    parser.data = &check;
    size_t n = http_parser_execute(&parser, &settings, received->data ? received->data : "",
                                   received->len);
    FUZZ_REQUIRE(n == received->len && HTTP_PARSER_ERRNO(&parser) == HPE_OK);
    http_parser_execute(&parser, &settings, NULL, 0); /* the end: no response may be cut */
    FUZZ_REQUIRE(HTTP_PARSER_ERRNO(&parser) == HPE_OK);
}

/* Whether the input opens as a TLS handshake record would (content type 22, version 3.x). */
static bool tls_hello(const uint8_t *data, size_t size)
{
    return size >= 2 && data[0] == 0x16 && data[1] == 0x03;
}

/* A TLS alert record (content type 21, version 3.x), and nothing after it. */
static void check_tls_alert(const kbuf *received)
{
    const unsigned char *r = (const unsigned char *)received->data;
    FUZZ_REQUIRE(received->len >= 5 && r[0] == 0x15 && r[1] == 0x03);
    FUZZ_REQUIRE(received->len == 5 + ((size_t)r[3] << 8 | r[4]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char h2_preface[24] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    if (size >= sizeof h2_preface && memcmp(data, h2_preface, sizeof h2_preface) == 0)
        return 0; /* an HTTP/2 connection: fuzz_net_h2's */
    request_log requests;
    log_requests(data, size, &requests);
    kbuf received = KBUF_INIT;
    const void *parts[] = {data};
    size_t lens[] = {size};
    fuzz_exchange(parts, lens, 1, &received);
    if (tls_hello(data, size))
        check_tls_alert(&received);
    else
        check_responses(&received, &requests);
    kbuf_free(&received);
    return 0;
}
