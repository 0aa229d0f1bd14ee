/* reply.c - the wire formats of answers, and sending them (see core_internal.h).
 *
 * JSON 1.0/1.1 and CBOR answers carry the body the handler encoded, or the error as
 * {"__type": TYPE, "message": MESSAGE}; Smithy RPC v2 CBOR adds its protocol header. Every answer
 * carries x-amzn-RequestId and whatever headers the handler added (call_header). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "core_internal.h"
#include "service.h"

#define MAX_HEADERS 24

static void write_type_and_message(op_call *call, kbuf *body, aws_error *err,
                                   const char *request_id)
{
    (void)request_id;
    kbuf_reset(body);
    enc_error(call->out->format, body, err->type, err->message.len ? err->message.data : NULL);
}

const reply_format reply_json10 = {"Content-Type: application/x-amz-json-1.0", NULL, ENC_JSON,
                                   write_type_and_message, NULL};
const reply_format reply_json11 = {"Content-Type: application/x-amz-json-1.1", NULL, ENC_JSON,
                                   write_type_and_message, NULL};
const reply_format reply_cbor = {"Content-Type: application/x-amz-cbor-1.1", NULL, ENC_CBOR,
                                 write_type_and_message, NULL};
const reply_format reply_rpcv2_cbor = {"Content-Type: application/cbor",
                                       "smithy-protocol: rpc-v2-cbor", ENC_CBOR,
                                       write_type_and_message, NULL};

void call_header(op_call *call, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kbuf_vprintf(&call->headers, fmt, ap);
    va_end(ap);
    kbuf_putc(&call->headers, '\0');
}

void call_fail(op_call *call, const char *error_shape, const char *fmt, ...)
{
    const model_shape *shape = model_find_shape(call->service->schema, error_shape);
    const char *type = shape && shape->error_code ? shape->error_code : error_shape;
    int status = shape && shape->error_status ? shape->error_status : 400;
    aws_error_set(call->err, status, type, "%s", "");
    va_list ap;
    va_start(ap, fmt);
    kbuf_vprintf(&call->err->message, fmt, ap);
    va_end(ap);
}

/* Sends status and body with the format's headers, the request id and the call's headers. */
static void send_answer(core_request *r, int status)
{
    char rid[64];
    snprintf(rid, sizeof(rid), "x-amzn-RequestId: %s", r->request_id);
    const char *headers[MAX_HEADERS + 4];
    size_t n = 0;
    if (r->format->content_type)
        headers[n++] = r->format->content_type;
    if (r->format->extra_header)
        headers[n++] = r->format->extra_header;
    headers[n++] = rid;
    const kbuf *extra = &r->call.headers;
    for (size_t at = 0; at < extra->len && n < MAX_HEADERS + 3; at += strlen(extra->data + at) + 1)
        headers[n++] = extra->data + at;
    headers[n] = NULL;
    http_respond(r->ex, status, headers, r->body.data ? r->body.data : "", r->body.len);
}

static void send_error(core_request *r)
{
    r->format->write_error(&r->call, &r->body, &r->err, r->request_id);
    send_answer(r, r->err.status);
    if (r->err.status >= 500)
        log_warn("%s failed: %s %s", r->call.operation ? r->call.operation : "request", r->err.type,
                 r->err.message.data ? r->err.message.data : "");
}

void reply_send(core_request *r)
{
    if (r->err.status) {
        send_error(r);
    } else if (!r->call.exchange_taken) {
        if (r->format->finish_body)
            r->format->finish_body(&r->call, &r->body, r->request_id);
        send_answer(r, r->call.status ? r->call.status : 200);
    }
}

void reply_failed(core_request *r)
{
    aws_error_set(&r->err, 500, "InternalFailure", "The server encountered an internal error.");
    send_error(r);
}

void request_free(core_request *r)
{
    aws_error_free(&r->err);
    arena_free(&r->mem);
    kbuf_free(&r->body);
    kbuf_free(&r->call.headers);
    free(r);
}
