/* http_parse.c - the http_parser callbacks that turn bytes into an exchange's request.
 *
 * The parser hands out the url, header names and values in pieces; they are collected into the
 * exchange's `head` buffer, each piece NUL-terminated, with the offsets of each name and value
 * kept aside until the headers are complete and can be pointed at (head no longer grows then).
 * A finished request pauses the parser so that the connection delivers it outside the callback.
 * Requests over max_request_bytes fail the parse with conn->too_large set. (Where the pieces are
 * kept: http_exchange.c.) */
#include <string.h>
#include <strings.h>

#include "http_internal.h"

enum { PART_URL, PART_NAME, PART_VALUE };

static http_conn *conn_of(http_parser *p)
{
    return p->data;
}

static bool over_limit(http_conn *c, uint64_t more)
{
    if (!exchange_over_limit(c->current, more))
        return false;
    c->too_large = true;
    return true;
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
    conn_start_request_timer(c);
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
    http_conn *c = conn_of(p);
    if (over_limit(c, len))
        return -1;
    kbuf_append(&c->current->head, at, len);
    return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    http_conn *c = conn_of(p);
    http_exchange *ex = c->current;
    if (ex->headers) /* a chunked body's trailer: not part of the request */
        return 0;
    if (over_limit(c, len))
        return -1;
    begin_part(ex, PART_NAME);
    for (size_t i = 0; i < len; i++)
        kbuf_putc(&ex->head, (char)(at[i] >= 'A' && at[i] <= 'Z' ? at[i] + 32 : at[i]));
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
    http_conn *c = conn_of(p);
    http_exchange *ex = c->current;
    if (ex->headers)
        return 0;
    if (over_limit(c, len))
        return -1;
    begin_part(ex, PART_VALUE);
    kbuf_append(&ex->head, at, len);
    return 0;
}

/* Points the request at head, now final: method, url and headers. */
static void finish_head(http_exchange *ex, http_parser *p)
{
    if (ex->part == PART_NAME)
        begin_part(ex, PART_VALUE); /* "Name:" with an empty value */
    kbuf_putc(&ex->head, '\0');
    exchange_index_headers(ex);
    ex->req.method = http_method_str((enum http_method)p->method);
    ex->req.url = ex->head.data;
}

static int on_headers_complete(http_parser *p)
{
    http_conn *c = conn_of(p);
    http_exchange *ex = c->current;
    finish_head(ex, p);
    ex->keep_alive = http_should_keep_alive(p) != 0;
    bool has_length = (p->flags & F_CONTENTLENGTH) != 0;
    if (has_length && over_limit(c, p->content_length))
        return -1;
    if (has_length)
        kbuf_reserve(&ex->body, (size_t)p->content_length);
    const char *expect = http_request_header(&ex->req, "expect");
    bool has_body = (has_length && p->content_length > 0) || (p->flags & F_CHUNKED);
    if (expect && strcasecmp(expect, "100-continue") == 0 && has_body) {
        ex->expect_continue = true;
        conn_flush(c);
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    http_conn *c = conn_of(p);
    if (over_limit(c, len))
        return -1;
    kbuf_append(&c->current->body, at, len);
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
