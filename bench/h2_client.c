/* h2_client.c - h2c client connection on libuv and nghttp2 (see h2_client.h). */
#include "h2_client.h"

#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_client.h"

#define H2_WINDOW 0x7fffffff /* the client's receive windows: the largest HTTP/2 allows */
#define H2_MAX_HEADERS 16    /* caller's headers per request */
#define H2_READ_BYTES (64 * 1024)

/* One request on its stream, from h2_post to its answer; then kept in `spare` for reuse. */
struct h2_request {
    const char *body; /* the request body (the caller's) */
    size_t body_len;
    size_t body_sent;           /* bytes of body handed to nghttp2 so far */
    int status;                 /* the answer's :status, 0 until its headers came */
    kbuf answer;                /* the answer's body so far */
    h2_response_fn on_response; /* gets the answer */
    void *user;                 /* for on_response */
    h2_request *next;           /* in the connection's in_flight or spare list */
};

static h2_request *take_request(h2_conn *c)
{
    h2_request *r = c->spare;
    if (r) {
        c->spare = r->next;
    } else {
        r = calloc(1, sizeof(*r));
        if (!r)
            abort();
    }
    kbuf_reset(&r->answer);
    r->status = 0;
    r->body_sent = 0;
    return r;
}

static void unlink_request(h2_conn *c, h2_request *r)
{
    h2_request **p = &c->in_flight;
    while (*p != r)
        p = &(*p)->next;
    *p = r->next;
}

/* Hands r's answer (or the failure) to its caller; r goes back to the spares. */
static void answer(h2_conn *c, h2_request *r, int status)
{
    unlink_request(c, r);
    r->on_response(r->user, status, status > 0 ? r->answer.data : NULL,
                   status > 0 ? r->answer.len : 0);
    r->next = c->spare;
    c->spare = r;
}

/* The transport failed: every request in flight gets `error`. */
static void fail(h2_conn *c, int error)
{
    if (c->broken) /* already failed, or closed by its owner */
        return;
    c->broken = true;
    uv_read_stop((uv_stream_t *)&c->tcp);
    while (c->in_flight)
        answer(c, c->in_flight, error);
}

static void on_written(uv_write_t *req, int status);

/* Writes what nghttp2 has to send, unless a write is in flight (then its callback does) or
 * nghttp2 is reading (then on_read does once it is done). */
static void flush(h2_conn *c)
{
    if (c->writing || c->receiving || c->broken)
        return;
    kbuf_reset(&c->out);
    const uint8_t *data;
    ssize_t n;
    while ((n = nghttp2_session_mem_send(c->session, &data)) > 0)
        kbuf_append(&c->out, data, (size_t)n);
    if (n < 0) {
        fail(c, UV_EPROTO);
        return;
    }
    if (c->out.len == 0)
        return;
    c->writing = true;
    uv_buf_t buf = uv_buf_init(c->out.data, (unsigned)c->out.len);
    int rc = uv_write(&c->write_req, (uv_stream_t *)&c->tcp, &buf, 1, on_written);
    if (rc < 0) {
        c->writing = false;
        fail(c, rc);
    }
}

static void on_written(uv_write_t *req, int status)
{
    h2_conn *c = req->data;
    c->writing = false;
    if (status < 0)
        fail(c, status);
    else
        flush(c);
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    h2_conn *c = handle->data;
    (void)suggested;
    kbuf_reserve(&c->in, H2_READ_BYTES);
    buf->base = c->in.data;
    buf->len = H2_READ_BYTES;
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    h2_conn *c = stream->data;
    if (nread < 0) {
        fail(c, (int)nread);
        return;
    }
    c->receiving = true;
    ssize_t used = nghttp2_session_mem_recv(c->session, (const uint8_t *)buf->base, (size_t)nread);
    c->receiving = false;
    if (used < 0)
        fail(c, UV_EPROTO);
    else
        flush(c);
}

/* ---- nghttp2's callbacks ----------------------------------------------------------------- */

static int on_header(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name,
                     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
                     void *user_data)
{
    (void)valuelen;
    (void)flags;
    (void)user_data;
    h2_request *r = nghttp2_session_get_stream_user_data(session, frame->hd.stream_id);
    if (r && frame->hd.type == NGHTTP2_HEADERS && namelen == 7 && memcmp(name, ":status", 7) == 0)
        r->status = atoi((const char *)value);
    return 0;
}

static int on_data_chunk(nghttp2_session *session, uint8_t flags, int32_t stream_id,
                         const uint8_t *data, size_t len, void *user_data)
{
    (void)flags;
    (void)user_data;
    h2_request *r = nghttp2_session_get_stream_user_data(session, stream_id);
    if (r)
        kbuf_append(&r->answer, data, len);
    return 0;
}

