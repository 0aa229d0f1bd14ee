/* http_internal.h - the HTTP server's private structures, shared by its files.
 *
 *   http_server.c   listening sockets (SO_REUSEPORT), loop threads, start and stop
 *   http_budget.c   the memory budget: bytes buffered for clients, and when reading pauses
 *   http_conn.c     one connection: reading, timers, back-pressure, shutdown and close
 *   http_exchange.c an exchange's memory and its request's storage (both protocols)
 *   http_parse.c    HTTP/1.1: http_parser callbacks that build an exchange's request
 *   http_respond.c  HTTP/1.1: response formatting and sending responses in request order
 *   http_stream.c   streaming responses (both protocols): start, chunks, finish
 *   http2.c         HTTP/2 (prior knowledge, h2c) on the same port, with nghttp2
 *   http_tls.c      TLS on the connections of the --listen-tls port (OpenSSL), both protocols
 *
 * Everything here is touched only by the loop thread that owns it. */
#ifndef KINESD_HTTP_INTERNAL_H
#define KINESD_HTTP_INTERNAL_H

#include <http_parser.h>
#include <nghttp2/nghttp2.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../common/buf.h"
#include "http.h"

#define HTTP_READ_BUF_SIZE 65536
#define HTTP_PIPELINE_MAX 16 /* unsent requests per connection before reading pauses */
#define HTTP_LINGER_MAX_MS 2000
#define HTTP_HEAD_MAX 65536            /* url and headers of one request (431 beyond) */
#define HTTP_SMALL_BODY (256u << 10)   /* larger declared bodies are admitted earlier (budget) */
#define HTTP_UNKNOWN_LENGTH UINT64_MAX /* a body whose length is not declared (chunked, h2) */
#define HTTP_DEFAULT_MEMORY_BUDGET ((size_t)512 << 20)
#define HTTP_BODY_STEP (256u << 10) /* a large body's buffer grows by this much at most */

typedef struct http_conn http_conn;
typedef struct http_tls http_tls;
struct tls_context;

enum { LISTEN_PLAIN, LISTEN_TLS, LISTEN_KINDS }; /* a loop's listening sockets */
#define TLS_PLAIN_MAX 16384                      /* the largest TLS record's plaintext */

typedef enum { PROTO_UNKNOWN, PROTO_HTTP1, PROTO_HTTP2 } http_proto;

/* Why the server answers a request itself instead of passing it on. */
typedef struct http_refusal {
    int status;
    const char *type; /* the AWS error type ("__type") */
    const char *message;
} http_refusal;

extern const http_refusal refuse_malformed, refuse_too_large, refuse_head_too_large, refuse_busy,
    refuse_plain_on_tls;

typedef struct header_pos {
    uint32_t name, value; /* offsets into an exchange's head */
} header_pos;

/* One event loop and its thread. */
typedef struct http_loop {
    http_server *srv;
    uv_loop_t uv;
    uv_thread_t thread;
    uv_tcp_t listeners[LISTEN_KINDS]; /* plain HTTP, TLS */
    uv_async_t stop_async;
    int listen_fds[LISTEN_KINDS]; /* -1 when that kind is not served */
    void *ctx;                    /* from the application's loop_init */
    bool stopping;
    bool finished;
    http_conn *conns; /* every open connection, doubly linked */
    size_t conn_count;
    uv_timer_t budget_timer; /* retries connections that wait for the budget */
    uv_timer_t trim_timer;   /* returns freed memory to the system after load (malloc_trim) */
    int64_t date_sec;        /* the second date_line was made for */
    char date_line[48];
    char read_buf[HTTP_READ_BUF_SIZE]; /* shared by the loop's reads: parsed at once */
    char tls_plain[TLS_PLAIN_MAX];     /* shared by the loop's TLS reads: decrypted into */
} http_loop;

struct http_server {
    http_server_config cfg;
    int port;
    int tls_port; /* 0 when there is no TLS port */
    int loop_count;
    http_loop *loops;
    uv_sem_t ready;
    _Atomic size_t buffered; /* bytes buffered for clients by every loop (http_budget.c) */
    size_t conn_budget;      /* what one connection may hold for earlier requests */
    atomic_bool trim_armed;  /* buffered went high since the last malloc_trim */
    _Atomic uint64_t last_trim_ms;
};

