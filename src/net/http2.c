/* http2.c - HTTP/2 over cleartext with prior knowledge (h2c), on the same port as HTTP/1.1.
 *
 * A connection that opens with the HTTP/2 preface gets an nghttp2 server session. Each request
 * stream becomes an exchange in the connection's list (in no particular order: streams are
 * independent); when its END_STREAM arrives it is handed to the same handler as HTTP/1 requests,
 * after nghttp2_session_mem_recv returns (nghttp2 must not be re-entered from its callbacks).
 * http_respond submits the response; a streaming response (http_stream.c) has a data provider
 * that defers until more body comes. The bytes nghttp2 produces are written in batches, and no
 * more are produced while a batch is still waiting for the socket (back-pressure). A stream the
 * client resets while the application works on it stays until the application answers.
 * A request answered before it fully arrived (413, 431, 503) is then reset with NO_ERROR.
 *
 * Memory (see http_budget.c): flow control is manual. Received body bytes are given back to the
 * client (nghttp2_session_consume: WINDOW_UPDATE) only once they are counted and the budget
 * lets the body grow, so a connection holds at most H2_CONN_WINDOW bytes more than the budget
 * allows; complete requests are delivered only while the connection may take one more, so nothing
 * more is produced for a client that does not read (or keeps its receive window shut). A stream
 * not complete within idle_timeout_ms of its first byte is reset (CANCEL).
 * Stop sends GOAWAY; open streams finish, then the connection closes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "http_internal.h"

#define H2_MAX_STREAMS 128
#define H2_STREAM_WINDOW (256 << 10) /* receive window of each stream */
#define H2_CONN_WINDOW (1 << 20)     /* receive window of the connection */
#define H2_WRITE_BATCH 65536
#define H2_WRITE_QUEUE_MAX (1u << 20)
#define H2_MAX_HEADERS 32

const char http2_preface[24] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

static http_exchange *stream_exchange(nghttp2_session *session, int32_t stream_id)
{
    return nghttp2_session_get_stream_user_data(session, stream_id);
}

static int on_begin_headers(nghttp2_session *session, const nghttp2_frame *frame, void *user)
{
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0;
    http_exchange *ex = exchange_new(user);
    ex->stream_id = frame->hd.stream_id;
    ex->method_off = ex->url_off = UINT32_MAX;
    ex->declared = HTTP_UNKNOWN_LENGTH;
    nghttp2_session_set_stream_user_data(session, ex->stream_id, ex);
    return 0;
}

/* Pseudo-headers give method and url (":authority" becomes "host"); trailers are ignored. */
static int on_header(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name,
                     size_t name_len, const uint8_t *value, size_t value_len, uint8_t flags,
                     void *user)
{
    (void)flags;
    (void)user;
    http_exchange *ex = stream_exchange(session, frame->hd.stream_id);
    if (!ex || ex->headers || ex->answered)
        return 0;
    if (exchange_head_over_limit(ex, name_len + value_len + 2)) {
        respond_error(ex, &refuse_head_too_large);
        return 0;
    }
    const char *n = (const char *)name, *v = (const char *)value;
    if (strcmp(n, ":method") == 0)
        ex->method_off = exchange_add_string(ex, v, value_len);
    else if (strcmp(n, ":path") == 0)
        ex->url_off = exchange_add_string(ex, v, value_len);
    else if (strcmp(n, ":authority") == 0)
        exchange_add_header(ex, "host", 4, v, value_len);
    else if (n[0] != ':')
        exchange_add_header(ex, n, name_len, v, value_len);
    if (strcmp(n, "content-length") == 0) /* nghttp2 checked it is a number */
        ex->declared = strtoull(v, NULL, 10);
    exchange_recharge(ex);
    return 0;
}

/* Gives the received bytes of ex's body back to flow control if the budget lets it grow. */
static void give_back(http_conn *c, http_exchange *ex)
{
    if (ex->unconsumed == 0)
        return;
    if (!ex->complete && !budget_body_may_grow(c, ex)) {
        budget_wait(c);
        return;
    }
    nghttp2_session_consume(c->h2, ex->stream_id, ex->unconsumed);
    ex->unconsumed = 0;
}

