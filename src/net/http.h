/* http.h - the HTTP/1.1 server: libuv event loops (one per thread, SO_REUSEPORT) and http_parser.
 *
 * It owns connections, keep-alive, pipelining (responses go out in request order), Content-Length
 * and chunked bodies, Expect: 100-continue, the request-size cap and idle/slow-client timeouts,
 * and a memory budget for what it buffers for clients (http_budget.c says what happens at it).
 * A complete request is handed to the application's handler on the connection's loop thread; the
 * application answers with http_respond, then or later (from the same loop thread), or streams
 * its answer (http_respond_start, _chunk, _finish). The request (its strings and body) stays
 * valid until http_respond or http_respond_start. A connection that opens with the HTTP/2
 * preface (h2c, prior knowledge) is served by nghttp2 and hands its requests to the same handler.
 * A second port may serve the same over TLS (tls.h: ALPN h2 and http/1.1).
 */
#ifndef KINESD_HTTP_H
#define KINESD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

typedef struct http_header {
    const char *name;  /* lower-cased */
    const char *value; /* surrounding whitespace trimmed */
} http_header;

typedef struct http_request {
    const char *method; /* "POST" */
    const char *url;    /* "/" */
    const http_header *headers;
    size_t header_count;
    const char *body; /* NUL-terminated for convenience; body_len excludes the NUL */
    size_t body_len;
    const char *peer; /* the client's address ("127.0.0.1", "::1"), set at accept; "" unknown */
    bool secure;      /* it came over TLS (aws:SecureTransport) */
} http_request;

/* Value of the (first) header with this lower-case name, or NULL. */
const char *http_request_header(const http_request *req, const char *name);

typedef struct http_exchange http_exchange; /* one request awaiting its response */

typedef void (*http_handler_fn)(http_exchange *ex, const http_request *req, void *loop_ctx);
/* Called once on each loop thread before it accepts; returns that loop's context. */
typedef void *(*http_loop_init_fn)(uv_loop_t *loop, void *app);
/* Called on each loop thread after it stopped accepting and its requests are answered. */
typedef void (*http_loop_done_fn)(void *loop_ctx);

typedef struct http_server_config {
    const char *host;
    int port; /* 0: pick a free port (see http_server_port) */
    int threads;
    size_t max_request_bytes; /* of a request's body; the head has its own cap (64 KiB) */
    size_t memory_budget;     /* bytes buffered for all clients (0: 512 MiB); see http_budget.c */
    int idle_timeout_ms;      /* idle connections, and requests not complete this long after their
                               * first byte, are closed (HTTP/2: the stream is reset) */
    http_handler_fn handler;
    http_loop_init_fn loop_init;
    http_loop_done_fn loop_done;
    void *app;
    struct tls_context *tls; /* NULL: no TLS port; else serve TLS on tls_host:tls_port too */
    const char *tls_host;
    int tls_port; /* 0: pick a free port (see http_server_tls_port) */
} http_server_config;

typedef struct http_server http_server;

/* Binds and starts the loop threads. NULL (logged) if the address cannot be bound. */
http_server *http_server_start(const http_server_config *cfg);
int http_server_port(const http_server *srv);
int http_server_tls_port(const http_server *srv); /* 0 without a TLS port */
/* Stops accepting, waits until in-flight requests are answered, joins the threads, frees. */
void http_server_stop(http_server *srv);

/* Sends the response for ex (on ex's loop thread) and releases ex. `headers` are extra
 * "Name: value" pairs (NULL-terminated array, may be NULL); Content-Length, Date and Connection
 * are added by the server. The body is copied. */
void http_respond(http_exchange *ex, int status, const char *const *headers, const char *body,
                  size_t body_len);

/* Streaming responses, all on ex's loop thread. http_respond_start sends status and headers
 * (HTTP/1.1: Transfer-Encoding: chunked; HTTP/2: no content-length; Date and Connection are
 * added); http_respond_chunk sends body bytes (copied), any number of times over any length of
 * time; http_respond_finish ends the body and releases ex. While a streaming response is open
 * the connection has no idle timeout, and the responses to later requests pipelined on an
 * HTTP/1.1 connection wait behind it. Once the client went away or the server is stopping,
 * http_respond_open is false and http_respond_chunk sends nothing and returns false: the
 * application should then call http_respond_finish (the server's stop waits for that). */
void http_respond_start(http_exchange *ex, int status, const char *const *headers);
bool http_respond_chunk(http_exchange *ex, const void *data, size_t len);
void http_respond_finish(http_exchange *ex);
bool http_respond_open(const http_exchange *ex);
/* Bytes of the response accepted but not yet written to the socket (for back-pressure). */
size_t http_respond_backlog(const http_exchange *ex);

/* Connections of every server in the process: open now, and accepted since start (any thread;
 * read by the monitoring service). */
typedef struct http_connection_counts {
    long open;
    unsigned long long accepted;
} http_connection_counts;
http_connection_counts http_connections(void);

#endif
