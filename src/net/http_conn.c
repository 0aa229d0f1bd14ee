/* http_conn.c - one client connection: reading and parsing, timeouts, back-pressure and closing.
 *
 * Reads land in the loop's shared buffer and are parsed at once, so an idle connection holds no
 * read buffer. Each finished request is handed to the application; when too many requests of a
 * connection are unanswered or unsent, or the memory budget holds it back (http_budget.c),
 * reading pauses and the unparsed rest is kept until the responses drain or the budget allows.
 * One timer per connection enforces, depending on the state:
 *   - a request (headers and body) must arrive within idle_timeout_ms of its first byte (HTTP/2:
 *     each stream; the late one is reset, the connection goes on);
 *   - while the application works on a request, no timeout (the application answers);
 *   - otherwise the connection must not sit idle (or leave responses unread) for idle_timeout_ms.
 * A timer that fires while input waits in the socket (the process was stopped, or the loop was
 * busy) lets that input be read first and decides again.
 * After the last response (Connection: close, an error, EOF or server stop) the FIN is queued
 * behind it and input is read and discarded until the client closes, for at most
 * HTTP_LINGER_MAX_MS, so that the client is not reset before it has read the response. */
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "http_internal.h"

static int idle_timeout_ms(const http_conn *c)
{
    return c->loop->srv->cfg.idle_timeout_ms;
}

/* The poll(2) events of c's socket now, among `wanted` (errors and hang-ups always). */
static short socket_events(const http_conn *c, short wanted)
{
    uv_os_fd_t fd;
    if (c->closing || uv_fileno((const uv_handle_t *)&c->tcp, &fd) != 0)
        return 0;
    struct pollfd p = {.fd = fd, .events = wanted};
    return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

/* Whether the socket has input (or EOF) that a running read has not taken yet. */
static bool input_waiting(http_conn *c)
{
    return c->reading && socket_events(c, POLLIN) != 0;
}

bool conn_peer_gone(const http_conn *c)
{
    short events = socket_events(c, POLLRDHUP);
    return (events & (POLLERR | POLLHUP)) || ((events & POLLRDHUP) && c->current);
}

static void on_timer(uv_timer_t *timer);

/* Whether the application holds a request of c that it has not answered yet. */
static bool app_working(const http_conn *c)
{
    for (const http_exchange *ex = c->head; ex; ex = ex->next)
        if (ex->delivered && !ex->answered)
            return true;
    return false;
}

/* The request of c that is still arriving and started first, or NULL. */
static const http_exchange *oldest_arriving(const http_conn *c)
{
    if (c->proto != PROTO_HTTP2)
        return c->current;
    const http_exchange *oldest = NULL;
    for (const http_exchange *ex = c->head; ex; ex = ex->next)
        if (!ex->complete && !ex->expired && (!oldest || ex->started < oldest->started))
            oldest = ex;
    return oldest;
}

void conn_update_timer(http_conn *c)
{
    if (c->closing || c->lingering)
        return; /* the linger deadline, once started, runs out */
    uint64_t idle = (uint64_t)idle_timeout_ms(c), now = uv_now(&c->loop->uv);
    const http_exchange *arriving = oldest_arriving(c);
    if (arriving) {
        uint64_t deadline = arriving->started + idle;
        uv_timer_start(&c->timer, on_timer, deadline > now ? deadline - now : 1, 0);
    } else if (app_working(c)) {
        uv_timer_stop(&c->timer);
    } else {
        uv_timer_start(&c->timer, on_timer, idle, 0);
    }
}

static void on_timer(uv_timer_t *timer)
{
    http_conn *c = timer->data;
    if (!c->lingering && input_waiting(c)) {
        uv_timer_start(timer, on_timer, 1, 0); /* the read runs first, then this decides again */
        return;
    }
    if (!c->lingering && c->proto == PROTO_HTTP2 && oldest_arriving(c)) {
        h2_expire(c); /* the streams, not the connection */
        conn_update_timer(c);
        return;
    }
    conn_close(c);
}

static bool may_grow_current(http_conn *c);

/* Reads into the loop's buffer, unless the request being received may not grow now: then no
 * buffer (UV_ENOBUFS), and reading pauses before the bytes are taken. */
static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    http_conn *c = handle->data;
    if (c->proto == PROTO_HTTP1 && !c->no_more_requests && !may_grow_current(c))
        *buf = uv_buf_init(NULL, 0);
    else
        *buf = uv_buf_init(c->loop->read_buf, sizeof(c->loop->read_buf));
}