/* One request: built while parsed, handed to the application, then answered and written. */
struct http_exchange {
    http_conn *conn;
    http_exchange *prev, *next; /* the connection's queue, in request order */
    http_request req;
    kbuf head;        /* url, then header names and values, each NUL-terminated */
    kbuf header_offs; /* header_pos pairs into head while parsing */
    int part;         /* which piece of head the parser is in (http_parse.c) */
    http_header *headers;
    kbuf body;
    kbuf response;       /* HTTP/1: bytes ready to write; HTTP/2: the body (or its unsent rest) */
    size_t charged;      /* bytes of this exchange counted in the budget */
    uint64_t declared;   /* the body's declared length, or HTTP_UNKNOWN_LENGTH */
    size_t claim;        /* the declared body, counted in the budget from its admission */
    uint64_t started;    /* loop time (ms) of the request's first byte: its deadline starts */
    size_t unconsumed;   /* HTTP/2: body bytes received but not yet given back to flow control */
    int32_t stream_id;   /* HTTP/2; 0 for HTTP/1 */
    uint32_t method_off; /* HTTP/2: offsets into head, UINT32_MAX until seen */
    uint32_t url_off;
    size_t body_sent; /* HTTP/2: bytes of response handed to nghttp2 */
    bool complete;    /* HTTP/2: the whole request arrived */
    bool stream_gone; /* HTTP/2: reset or closed before the application answered */
    bool expired;     /* HTTP/2: reset because it did not arrive within idle_timeout_ms */
    bool keep_alive;
    bool head_only;       /* a HEAD request: its answer has headers, never a body */
    bool expect_continue; /* a "100 Continue" is owed once it is first in line */
    bool delivered;       /* the application owns it until http_respond */
    bool answered;
    bool streaming; /* http_respond_start was called, http_respond_finish not yet */
};

struct http_conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_shutdown_t shutdown_req;
    http_parser parser;
    nghttp2_session *h2;
    http_proto proto;
    http_tls *tls; /* on the TLS port; NULL on the plain one */
    bool h2_busy;  /* inside nghttp2_session_mem_recv: no sending, no delivering */
    http_loop *loop;
    http_conn *prev, *next;     /* in loop->conns */
    http_exchange *head, *tail; /* not yet written, in request order */
    http_exchange *current;     /* being parsed (also the queue's tail) */
    size_t queued;              /* exchanges in the queue */
    size_t writes_in_flight;
    size_t buffered;         /* bytes this connection holds, counted in the budget */
    size_t writes_charged;   /* of which bytes in writes not yet completed */
    size_t leftover_charged; /* of which leftover */
    size_t tls_charged;      /* of which TLS input not yet decrypted (http_tls.c) */
    kbuf leftover;           /* bytes read but not parsed while reading is paused */
    int open_handles;        /* tcp and timer, until their close callbacks ran */
    bool reading;
    bool read_paused;            /* by back-pressure or the budget; resumed as bytes drain */
    bool budget_waiting;         /* the budget held it back: the loop's budget timer retries it */
    bool delivering;             /* HTTP/2: inside the delivery walk (no nested walk) */
    bool no_more_requests;       /* after Connection: close, an error, EOF or stop */
    const http_refusal *refusal; /* why the parse of the current request was failed */
    bool shutting_down;
    bool lingering; /* response sent and FIN queued: discarding input until EOF */
    bool closing;
    char peer[48]; /* the client's address, read at accept ("" when unknown) */
};

/* http_server.c */
void loop_conn_gone(http_loop *loop);  /* a connection was freed */
void http_count_connection(int delta); /* +1 opened, -1 freed (http_server.c) */

/* http_budget.c */
/* Sets what *held (a field of c's that counts some buffer) counts to `now`, in c and the total. */
void budget_set(http_conn *c, size_t *held, size_t now);
/* Whether the request of ex, whose head is complete, may start now: a declared body is then
 * counted in full (its claim), so that it can always arrive. */
bool budget_admit(http_exchange *ex);
/* Whether the body of ex, a request still arriving on c, may take more bytes now. */
bool budget_body_may_grow(const http_conn *c, const http_exchange *ex);
/* Whether c may take a new request, given `held`: what it holds for earlier requests. */
bool budget_may_take_request(const http_conn *c, size_t held);
void budget_wait(http_conn *c); /* c was held back: retry it once the budget allows */
void budget_loop_init(http_loop *loop);
void budget_loop_close(http_loop *loop);

