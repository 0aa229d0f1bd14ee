/* http_parse.c - the http_parser callbacks that turn bytes into an exchange's request.
 *
 * The parser hands out the url, header names and values in pieces; they are collected into the
 * exchange's `head` buffer, each piece NUL-terminated, with the offsets of each name and value
 * kept aside until the headers are complete and can be pointed at (head no longer grows then).
 * A finished request pauses the parser so that the connection delivers it outside the callback.
 * A request the server answers itself fails the parse with conn->refusal set: a head over
 * HTTP_HEAD_MAX (431), a body over max_request_bytes (413), a body the memory budget cannot take
 * now (503). The body's buffer grows as its bytes arrive: a declared Content-Length is counted
 * in the budget at once but allocates nothing.
 * (Where the pieces are kept: http_exchange.c.) */
#include <string.h>
#include <strings.h>

#include "http_internal.h"

enum { PART_URL, PART_NAME, PART_VALUE };

static http_conn *conn_of(http_parser *p)
{
    return p->data;
}

/* Fails the parse (the callback returns -1) with this refusal. */
static int refuse(http_conn *c, const http_refusal *why)
{
    c->refusal = why;
    return -1;
}

/* Adds a piece of the head (url, name or value) once it fits; -1 when the head is too large. */
static int add_to_head(http_conn *c, const char *at, size_t len, bool lower)
{
    http_exchange *ex = c->current;
    if (exchange_head_over_limit(ex, len))
        return refuse(c, &refuse_head_too_large);
    for (size_t i = 0; lower && i < len; i++)
        kbuf_putc(&ex->head, (char)(at[i] >= 'A' && at[i] <= 'Z' ? at[i] + 32 : at[i]));
    if (!lower)
        kbuf_append(&ex->head, at, len);
    exchange_recharge(ex);
    return 0;
}

/* Starts the next piece of head: ends the previous one and records where a name/value begins. */
static void begin_part(http_exchange *ex, int part)
{
    if (ex->part == part)
        return;
    kbuf_putc(&ex->head, '\0');
    if (part == PART_NAME) {
        header_pos pos = {(uint32_t)ex->head.len, 0};
        kbuf_append(&ex->header_offs, &pos, sizeof(pos));
    } else {
        header_pos *pos = (header_pos *)(ex->header_offs.data + ex->header_offs.len) - 1;
        pos->value = (uint32_t)ex->head.len;
    }
    ex->part = part;
}

static int on_message_begin(http_parser *p)
{
    http_conn *c = conn_of(p);
    c->current = exchange_new(c);
    conn_update_timer(c); /* the request's deadline starts */
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
    return add_to_head(conn_of(p), at, len, false);
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    http_conn *c = conn_of(p);
    http_exchange *ex = c->current;
    if (ex->headers) /* a chunked body's trailer: not part of the request */
        return 0;
    begin_part(ex, PART_NAME);
    return add_to_head(c, at, len, true);
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
    http_conn *c = conn_of(p);
    http_exchange *ex = c->current;
    if (ex->headers)
        return 0;
    begin_part(ex, PART_VALUE);
    return add_to_head(c, at, len, false);
}

/* Points the request at head, now final: method, url and headers. */
static void finish_head(http_exchange *ex, http_parser *p)
{
    if (ex->part == PART_NAME)
        begin_part(ex, PART_VALUE); /* "Name:" with an empty value */
    kbuf_putc(&ex->head, '\0');
    exchange_index_headers(ex);
    ex->req.method = http_method_str((enum http_method)p->method);
    ex->head_only = p->method == HTTP_HEAD;
    ex->req.url = ex->head.data;
}

static int on_headers_complete(http_parser *p)
{
    http_conn *c = conn_of(p);
    http_exchange *ex = c->current;
    finish_head(ex, p);
    ex->keep_alive = http_should_keep_alive(p) != 0;
    bool has_length = (p->flags & F_CONTENTLENGTH) != 0;
    ex->declared =
        has_length ? p->content_length : (p->flags & F_CHUNKED ? HTTP_UNKNOWN_LENGTH : 0);
    if (has_length && exchange_body_over_limit(ex, p->content_length))
        return refuse(c, &refuse_too_large);
    if (!budget_admit(ex))
        return refuse(c, &refuse_busy);
    const char *expect = http_request_header(&ex->req, "expect");
    bool has_body = ex->declared > 0;
    if (expect && strcasecmp(expect, "100-continue") == 0 && has_body) {
        ex->expect_continue = true;
        conn_flush(c);
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    http_conn *c = conn_of(p);
    if (exchange_body_over_limit(c->current, len))
        return refuse(c, &refuse_too_large);
    exchange_add_body(c->current, at, len);
    return 0;
}

static int on_message_complete(http_parser *p)
{
    http_exchange *ex = conn_of(p)->current;
    ex->expect_continue = false;
    exchange_finish_body(ex);
    http_parser_pause(p, 1);
    return 0;
}

const http_parser_settings http_parse_settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};