static int on_data_chunk(nghttp2_session *session, uint8_t flags, int32_t stream_id,
                         const uint8_t *data, size_t len, void *user)
{
    (void)flags;
    http_exchange *ex = stream_exchange(session, stream_id);
    if (ex && !ex->answered && exchange_body_over_limit(ex, len))
        respond_error(ex, &refuse_too_large);
    if (!ex || ex->answered) { /* discarded: its window goes back at once, with what it held */
        size_t held = ex ? ex->unconsumed : 0;
        if (ex)
            ex->unconsumed = 0;
        nghttp2_session_consume(session, stream_id, len + held);
        return 0;
    }
    exchange_add_body(ex, data, len);
    ex->unconsumed += len;
    give_back(user, ex);
    return 0;
}

/* The head is complete: the request is well formed and the budget admits its body, or it is
 * answered now. */
static void finish_head(http_exchange *ex, bool end_stream)
{
    exchange_index_headers(ex);
    if (end_stream)
        ex->declared = 0;
    if (ex->method_off == UINT32_MAX || ex->url_off == UINT32_MAX) {
        respond_error(ex, &refuse_malformed);
        return;
    }
    if (ex->declared != HTTP_UNKNOWN_LENGTH && exchange_body_over_limit(ex, ex->declared)) {
        respond_error(ex, &refuse_too_large);
        return;
    }
    if (!budget_admit(ex)) {
        respond_error(ex, &refuse_busy);
        return;
    }
    ex->req.method = ex->head.data + ex->method_off;
    ex->head_only = strcmp(ex->req.method, "HEAD") == 0;
    ex->req.url = ex->head.data + ex->url_off;
}

static int on_frame_recv(nghttp2_session *session, const nghttp2_frame *frame, void *user)
{
    if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA)
        return 0;
    http_exchange *ex = stream_exchange(session, frame->hd.stream_id);
    if (!ex)
        return 0;
    bool end_stream = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    if (frame->hd.type == NGHTTP2_HEADERS && !ex->headers && !ex->answered)
        finish_head(ex, end_stream);
    if (end_stream) {
        if (!ex->answered)
            exchange_finish_body(ex);
        ex->complete = true;
        give_back(user, ex); /* the whole body is counted and will be handed over */
    }
    return 0;
}

/* Once the answer to a request still being sent (a 413) is out, the rest is not wanted:
 * RST_STREAM(NO_ERROR) tells the client to stop sending (RFC 9113, 8.1). */
static int on_frame_send(nghttp2_session *session, const nghttp2_frame *frame, void *user)
{
    (void)user;
    if (!(frame->hd.flags & NGHTTP2_FLAG_END_STREAM) ||
        (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA))
        return 0;
    http_exchange *ex = stream_exchange(session, frame->hd.stream_id);
    if (ex && ex->answered && !ex->complete)
        nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, ex->stream_id, NGHTTP2_NO_ERROR);
    return 0;
}

static int on_stream_close(nghttp2_session *session, int32_t stream_id, uint32_t error_code,
                           void *user)
{
    (void)error_code;
    http_conn *c = user;
    http_exchange *ex = stream_exchange(session, stream_id);
    if (!ex || c->closing)
        return 0;
    if (ex->unconsumed > 0) /* its bytes no longer hold the connection's window */
        nghttp2_session_consume_connection(session, ex->unconsumed);
    ex->unconsumed = 0;
    if (ex->delivered && !ex->answered) {
        ex->stream_gone = true; /* freed when the application answers */
        return 0;
    }
    exchange_unlink(ex);
    exchange_free(ex);
    return 0;
}

static nghttp2_session_callbacks *callbacks;
static nghttp2_option *options;

static void make_callbacks(void)
{
    nghttp2_option_new(&options);
    nghttp2_option_set_no_auto_window_update(options, 1);
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data_chunk);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, on_frame_recv);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_stream_close);
    nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, on_frame_send);
}

