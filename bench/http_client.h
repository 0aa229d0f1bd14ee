/* http_client.h - one keep-alive HTTP/1.1 client connection on a libuv loop.
 *
 * A connection carries one request at a time (no pipelining): the caller fills `out` with the
 * complete request bytes, calls hc_send, and gets the response's status and body in a callback.
 * Responses must carry Content-Length (kinesd always sends it). Blocking helpers (hc_connect,
 * hc_roundtrip) run the loop until their one event happened, for set-up steps. */
#ifndef KINESD_BENCH_HTTP_CLIENT_H
#define KINESD_BENCH_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "common/buf.h"

typedef struct hc_conn hc_conn;

/* status is the HTTP status, or a negative libuv error code when the connection failed. The body
 * is valid only during the call. */
typedef void (*hc_response_fn)(hc_conn *c, int status, const char *body, size_t body_len);

struct hc_conn {
    uv_tcp_t tcp;
    uv_write_t write_req;
    kbuf out;          /* the request being sent; the caller fills it before hc_send */
    kbuf in;           /* response bytes received so far */
    size_t header_len; /* length of the response head, 0 until it is complete */
    size_t content_length;
    int status;
    bool busy;   /* a request is in flight */
    bool broken; /* the transport failed; the connection cannot be used again */
    hc_response_fn on_response;
    void *user; /* for the caller */
};

/* Initialises tcp on loop and connects it to addr (no Nagle delay), running the loop until it
 * is done: the blocking connect of the HTTP/1.1 and the h2c clients. Returns 0 or a libuv
 * error; either way the caller closes tcp. */
int hc_tcp_connect(uv_tcp_t *tcp, uv_loop_t *loop, const struct sockaddr *addr);

/* Connects c to addr on loop, running the loop until it is done. Returns 0 or a libuv error;
 * either way the caller ends with hc_close. */
int hc_connect(hc_conn *c, uv_loop_t *loop, const struct sockaddr *addr);

/* Sends c->out; on_response is called once with the answer (or the failure). */
void hc_send(hc_conn *c, hc_response_fn on_response);

/* Sends c->out and runs the loop until the response is in `in`; returns its status (or a negative
 * libuv error). The body is at hc_body(c), hc_body_len(c) bytes. */
int hc_roundtrip(hc_conn *c);
const char *hc_body(const hc_conn *c);
size_t hc_body_len(const hc_conn *c);

/* Closes the connection; its buffers are freed when the loop runs the close callback, so c must
 * stay valid until the loop has run once more. */
void hc_close(hc_conn *c);

#endif
