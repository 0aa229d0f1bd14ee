/* h2_client.h - one HTTP/2 client connection in clear text (h2c, prior knowledge: the client
 * sends the HTTP/2 preface at once, as the Java SDK v2 and h2load do) on a libuv loop, nghttp2
 * framing it.
 *
 * Several requests are in flight at once, each on its own stream: h2_post sends a POST with the
 * caller's headers and body, and hands the answer's :status and body to a callback. The client
 * opens wide receive windows (stream and connection) so that flow control never holds the bench
 * back. Bytes leave through one uv_write at a time from an output buffer nghttp2 fills. */
#ifndef KINESD_BENCH_H2_CLIENT_H
#define KINESD_BENCH_H2_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "common/buf.h"

typedef struct nghttp2_session nghttp2_session;
typedef struct h2_request h2_request;

/* status is the :status, or a negative libuv error code when the stream or the connection
 * failed. The body is valid only during the call. */
typedef void (*h2_response_fn)(void *user, int status, const char *body, size_t body_len);

/* One header of a request; the name in lower case, as HTTP/2 wants it. */
typedef struct h2_header {
    const char *name;
    const char *value;
} h2_header;

typedef struct h2_conn {
    uv_tcp_t tcp;
    uv_write_t write_req;     /* the write of `out` */
    nghttp2_session *session; /* the client side of the HTTP/2 framing */
    char authority[128];      /* the :authority of every request ("127.0.0.1:4567") */
    kbuf out;                 /* frames being written (while `writing`) */
    kbuf in;                  /* the read buffer */
    bool writing;             /* a uv_write of `out` is in flight */
    bool receiving;           /* inside nghttp2_session_mem_recv: frames go out after it */
    bool broken;              /* the transport failed; the connection cannot be used again */
    h2_request *in_flight;    /* requests sent and not answered yet */
    h2_request *spare;        /* answered requests, kept for their buffers */
} h2_conn;

/* Connects c to addr on loop (running the loop until it is done) and sends the preface and the
 * client's settings. Returns 0 or a libuv error; either way the caller ends with h2_close. */
int h2_connect(h2_conn *c, uv_loop_t *loop, const struct sockaddr *addr, const char *authority);

/* Sends POST `path` with these headers (content-length is added) and body, which must stay
 * unchanged until on_response has been called (once, with the answer or the failure; on a
 * broken connection before h2_post returns). */
void h2_post(h2_conn *c, const char *path, const h2_header *headers, size_t header_count,
             const char *body, size_t body_len, h2_response_fn on_response, void *user);

/* Closes the connection; requests still in flight are not answered. Its memory is freed when
 * the loop runs the close callback, so c must stay valid until the loop has run once more. */
void h2_close(h2_conn *c);

#endif
