/* http_stream.c - streaming responses (see http.h): a head now, body chunks over time, an end.
 *
 * HTTP/1.1 frames the body with chunked transfer-encoding in the exchange's response buffer;
 * conn_flush writes it while the exchange is first in line (otherwise it waits there, in request
 * order). HTTP/2 keeps the unsent body in the same buffer for the stream's data provider
 * (http2.c). Until http_respond_finish the exchange belongs to the application, even after the
 * connection closed: it is freed then. */
#include <stdio.h>
#include <string.h>

#include "http_internal.h"

bool http_respond_open(const http_exchange *ex)
{
    const http_conn *c = ex->conn;
    return !c->closing && !c->shutting_down && !ex->stream_gone && !c->loop->stopping;
}

void http_respond_start(http_exchange *ex, int status, const char *const *headers)
{
    ex->streaming = true;
    if (ex->conn->closing || ex->stream_gone)
        return; /* the application learns it at its first chunk */
    if (ex->stream_id) {
        h2_respond_start(ex, status, headers);
        return;
    }
    format_head(ex, status, headers, "Transfer-Encoding: chunked");
    exchange_drop_request(ex);
    conn_flush(ex->conn);
    conn_retry(ex->conn);
}

/* HTTP/2 keeps the unsent rest of a streaming body in ex->response: once what nghttp2 took is at
 * least half of it, it is dropped, so that the buffer stays about as large as the backlog. */
static void drop_sent(http_exchange *ex)
{
    kbuf *b = &ex->response;
    if (ex->body_sent == 0 || ex->body_sent < b->len / 2)
        return;
    memmove(b->data, b->data + ex->body_sent, b->len - ex->body_sent);
    b->len -= ex->body_sent;
    b->data[b->len] = '\0';
    ex->body_sent = 0;
}

bool http_respond_chunk(http_exchange *ex, const void *data, size_t len)
{
    if (!http_respond_open(ex))
        return false;
    if (len == 0 || ex->head_only) /* an empty chunk would end an HTTP/1.1 body */
        return true;
    if (ex->stream_id) {
        drop_sent(ex);
        kbuf_append(&ex->response, data, len);
        exchange_recharge(ex);
        h2_respond_more(ex);
        return true;
    }
    kbuf_printf(&ex->response, "%zx\r\n", len);
    kbuf_append(&ex->response, data, len);
    kbuf_puts(&ex->response, "\r\n");
    exchange_recharge(ex);
    conn_flush(ex->conn);
    return true;
}

void http_respond_finish(http_exchange *ex)
{
    http_conn *c = ex->conn;
    ex->streaming = false;
    ex->answered = true;
    if (c->closing || ex->stream_gone) {
        exchange_unlink(ex);
        exchange_free(ex);
        conn_maybe_free(c);
        return;
    }
    if (ex->stream_id) {
        h2_respond_more(ex);
        conn_retry(c);
        return;
    }
    if (!ex->head_only)
        kbuf_puts(&ex->response, "0\r\n\r\n");
    exchange_recharge(ex);
    conn_flush(c);
    conn_retry(c);
}

size_t http_respond_backlog(const http_exchange *ex)
{
    size_t pending = ex->response.len - ex->body_sent;
    const http_conn *c = ex->conn;
    if (!c->closing)
        pending += uv_stream_get_write_queue_size((const uv_stream_t *)&c->tcp);
    return pending;
}