static void on_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf);

static void start_reading(http_conn *c)
{
    if (!c->reading && !c->closing && uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0)
        c->reading = true;
}

static void stop_reading(http_conn *c)
{
    if (c->reading)
        uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = false;
}

/* Bytes c holds for requests it has taken: all but the one being parsed and unparsed input. */
static size_t held_for_earlier(const http_conn *c)
{
    size_t arriving = c->leftover_charged + c->tls_charged + (c->current ? c->current->charged : 0);
    return c->buffered - arriving;
}

/* Whether c may parse and deliver one more request now (else reading pauses). */
static bool may_take_request(http_conn *c)
{
    if (c->queued + c->writes_in_flight >= HTTP_PIPELINE_MAX)
        return false;
    if (budget_may_take_request(c, held_for_earlier(c)))
        return true;
    budget_wait(c);
    return false;
}

/* Whether the request being parsed may take more bytes now (else reading pauses). */
static bool may_grow_current(http_conn *c)
{
    if (!c->current || budget_body_may_grow(c, c->current))
        return true;
    budget_wait(c);
    return false;
}

static void pause_reading(http_conn *c)
{
    c->read_paused = true;
    stop_reading(c);
}

static void keep_leftover(http_conn *c, const char *data, size_t len)
{
    kbuf_append(&c->leftover, data, len);
    budget_set(c, &c->leftover_charged, c->leftover.cap);
}

/* Takes the kept input out of c->leftover (the caller frees it). */
static kbuf take_leftover(http_conn *c)
{
    kbuf pending = c->leftover;
    kbuf_init(&c->leftover);
    budget_set(c, &c->leftover_charged, 0);
    return pending;
}

void conn_deliver(http_conn *c, http_exchange *ex)
{
    ex->delivered = true;
    const http_server_config *cfg = &c->loop->srv->cfg;
    cfg->handler(ex, &ex->req, c->loop->ctx); /* may answer (and so release ex) at once */
}

static void deliver_current(http_conn *c)
{
    http_exchange *ex = c->current;
    c->current = NULL;
    if (!ex->keep_alive)
        c->no_more_requests = true;
    conn_deliver(c, ex);
}

/* Parses data, delivering each finished request; pauses reading when the pipeline is full. */
static void conn_feed(http_conn *c, const char *data, size_t len)
{
    while (len > 0 && !c->closing && !c->no_more_requests) {
        size_t n = http_parser_execute(&c->parser, &http_parse_settings, data, len);
        data += n;
        len -= n;
        enum http_errno err = HTTP_PARSER_ERRNO(&c->parser);
        if (err == HPE_PAUSED) {
            http_parser_pause(&c->parser, 0);
            deliver_current(c);
            if (!c->closing && !c->no_more_requests && !may_take_request(c)) {
                keep_leftover(c, data, len);
                pause_reading(c);
                return;
            }
        } else if (err != HPE_OK || n == 0) {
            if (!c->refusal)
                log_debug("http: bad request: %s", http_errno_description(err));
            conn_fail(c, c->refusal ? c->refusal : &refuse_malformed);
            return;
        }
    }
    if (!c->closing && !c->no_more_requests && !may_grow_current(c))
        pause_reading(c); /* mid-request: its body waits for the budget */
}

static void resume_reading(http_conn *c)
{
    if (!c->read_paused || c->closing)
        return;
    if (!may_take_request(c) || !may_grow_current(c))
        return;
    c->read_paused = false;
    kbuf pending = take_leftover(c);
    conn_feed(c, pending.data, pending.len);
    kbuf_free(&pending);
    if (!c->read_paused && c->tls)
        tls_conn_resume(c); /* what arrived encrypted meanwhile */
    if (!c->read_paused)
        start_reading(c);
}

