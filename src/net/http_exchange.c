/* http_exchange.c - an exchange's life (queue membership, memory) and its request's storage.
 *
 * Both protocols collect a request into the exchange's `head` buffer: url, method, header names
 * and values, each NUL-terminated, with each header's name and value offsets kept in
 * `header_offs` until the head is complete and the header array can point into it. Every change
 * to an exchange's buffers is followed by exchange_recharge, which counts them in the budget. */
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"

http_exchange *exchange_new(http_conn *c)
{
    http_exchange *ex = calloc(1, sizeof(*ex));
    if (!ex)
        abort();
    ex->conn = c;
    ex->keep_alive = true;
    ex->req.peer = c->peer;
    ex->req.secure = c->tls != NULL;
    ex->started = uv_now(&c->loop->uv);
    ex->prev = c->tail;
    if (c->tail)
        c->tail->next = ex;
    else
        c->head = ex;
    c->tail = ex;
    c->queued++;
    return ex;
}

void exchange_unlink(http_exchange *ex)
{
    http_conn *c = ex->conn;
    if (ex->prev)
        ex->prev->next = ex->next;
    else
        c->head = ex->next;
    if (ex->next)
        ex->next->prev = ex->prev;
    else
        c->tail = ex->prev;
    ex->prev = ex->next = NULL;
    c->queued--;
}

void exchange_recharge(http_exchange *ex)
{
    size_t body = ex->body.cap > ex->claim ? ex->body.cap : ex->claim;
    size_t bytes = ex->head.cap + ex->header_offs.cap + body + ex->response.cap;
    if (ex->headers)
        bytes += (ex->req.header_count + 1) * sizeof(http_header);
    budget_set(ex->conn, &ex->charged, bytes);
}

void exchange_drop_request(http_exchange *ex)
{
    kbuf_free(&ex->head);
    kbuf_free(&ex->header_offs);
    kbuf_free(&ex->body);
    free(ex->headers);
    ex->headers = NULL;
    memset(&ex->req, 0, sizeof(ex->req));
    ex->claim = 0;
    exchange_recharge(ex);
}

void exchange_free(http_exchange *ex)
{
    exchange_drop_request(ex);
    kbuf_free(&ex->response);
    exchange_recharge(ex);
    free(ex);
}

const char *http_request_header(const http_request *req, const char *name)
{
    for (size_t i = 0; i < req->header_count; i++)
        if (strcmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    return NULL;
}

static bool over(size_t have, uint64_t more, size_t max)
{
    return more > max || have > max - more;
}

bool exchange_body_over_limit(const http_exchange *ex, uint64_t more)
{
    return over(ex->body.len, more, ex->conn->loop->srv->cfg.max_request_bytes);
}

bool exchange_head_over_limit(const http_exchange *ex, uint64_t more)
{
    return over(ex->head.len, more, HTTP_HEAD_MAX);
}

uint32_t exchange_add_string(http_exchange *ex, const char *s, size_t len)
{
    uint32_t at = (uint32_t)ex->head.len;
    kbuf_append(&ex->head, s, len);
    kbuf_putc(&ex->head, '\0');
    return at;
}

void exchange_add_header(http_exchange *ex, const char *name, size_t name_len, const char *value,
                         size_t value_len)
{
    header_pos pos;
    pos.name = exchange_add_string(ex, name, name_len);
    pos.value = exchange_add_string(ex, value, value_len);
    kbuf_append(&ex->header_offs, &pos, sizeof(pos));
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

void exchange_index_headers(http_exchange *ex)
{
    size_t count = ex->header_offs.len / sizeof(header_pos);
    const header_pos *pos = (const header_pos *)ex->header_offs.data;
    ex->headers = calloc(count + 1, sizeof(http_header));
    if (!ex->headers)
        abort();
    for (size_t i = 0; i < count; i++) {
        char *value = ex->head.data + pos[i].value;
        while (is_space(*value))
            value++;
        size_t n = strlen(value);
        while (n > 0 && is_space(value[n - 1]))
            value[--n] = '\0';
        ex->headers[i].name = ex->head.data + pos[i].name;
        ex->headers[i].value = value;
    }
    ex->req.headers = ex->headers;
    ex->req.header_count = count;
    kbuf_free(&ex->header_offs);
    exchange_recharge(ex);
}

void exchange_add_body(http_exchange *ex, const void *data, size_t len)
{
    bool small = ex->declared <= HTTP_BODY_STEP; /* so not HTTP_UNKNOWN_LENGTH */
    if (small && ex->body.cap == 0 && ex->declared > len)
        kbuf_reserve(&ex->body, (size_t)ex->declared); /* its first bytes came: one allocation */
    kbuf_reserve_step(&ex->body, len, HTTP_BODY_STEP);
    kbuf_append(&ex->body, data, len);
    exchange_recharge(ex);
}

void exchange_finish_body(http_exchange *ex)
{
    ex->req.body = ex->body.data ? ex->body.data : "";
    ex->req.body_len = ex->body.len;
}
