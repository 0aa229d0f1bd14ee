/* http_respond.c - responses: formatting, and sending them strictly in request order.
 *
 * http_respond formats status line, headers and body into one buffer (the body's only copy) and
 * marks the exchange answered. conn_flush then writes, from the front of the connection's queue,
 * every answered exchange until it meets one still waiting for the application (or one still
 * streaming, see http_stream.c); so an answer that comes early waits for its predecessors. The
 * connection also owes a "100 Continue" to a request whose turn has come while its body has not
 * arrived yet. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/uuid.h"
#include "http_internal.h"

static const char continue_line[] = "HTTP/1.1 100 Continue\r\n\r\n";

const char *http_reason_phrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 301:
        return "Moved Permanently";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 413:
        return "Payload Too Large";
    case 431:
        return "Request Header Fields Too Large";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

/* "Date: Thu, 26 Nov 2026 07:04:31 GMT", made once a second per loop. */
void loop_date_line(http_loop *loop, char out[48])
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t now = time(NULL);
    if (now != loop->date_sec) {
        struct tm tm;
        gmtime_r(&now, &tm);
        snprintf(loop->date_line, sizeof(loop->date_line),
                 "Date: %s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
                 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
        loop->date_sec = now;
    }
    memcpy(out, loop->date_line, sizeof(loop->date_line));
}

void format_head(http_exchange *ex, int status, const char *const *headers, const char *framing)
{
    http_conn *c = ex->conn;
    bool last = c->no_more_requests && ex->next == NULL;
    ex->keep_alive = ex->keep_alive && !last;
    char date[48];
    loop_date_line(c->loop, date);
    kbuf *out = &ex->response;
    kbuf_printf(out, "HTTP/1.1 %d %s\r\n", status, http_reason_phrase(status));
    for (size_t i = 0; headers && headers[i]; i++) {
        kbuf_puts(out, headers[i]);
        kbuf_puts(out, "\r\n");
    }
    kbuf_printf(out, "%s\r\n%s\r\nConnection: %s\r\n\r\n", framing, date,
                ex->keep_alive ? "keep-alive" : "close");
}

void http_respond(http_exchange *ex, int status, const char *const *headers, const char *body,
                  size_t body_len)
{
    http_conn *c = ex->conn;
    if (c->closing || ex->stream_gone) { /* the client went away meanwhile */
        exchange_unlink(ex);
        exchange_free(ex);
        conn_maybe_free(c);
        return;
    }
    if (ex->stream_id) {
        h2_respond(ex, status, headers, body, body_len);
        return;
    }
    char length[48];
    snprintf(length, sizeof(length), "Content-Length: %zu", body_len);
    kbuf_reserve(&ex->response, 256 + body_len);
    format_head(ex, status, headers, length);
    if (!ex->head_only) /* RFC 9110 9.3.2: the length a GET would have, no body */
        kbuf_append(&ex->response, body, body_len);
    exchange_drop_request(ex); /* body may have pointed into the request; recharges */
    ex->answered = true;
    conn_flush(c);
    conn_retry(c);
}

/* Writes what ex's response holds so far (taking the bytes); false when the connection failed. */
static bool write_response(http_conn *c, http_exchange *ex)
{
    if (ex->response.len == 0)
        return true;
    kbuf bytes = ex->response;
    kbuf_init(&ex->response);
    exchange_recharge(ex);
    return conn_write(c, &bytes);
}

static void send_continue(http_conn *c)
{
    kbuf line = KBUF_INIT;
    kbuf_append(&line, continue_line, sizeof(continue_line) - 1);
    conn_write(c, &line);
}

/* Writes answered responses from the front of the queue; a streaming response at the front
 * writes what it has so far and holds the ones behind it back. */
void conn_flush(http_conn *c)
{
    http_exchange *ex;
    while (!c->closing && !c->shutting_down && (ex = c->head) && (ex->answered || ex->streaming)) {
        if (!write_response(c, ex) || !ex->answered)
            return;
        bool keep_alive = ex->keep_alive;
        exchange_unlink(ex);
        exchange_free(ex);
        if (!keep_alive)
            conn_shutdown(c);
    }
    if (c->closing || c->shutting_down)
        return;
    if (!c->head && c->no_more_requests)
        conn_shutdown(c);
    else if (c->head && c->head->expect_continue) {
        c->head->expect_continue = false;
        send_continue(c);
    }
}

const http_refusal refuse_malformed = {400, "SerializationException", "Malformed HTTP request"};
const http_refusal refuse_too_large = {413, "SerializationException", "Request entity too large"};
const http_refusal refuse_head_too_large = {431, "SerializationException",
                                            "Request header fields too large"};
const http_refusal refuse_busy = {503, "ServiceUnavailable",
                                  "The server's memory for requests in progress is in use. "
                                  "Retry the request later."};

void respond_error(http_exchange *ex, const http_refusal *why)
{
    char request_id[UUID_STR_LEN + 1], rid_header[64], body[256];
    uuid_v4(request_id);
    snprintf(rid_header, sizeof(rid_header), "x-amzn-RequestId: %s", request_id);
    int len = snprintf(body, sizeof(body), "{\"__type\":\"%s\",\"message\":\"%s\"}", why->type,
                       why->message);
    const char *headers[] = {"Content-Type: application/x-amz-json-1.1", rid_header, NULL};
    ex->delivered = true;
    http_respond(ex, why->status, headers, body, (size_t)len);
}

/* The server's own answer to a request it cannot pass on (malformed, too large, no memory for it
 * now): sent in turn, then the connection closes. */
void conn_fail(http_conn *c, const http_refusal *why)
{
    http_exchange *ex = c->current ? c->current : exchange_new(c);
    c->current = NULL;
    c->no_more_requests = true;
    ex->keep_alive = false;
    respond_error(ex, why);
}