/* Decides the protocol from the first bytes: the HTTP/2 preface, or else HTTP/1.1. Returns
 * false while the bytes so far are a beginning of the preface (they wait in leftover). */
static bool detect_protocol(http_conn *c, const char *data, size_t len)
{
    keep_leftover(c, data, len);
    size_t n = c->leftover.len < sizeof(http2_preface) ? c->leftover.len : sizeof(http2_preface);
    if (memcmp(c->leftover.data, http2_preface, n) != 0)
        c->proto = PROTO_HTTP1;
    else if (n == sizeof(http2_preface))
        c->proto = PROTO_HTTP2;
    else
        return false;
    if (c->proto == PROTO_HTTP2)
        h2_start(c);
    return true;
}

void conn_input(http_conn *c, const char *data, size_t len)
{
    if (c->proto == PROTO_UNKNOWN) {
        if (!c->tls && c->leftover.len == 0 && tls_hello_on_plain_port(c, data, len))
            return;
        if (!detect_protocol(c, data, len))
            return;
        kbuf first = take_leftover(c);
        conn_input(c, first.data, first.len);
        kbuf_free(&first);
    } else if (c->proto == PROTO_HTTP2) {
        if (!c->lingering)
            h2_input(c, data, len);
    } else {
        conn_feed(c, data, len); /* discards input after the last request */
    }
}

void conn_retry(http_conn *c)
{
    if (c->closing || c->lingering)
        return;
    if (c->proto == PROTO_HTTP2)
        h2_resume(c);
    else
        resume_reading(c);
    conn_update_timer(c);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    http_conn *c = req->handle->data;
    if (c->closing)
        return;
    if (status < 0 || c->loop->stopping) {
        conn_close(c);
        return;
    }
    int idle = idle_timeout_ms(c);
    c->lingering = true;
    uv_timer_start(&c->timer, on_timer,
                   (uint64_t)(idle < HTTP_LINGER_MAX_MS ? idle : HTTP_LINGER_MAX_MS), 0);
    start_reading(c);
}

void conn_shutdown(http_conn *c)
{
    c->shutting_down = true;
    c->no_more_requests = true;
    if (c->tls)
        tls_conn_close_notify(c);
    if (c->closing)
        return;
    if (uv_shutdown(&c->shutdown_req, (uv_stream_t *)&c->tcp, on_shutdown) < 0)
        conn_close(c);
}

/* Drops the request being parsed, if any: it will never be complete. */
static void drop_current(http_conn *c)
{
    if (!c->current)
        return;
    exchange_unlink(c->current);
    exchange_free(c->current);
    c->current = NULL;
}

/* EOF: answer what was asked before (a client may half-close), then close. */
static void on_read_end(http_conn *c, ssize_t status)
{
    drop_current(c);
    bool idle = !c->head && !c->writes_in_flight;
    bool streaming = c->head && c->head->streaming; /* a stream is for a client that listens */
    if (status != UV_EOF || c->lingering || idle || streaming || c->proto == PROTO_HTTP2) {
        conn_close(c);
        return;
    }
    c->no_more_requests = true;
    stop_reading(c);
    conn_flush(c);
}

static void on_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf)
{
    http_conn *c = stream->data;
    if (n == UV_ENOBUFS) { /* on_alloc: the budget holds the request back */
        pause_reading(c);
        return;
    }
    if (n < 0) {
        on_read_end(c, n);
        return;
    }
    if (c->tls)
        tls_conn_input(c, buf->base, (size_t)n);
    else
        conn_input(c, buf->base, (size_t)n);
    if (!c->closing)
        conn_update_timer(c);
}

static void on_handle_closed(uv_handle_t *handle)
{
    http_conn *c = handle->data;
    c->open_handles--;
    conn_maybe_free(c);
}

/* The client's address into c->peer (aws:SourceIp). */
static void read_peer(http_conn *c)
{
    struct sockaddr_storage addr;
    int len = sizeof addr;
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&addr, &len) != 0)
        return;
    if (addr.ss_family == AF_INET6)
        uv_ip6_name((const struct sockaddr_in6 *)&addr, c->peer, sizeof c->peer);
    else
        uv_ip4_name((const struct sockaddr_in *)&addr, c->peer, sizeof c->peer);
}