void h2_start(http_conn *c)
{
    static uv_once_t once = UV_ONCE_INIT;
    uv_once(&once, make_callbacks);
    if (nghttp2_session_server_new2(&c->h2, callbacks, c, options) != 0)
        abort();
    nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, H2_MAX_STREAMS},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, H2_STREAM_WINDOW},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, HTTP_HEAD_MAX},
    };
    nghttp2_submit_settings(c->h2, NGHTTP2_FLAG_NONE, settings, 3);
    nghttp2_session_set_local_window_size(c->h2, NGHTTP2_FLAG_NONE, 0, H2_CONN_WINDOW);
}

size_t h2_incoming(const http_conn *c)
{
    size_t bytes = 0;
    for (const http_exchange *ex = c->head; ex; ex = ex->next)
        if (!ex->complete)
            bytes += ex->charged;
    return bytes;
}

/* Hands complete, undelivered requests to the application while the connection may take one
 * more. Restarts the walk after each one: an answer given at once may free exchanges. */
static void deliver_complete(http_conn *c)
{
    if (c->delivering)
        return; /* an answer given during a delivery: the walk goes on */
    c->delivering = true;
    for (;;) {
        http_exchange *ex = c->head;
        while (ex && !(ex->complete && !ex->delivered))
            ex = ex->next;
        if (!ex || c->closing)
            break;
        size_t held = c->buffered - h2_incoming(c) - c->tls_charged - ex->charged;
        if (!budget_may_take_request(c, held)) {
            budget_wait(c);
            break;
        }
        conn_deliver(c, ex);
    }
    c->delivering = false;
}

void h2_resume(http_conn *c)
{
    if (c->h2_busy || c->closing)
        return;
    for (http_exchange *ex = c->head; ex; ex = ex->next)
        give_back(c, ex);
    deliver_complete(c);
    h2_flush(c);
}

void h2_expire(http_conn *c)
{
    uint64_t now = uv_now(&c->loop->uv), idle = (uint64_t)c->loop->srv->cfg.idle_timeout_ms;
    for (http_exchange *ex = c->head; ex; ex = ex->next) {
        if (ex->complete || ex->expired || ex->started + idle > now)
            continue;
        ex->expired = true;
        nghttp2_submit_rst_stream(c->h2, NGHTTP2_FLAG_NONE, ex->stream_id, NGHTTP2_CANCEL);
    }
    h2_flush(c);
}

void h2_input(http_conn *c, const char *data, size_t len)
{
    c->h2_busy = true;
    ssize_t rc = nghttp2_session_mem_recv(c->h2, (const uint8_t *)data, len);
    c->h2_busy = false;
    if (rc < 0) {
        log_debug("http2: %s", nghttp2_strerror((int)rc));
        conn_close(c);
        return;
    }
    deliver_complete(c); /* after a GOAWAY too: it let earlier streams finish */
    h2_flush(c);
}

/* Takes up to a batch of nghttp2's pending output; -1 on a session error. */
static int take_output(http_conn *c, kbuf *out)
{
    while (out->len < H2_WRITE_BATCH) {
        const uint8_t *bytes;
        ssize_t n = nghttp2_session_mem_send(c->h2, &bytes);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        kbuf_append(out, bytes, (size_t)n);
    }
    return 0;
}

void h2_flush(http_conn *c)
{
    if (c->h2_busy || c->closing || c->shutting_down)
        return;
    while (uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) < H2_WRITE_QUEUE_MAX) {
        kbuf bytes = KBUF_INIT;
        int rc = take_output(c, &bytes);
        if (rc < 0 || bytes.len == 0) {
            kbuf_free(&bytes);
            if (rc == 0)
                break;
            conn_close(c);
            return;
        }
        if (!conn_write(c, &bytes))
            return;
    }
    if (!nghttp2_session_want_read(c->h2) && !nghttp2_session_want_write(c->h2))
        conn_shutdown(c);
}

/* The data provider of every response: the body in ex->response, sent as far as body_sent. A
 * streaming response with nothing new defers until h2_respond_more; its buffer restarts empty. */