/* http_conn.c */
void conn_accept(http_loop *loop, int kind);                 /* from listeners[kind] */
void conn_input(http_conn *c, const char *data, size_t len); /* plaintext, either protocol */
void conn_input_end(http_conn *c);                           /* the client's side ended */
void conn_deliver(http_conn *c, http_exchange *ex); /* hands a complete request to the app */
void conn_stop(http_conn *c);     /* server stop: finish what is in flight, then close */
void conn_close(http_conn *c);    /* closes now; exchanges the application holds are orphaned */
void conn_shutdown(http_conn *c); /* FIN after the queued writes, then linger */
void conn_update_timer(http_conn *c);
/* While reading is paused: the client reset, or shut its side with a request unfinished. */
bool conn_peer_gone(const http_conn *c);
/* A response went out, the queue changed or the budget may allow what was held back: resumes
 * reading (HTTP/1) or delivery (HTTP/2) if it may, and sets the timer. */
void conn_retry(http_conn *c);
void conn_maybe_free(http_conn *c);
/* Writes bytes (taken: *bytes becomes empty; encrypted on the TLS port), counted in the budget
 * until written; then conn_retry. False (c closed) if the write cannot start. */
bool conn_write(http_conn *c, kbuf *bytes);
/* conn_write without encryption: bytes as they go on the wire. */
bool conn_send(http_conn *c, kbuf *bytes);

/* http_exchange.c */
http_exchange *exchange_new(http_conn *c); /* appended to c's queue */
void exchange_unlink(http_exchange *ex);   /* removes from its connection's queue */
void exchange_free(http_exchange *ex);
void exchange_drop_request(http_exchange *ex); /* frees what only the request needed */
void exchange_recharge(http_exchange *ex);     /* its buffers changed: counts them again */
bool exchange_body_over_limit(const http_exchange *ex, uint64_t more); /* passes the cap */
bool exchange_head_over_limit(const http_exchange *ex, uint64_t more); /* passes HTTP_HEAD_MAX */
uint32_t exchange_add_string(http_exchange *ex, const char *s, size_t len); /* offset in head */
void exchange_add_header(http_exchange *ex, const char *name, size_t name_len, const char *value,
                         size_t value_len);
void exchange_index_headers(http_exchange *ex); /* head complete: fills req.headers */
void exchange_add_body(http_exchange *ex, const void *data, size_t len); /* counted */
void exchange_finish_body(http_exchange *ex);                            /* fills req.body */

/* http_parse.c */
extern const http_parser_settings http_parse_settings;

/* http_respond.c */
void conn_flush(http_conn *c);
/* Status line and headers into ex->response; `framing` is the Content-Length or
 * Transfer-Encoding header line. Decides keep-alive. */
void format_head(http_exchange *ex, int status, const char *const *headers, const char *framing);
void conn_fail(http_conn *c, const http_refusal *why); /* answers and closes */
/* Answers ex with the server's own AWS-shaped JSON error. */
void respond_error(http_exchange *ex, const http_refusal *why);
void loop_date_line(http_loop *loop, char out[48]);
const char *http_reason_phrase(int status);

/* http_tls.c */
bool tls_conn_start(http_conn *c, struct tls_context *ctx); /* at accept; false: no memory */
void tls_conn_free(http_conn *c);
void tls_conn_input(http_conn *c, const char *data, size_t len); /* ciphertext from the socket */
void tls_conn_resume(http_conn *c); /* reading resumed: decrypts what was kept */
/* Replaces the plaintext in bytes with its records; false when the connection's TLS failed. */
bool tls_conn_seal(http_conn *c, kbuf *bytes);
void tls_conn_close_notify(http_conn *c); /* before the FIN */
/* The first bytes on the plain port: a TLS ClientHello is refused (true: alert sent, closing). */
bool tls_hello_on_plain_port(http_conn *c, const char *data, size_t len);

/* http2.c */
extern const char http2_preface[24]; /* "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" */
void h2_start(http_conn *c);
void h2_input(http_conn *c, const char *data, size_t len);
void h2_respond(http_exchange *ex, int status, const char *const *headers, const char *body,
                size_t body_len);
void h2_respond_start(http_exchange *ex, int status, const char *const *headers);
void h2_respond_more(http_exchange *ex); /* more body in ex->response, or its end */
void h2_flush(http_conn *c);
void h2_resume(http_conn *c); /* gives back window and delivers what the budget now allows */
void h2_expire(http_conn *c); /* resets the requests past their deadline */
size_t h2_incoming(const http_conn *c); /* bytes of requests still arriving */
void h2_stop(http_conn *c);             /* GOAWAY: finish open streams, accept no new ones */

#endif