void conn_input_end(http_conn *c)
{
    on_read_end(c, UV_EOF);
}

void conn_accept(http_loop *loop, int kind)
{
    http_conn *c = calloc(1, sizeof(*c));
    if (!c)
        abort();
    c->loop = loop;
    uv_tcp_init(&loop->uv, &c->tcp);
    uv_timer_init(&loop->uv, &c->timer);
    c->tcp.data = c->timer.data = c;
    c->open_handles = 2;
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    c->next = loop->conns;
    if (loop->conns)
        loop->conns->prev = c;
    loop->conns = c;
    loop->conn_count++;
    http_count_connection(+1);
    if (uv_accept((uv_stream_t *)&loop->listeners[kind], (uv_stream_t *)&c->tcp) < 0 ||
        (kind == LISTEN_TLS && !tls_conn_start(c, loop->srv->cfg.tls))) {
        conn_close(c);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    read_peer(c);
    start_reading(c);
    conn_update_timer(c);
}

void conn_close(http_conn *c)
{
    if (c->closing)
        return;
    c->closing = true;
    c->current = NULL;
    for (http_exchange *ex = c->head, *next; ex; ex = next) {
        next = ex->next;
        if (!ex->delivered || ex->answered) { /* exchanges the application holds stay */
            exchange_unlink(ex);
            exchange_free(ex);
        }
    }
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
    uv_close((uv_handle_t *)&c->timer, on_handle_closed);
}

void conn_stop(http_conn *c)
{
    if (c->closing || c->shutting_down) {
        if (c->lingering)
            conn_close(c);
        return;
    }
    if (c->proto == PROTO_HTTP2) {
        h2_stop(c);
        return;
    }
    drop_current(c);
    c->no_more_requests = true;
    if (!c->head && !c->writes_in_flight) {
        conn_close(c);
        return;
    }
    stop_reading(c);
    conn_flush(c);
}

/* One write in flight: its bytes stay until libuv is done with them. */
typedef struct conn_write_req {
    uv_write_t req;
    http_conn *conn;
    kbuf bytes;
} conn_write_req;

/* Frees a finished write; returns its connection. */
static http_conn *conn_write_done(uv_write_t *req)
{
    conn_write_req *w = req->data;
    http_conn *c = w->conn;
    budget_set(c, &c->writes_charged, c->writes_charged - w->bytes.cap);
    kbuf_free(&w->bytes);
    free(w);
    c->writes_in_flight--;
    return c;
}

static void on_written(uv_write_t *req, int status)
{
    http_conn *c = conn_write_done(req);
    if (status < 0)
        conn_close(c);
    else
        conn_retry(c);
    conn_maybe_free(c);
}

bool conn_write(http_conn *c, kbuf *bytes)
{
    if (c->tls && !tls_conn_seal(c, bytes)) {
        kbuf_free(bytes);
        conn_close(c);
        return false;
    }
    return conn_send(c, bytes);
}

bool conn_send(http_conn *c, kbuf *bytes)
{
    conn_write_req *w = calloc(1, sizeof(*w));
    if (!w)
        abort();
    w->conn = c;
    w->req.data = w;
    w->bytes = *bytes;
    kbuf_init(bytes);
    c->writes_in_flight++;
    budget_set(c, &c->writes_charged, c->writes_charged + w->bytes.cap);
    uv_buf_t buf = uv_buf_init(w->bytes.data, (unsigned int)w->bytes.len);
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, on_written) < 0) {
        conn_write_done(&w->req);
        conn_close(c);
        return false;
    }
    return true;
}

void conn_maybe_free(http_conn *c)
{
    if (!c->closing || c->open_handles > 0 || c->head || c->writes_in_flight > 0)
        return;
    http_loop *loop = c->loop;
    if (c->prev)
        c->prev->next = c->next;
    else
        loop->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    kbuf_free(&c->leftover);
    budget_set(c, &c->leftover_charged, 0);
    tls_conn_free(c);
    if (c->h2)
        nghttp2_session_del(c->h2);
    free(c);
    loop->conn_count--;
    http_count_connection(-1);
    loop_conn_gone(loop);
}