static ssize_t read_body(nghttp2_session *session, int32_t stream_id, uint8_t *buf, size_t len,
                         uint32_t *flags, nghttp2_data_source *source, void *user)
{
    (void)session;
    (void)stream_id;
    (void)user;
    http_exchange *ex = source->ptr;
    size_t left = ex->response.len - ex->body_sent;
    if (left == 0 && !ex->answered) {
        kbuf_reset(&ex->response);
        ex->body_sent = 0;
        return NGHTTP2_ERR_DEFERRED;
    }
    size_t n = left < len ? left : len;
    if (n) /* a HEAD's answer has no body: its buffer may be unallocated */
        memcpy(buf, ex->response.data + ex->body_sent, n);
    ex->body_sent += n;
    if (ex->body_sent == ex->response.len && ex->answered)
        *flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

static nghttp2_nv make_nv(const char *name, size_t name_len, const char *value, size_t value_len)
{
    nghttp2_nv nv = {(uint8_t *)name, (uint8_t *)value, name_len, value_len, NGHTTP2_NV_FLAG_NONE};
    return nv;
}

/* The application's "Name: value" headers as lower-case HTTP/2 fields; names holds the
 * lower-cased names (reserved once, so that the pointers into it stay valid). */
static size_t add_app_headers(nghttp2_nv *nva, size_t max, kbuf *names, const char *const *headers)
{
    size_t total = 0, n = 0;
    for (size_t i = 0; headers && headers[i]; i++)
        total += strlen(headers[i]);
    kbuf_reserve(names, total);
    for (size_t i = 0; headers && headers[i] && n < max; i++) {
        const char *colon = strchr(headers[i], ':');
        if (!colon)
            continue;
        size_t name_len = (size_t)(colon - headers[i]);
        const char *value = colon + 1;
        while (*value == ' ')
            value++;
        char *name = names->data + names->len;
        for (size_t k = 0; k < name_len; k++) {
            char ch = headers[i][k];
            kbuf_putc(names, ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch);
        }
        nva[n++] = make_nv(name, name_len, value, strlen(value));
    }
    return n;
}

/* Submits status and headers (content-length when `length` is not NULL) with the body's data
 * provider. The request is dropped: the application's body has been copied by now. */
static void submit_response(http_exchange *ex, int status, const char *const *headers,
                            const char *length)
{
    http_conn *c = ex->conn;
    char status_text[8], date[48];
    snprintf(status_text, sizeof(status_text), "%d", status);
    loop_date_line(c->loop, date);
    kbuf names = KBUF_INIT;
    nghttp2_nv nva[H2_MAX_HEADERS + 3];
    size_t n = 0;
    nva[n++] = make_nv(":status", 7, status_text, strlen(status_text));
    if (length)
        nva[n++] = make_nv("content-length", 14, length, strlen(length));
    nva[n++] = make_nv("date", 4, date + 6, strlen(date + 6)); /* after "Date: " */
    n += add_app_headers(nva + n, H2_MAX_HEADERS, &names, headers);
    exchange_drop_request(ex);
    nghttp2_data_provider data = {.source.ptr = ex, .read_callback = read_body};
    int rc = nghttp2_submit_response(c->h2, ex->stream_id, nva, n, &data);
    kbuf_free(&names);
    if (rc != 0)
        log_debug("http2: cannot answer stream %d: %s", ex->stream_id, nghttp2_strerror(rc));
    conn_retry(c); /* flushes */
}

void h2_respond(http_exchange *ex, int status, const char *const *headers, const char *body,
                size_t body_len)
{
    char length[24];
    snprintf(length, sizeof(length), "%zu", body_len);
    if (!ex->head_only) /* before the request (the body's source) goes */
        kbuf_append(&ex->response, body, body_len);
    ex->answered = true;
    submit_response(ex, status, headers, length);
}

void h2_respond_start(http_exchange *ex, int status, const char *const *headers)
{
    submit_response(ex, status, headers, NULL);
}

void h2_respond_more(http_exchange *ex)
{
    nghttp2_session_resume_data(ex->conn->h2, ex->stream_id);
    h2_flush(ex->conn);
}

void h2_stop(http_conn *c)
{
    c->no_more_requests = true;
    nghttp2_submit_goaway(c->h2, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(c->h2),
                          NGHTTP2_NO_ERROR, NULL, 0);
    h2_flush(c);
}