static int on_stream_close(nghttp2_session *session, int32_t stream_id, uint32_t error_code,
                           void *user_data)
{
    h2_conn *c = user_data;
    h2_request *r = nghttp2_session_get_stream_user_data(session, stream_id);
    if (r && !c->broken)
        answer(c, r, error_code == NGHTTP2_NO_ERROR && r->status > 0 ? r->status : UV_ECONNRESET);
    return 0;
}

static ssize_t read_body(nghttp2_session *session, int32_t stream_id, uint8_t *buf, size_t length,
                         uint32_t *data_flags, nghttp2_data_source *source, void *user_data)
{
    (void)session;
    (void)stream_id;
    (void)user_data;
    h2_request *r = source->ptr;
    size_t n = r->body_len - r->body_sent;
    if (n > length)
        n = length;
    memcpy(buf, r->body + r->body_sent, n);
    r->body_sent += n;
    if (r->body_sent == r->body_len)
        *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

static nghttp2_session_callbacks *callbacks;

static void make_callbacks(void)
{
    if (nghttp2_session_callbacks_new(&callbacks) != 0)
        abort();
    nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data_chunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_stream_close);
}

/* ---- the connection ---------------------------------------------------------------------- */

int h2_connect(h2_conn *c, uv_loop_t *loop, const struct sockaddr *addr, const char *authority)
{
    static uv_once_t once = UV_ONCE_INIT;
    uv_once(&once, make_callbacks);
    memset(c, 0, sizeof(*c));
    snprintf(c->authority, sizeof(c->authority), "%s", authority);
    if (nghttp2_session_client_new(&c->session, callbacks, c) != 0)
        abort();
    int rc = hc_tcp_connect(&c->tcp, loop, addr);
    c->tcp.data = c;
    c->write_req.data = c;
    if (rc < 0) {
        c->broken = true;
        return rc;
    }
    nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, H2_WINDOW},
    };
    nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, settings, 2);
    nghttp2_session_set_local_window_size(c->session, NGHTTP2_FLAG_NONE, 0, H2_WINDOW);
    rc = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    if (rc < 0) {
        c->broken = true;
        return rc;
    }
    flush(c);
    return 0;
}

static nghttp2_nv header_nv(const char *name, const char *value)
{
    return (nghttp2_nv){(uint8_t *)name, (uint8_t *)value, strlen(name), strlen(value),
                        NGHTTP2_NV_FLAG_NONE};
}

void h2_post(h2_conn *c, const char *path, const h2_header *headers, size_t header_count,
             const char *body, size_t body_len, h2_response_fn on_response, void *user)
{
    if (header_count > H2_MAX_HEADERS)
        abort();
    if (c->broken) {
        on_response(user, UV_ENOTCONN, NULL, 0);
        return;
    }
    char length[24];
    snprintf(length, sizeof(length), "%zu", body_len);
    nghttp2_nv nv[H2_MAX_HEADERS + 5];
    size_t n = 0;
    nv[n++] = header_nv(":method", "POST");
    nv[n++] = header_nv(":scheme", "http");
    nv[n++] = header_nv(":authority", c->authority);
    nv[n++] = header_nv(":path", path);
    for (size_t i = 0; i < header_count; i++)
        nv[n++] = header_nv(headers[i].name, headers[i].value);
    nv[n++] = header_nv("content-length", length);

    h2_request *r = take_request(c);
    r->body = body;
    r->body_len = body_len;
    r->on_response = on_response;
    r->user = user;
    nghttp2_data_provider provider = {.source.ptr = r, .read_callback = read_body};
    if (nghttp2_submit_request(c->session, NULL, nv, n, &provider, r) < 0) {
        r->next = c->spare;
        c->spare = r;
        on_response(user, UV_EPROTO, NULL, 0);
        return;
    }
    r->next = c->in_flight;
    c->in_flight = r;
    flush(c);
}

static void free_requests(h2_request *r)
{
    while (r) {
        h2_request *next = r->next;
        kbuf_free(&r->answer);
        free(r);
        r = next;
    }
}

static void on_closed(uv_handle_t *handle)
{
    h2_conn *c = handle->data;
    nghttp2_session_del(c->session);
    free_requests(c->in_flight);
    free_requests(c->spare);
    kbuf_free(&c->out);
    kbuf_free(&c->in);
}

void h2_close(h2_conn *c)
{
    c->broken = true; /* nothing more is answered */
    if (!uv_is_closing((uv_handle_t *)&c->tcp))
        uv_close((uv_handle_t *)&c->tcp, on_closed);
}
