/* http_client.c - keep-alive HTTP/1.1 client connection on libuv (see http_client.h). */
#include "http_client.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void finish(hc_conn *c, int status, const char *body, size_t body_len)
{
    c->busy = false;
    c->status = status;
    c->on_response(c, status, body, body_len);
}

static void fail(hc_conn *c, int error)
{
    c->broken = true;
    uv_read_stop((uv_stream_t *)&c->tcp);
    if (c->busy)
        finish(c, error, NULL, 0);
}

/* Returns the value of header `name` in the response head, or NULL. */
static const char *head_value(const hc_conn *c, const char *name)
{
    size_t n = strlen(name);
    const char *p = strstr(c->in.data, "\r\n");
    const char *end = c->in.data + c->header_len;
    while (p && p + 2 + n < end) {
        p += 2;
        if (strncasecmp(p, name, n) == 0 && p[n] == ':')
            return p + n + 1;
        p = strstr(p, "\r\n");
    }
    return NULL;
}

/* Parses the status line and Content-Length once the head is complete. */
static int parse_head(hc_conn *c)
{
    const char *blank = strstr(c->in.data, "\r\n\r\n");
    if (!blank)
        return 0;
    c->header_len = (size_t)(blank - c->in.data) + 4;
    if (strncmp(c->in.data, "HTTP/1.", 7) != 0)
        return UV_EPROTO;
    c->status = atoi(c->in.data + 9);
    const char *length = head_value(c, "content-length");
    if (!length)
        return UV_EPROTO;
    c->content_length = strtoul(length, NULL, 10);
    return 0;
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    hc_conn *c = handle->data;
    (void)suggested;
    kbuf_reserve(&c->in, 64 * 1024);
    buf->base = c->in.data + c->in.len;
    buf->len = c->in.cap - c->in.len - 1;
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    hc_conn *c = stream->data;
    (void)buf;
    if (nread < 0) {
        fail(c, (int)nread);
        return;
    }
    c->in.len += (size_t)nread;
    c->in.data[c->in.len] = '\0';
    if (!c->busy) {
        if (nread > 0)
            fail(c, UV_EPROTO);
        return;
    }
    if (c->header_len == 0) {
        int rc = parse_head(c);
        if (rc < 0) {
            fail(c, rc);
            return;
        }
        if (c->header_len == 0)
            return;
    }
    size_t total = c->header_len + c->content_length;
    if (c->in.len < total)
        return;
    if (c->in.len > total) {
        fail(c, UV_EPROTO);
        return;
    }
    finish(c, c->status, hc_body(c), hc_body_len(c));
}

/* The connect request's data: 1 while connecting, then 0 or a libuv error. */
static void on_connect(uv_connect_t *req, int status)
{
    *(int *)req->data = status;
}

int hc_tcp_connect(uv_tcp_t *tcp, uv_loop_t *loop, const struct sockaddr *addr)
{
    uv_tcp_init(loop, tcp);
    int status = 1;
    uv_connect_t req = {.data = &status};
    int rc = uv_tcp_connect(&req, tcp, addr, on_connect);
    if (rc < 0)
        return rc;
    while (status == 1)
        uv_run(loop, UV_RUN_ONCE);
    if (status == 0)
        uv_tcp_nodelay(tcp, 1);
    return status;
}

int hc_connect(hc_conn *c, uv_loop_t *loop, const struct sockaddr *addr)
{
    memset(c, 0, sizeof(*c));
    kbuf_init(&c->out);
    kbuf_init(&c->in);
    int rc = hc_tcp_connect(&c->tcp, loop, addr);
    c->tcp.data = c;
    if (rc < 0) {
        c->broken = true;
        return rc;
    }
    return uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

static void on_written(uv_write_t *req, int status)
{
    hc_conn *c = req->data;
    if (status < 0)
        fail(c, status);
}

void hc_send(hc_conn *c, hc_response_fn on_response)
{
    c->on_response = on_response;
    c->busy = true;
    if (c->broken) {
        finish(c, UV_ENOTCONN, NULL, 0);
        return;
    }
    kbuf_reset(&c->in);
    c->header_len = 0;
    c->content_length = 0;
    c->write_req.data = c;
    uv_buf_t buf = uv_buf_init(c->out.data, (unsigned)c->out.len);
    int rc = uv_write(&c->write_req, (uv_stream_t *)&c->tcp, &buf, 1, on_written);
    if (rc < 0)
        fail(c, rc);
}

/* hc_roundtrip waits for `busy` to drop; the answer stays in the connection. */
static void on_roundtrip(hc_conn *c, int status, const char *body, size_t body_len)
{
    (void)c;
    (void)status;
    (void)body;
    (void)body_len;
}

int hc_roundtrip(hc_conn *c)
{
    hc_send(c, on_roundtrip);
    while (c->busy)
        uv_run(c->tcp.loop, UV_RUN_ONCE);
    return c->status;
}

const char *hc_body(const hc_conn *c)
{
    return c->in.data ? c->in.data + c->header_len : "";
}

size_t hc_body_len(const hc_conn *c)
{
    return c->header_len ? c->in.len - c->header_len : 0;
}

static void on_closed(uv_handle_t *handle)
{
    hc_conn *c = handle->data;
    kbuf_free(&c->out);
    kbuf_free(&c->in);
}

void hc_close(hc_conn *c)
{
    if (!uv_is_closing((uv_handle_t *)&c->tcp))
        uv_close((uv_handle_t *)&c->tcp, on_closed);
}
