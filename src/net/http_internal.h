/* http_internal.h - the HTTP server's private structures, shared by its files.
 *
 *   http_server.c   listening sockets (SO_REUSEPORT), loop threads, start and stop
 *   http_conn.c     one connection: reading, timers, back-pressure, shutdown and close
 *   http_exchange.c an exchange's memory and its request's storage (both protocols)
 *   http_parse.c    HTTP/1.1: http_parser callbacks that build an exchange's request
 *   http_respond.c  HTTP/1.1: response formatting and sending responses in request order
 *   http_stream.c   streaming responses (both protocols): start, chunks, finish
 *   http2.c         HTTP/2 (prior knowledge, h2c) on the same port, with nghttp2
 *
 * Everything here is touched only by the loop thread that owns it. */
#ifndef KINESD_HTTP_INTERNAL_H
#define KINESD_HTTP_INTERNAL_H

#include <http_parser.h>
#include <nghttp2/nghttp2.h>
#include <stdbool.h>
#include <stdint.h>

#include "../common/buf.h"
#include "http.h"

#define HTTP_READ_BUF_SIZE 65536
#define HTTP_PIPELINE_MAX 16 /* unsent requests per connection before reading pauses */
#define HTTP_LINGER_MAX_MS 2000

typedef struct http_conn http_conn;

typedef enum { PROTO_UNKNOWN, PROTO_HTTP1, PROTO_HTTP2 } http_proto;

typedef struct header_pos {
    uint32_t name, value; /* offsets into an exchange's head */
} header_pos;

/* One event loop and its thread. */
typedef struct http_loop {
    http_server *srv;
    uv_loop_t uv;
    uv_thread_t thread;
    uv_tcp_t listener;
    uv_async_t stop_async;
    int listen_fd;
    void *ctx; /* from the application's loop_init */
    bool stopping;
    bool finished;
    http_conn *conns; /* every open connection, doubly linked */
    size_t conn_count;
    int64_t date_sec; /* the second date_line was made for */
    char date_line[48];
    char read_buf[HTTP_READ_BUF_SIZE]; /* shared by the loop's reads: parsed at once */
} http_loop;

struct http_server {
    http_server_config cfg;
    int port;
    int loop_count;
    http_loop *loops;
    uv_sem_t ready;
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
    int32_t stream_id;   /* HTTP/2; 0 for HTTP/1 */
    uint32_t method_off; /* HTTP/2: offsets into head, UINT32_MAX until seen */
    uint32_t url_off;
    size_t body_sent; /* HTTP/2: bytes of response handed to nghttp2 */
    bool complete;    /* HTTP/2: the whole request arrived */
    bool stream_gone; /* HTTP/2: reset or closed before the application answered */
    bool keep_alive;
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
    bool h2_busy; /* inside nghttp2_session_mem_recv: no sending, no delivering */
    http_loop *loop;
    http_conn *prev, *next;     /* in loop->conns */
    http_exchange *head, *tail; /* not yet written, in request order */
    http_exchange *current;     /* being parsed (also the queue's tail) */
    size_t queued;              /* exchanges in the queue */
    size_t writes_in_flight;
    kbuf leftover;    /* bytes read but not parsed while reading is paused */
    int open_handles; /* tcp and timer, until their close callbacks ran */
    bool reading;
    bool read_paused;      /* by back-pressure; resumed as responses drain */
    bool no_more_requests; /* after Connection: close, an error, EOF or stop */
    bool too_large;        /* the request being parsed passed max_request_bytes */
    bool shutting_down;
    bool lingering; /* response sent and FIN queued: discarding input until EOF */
    bool closing;
    char peer[48]; /* the client's address, read at accept ("" when unknown) */
};

/* http_server.c */
void loop_conn_gone(http_loop *loop); /* a connection was freed */

/* http_conn.c */
void conn_accept(http_loop *loop);
void conn_deliver(http_conn *c, http_exchange *ex); /* hands a complete request to the app */
void conn_stop(http_conn *c);        /* server stop: finish what is in flight, then close */
void conn_close(http_conn *c);       /* closes now; exchanges the application holds are orphaned */
void conn_after_write(http_conn *c); /* a response went out or the queue changed */
void conn_shutdown(http_conn *c);    /* FIN after the queued writes, then linger */
void conn_start_request_timer(http_conn *c);
void conn_maybe_free(http_conn *c);

/* http_exchange.c */
http_exchange *exchange_new(http_conn *c); /* appended to c's queue */
void exchange_unlink(http_exchange *ex);   /* removes from its connection's queue */
void exchange_free(http_exchange *ex);
void exchange_drop_request(http_exchange *ex); /* frees what only the request needed */
bool exchange_over_limit(const http_exchange *ex, uint64_t more); /* more bytes pass the cap */
uint32_t exchange_add_string(http_exchange *ex, const char *s, size_t len); /* offset in head */
void exchange_add_header(http_exchange *ex, const char *name, size_t name_len, const char *value,
                         size_t value_len);
void exchange_index_headers(http_exchange *ex); /* head complete: fills req.headers */
void exchange_finish_body(http_exchange *ex);   /* fills req.body */

/* http_parse.c */
extern const http_parser_settings http_parse_settings;

/* http_respond.c */
void conn_flush(http_conn *c);
/* Status line and headers into ex->response; `framing` is the Content-Length or
 * Transfer-Encoding header line. Decides keep-alive. */
void format_head(http_exchange *ex, int status, const char *const *headers, const char *framing);
void conn_fail(http_conn *c, int status, const char *message); /* answers and closes */
/* Answers ex with the server's own JSON error (SerializationException). */
void respond_error(http_exchange *ex, int status, const char *message);
void loop_date_line(http_loop *loop, char out[48]);
const char *http_reason_phrase(int status);

/* http2.c */
extern const char http2_preface[24]; /* "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" */
void h2_start(http_conn *c);
void h2_input(http_conn *c, const char *data, size_t len);
void h2_respond(http_exchange *ex, int status, const char *const *headers, const char *body,
                size_t body_len);
void h2_respond_start(http_exchange *ex, int status, const char *const *headers);
void h2_respond_more(http_exchange *ex); /* more body in ex->response, or its end */
void h2_flush(http_conn *c);
void h2_stop(http_conn *c); /* GOAWAY: finish open streams, accept no new ones */

#endif
