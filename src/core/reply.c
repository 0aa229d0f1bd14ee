/* reply.c - the wire formats of answers, and sending them (see core_internal.h).
 *
 * JSON 1.0/1.1 and CBOR answers carry the body the handler encoded, or the error as
 * {"__type": TYPE, "message": MESSAGE}; Smithy RPC v2 CBOR adds its protocol header. An operation
 * whose model has no output answers an empty body. Two answers are AWS's own before it knows the
 * protocol: a request that is not a POST gets its XML error with no content type, and the legacy
 * `application/json` content type gets a 200 wrapping the error in {"Output": ..., "Version":
 * "1.0"} (AWS's coral envelope: no operation is ever run for it).
 *
 * Every answer carries x-amzn-RequestId, x-amz-id-2 (random, as AWS's looks) and whatever headers
 * the handler added (call_header); a request with an Origin header also gets the CORS headers
 * browsers need to read it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/base64.h"
#include "../common/log.h"
#include "core_internal.h"
#include "service.h"

#define MAX_HEADERS 24
#define ID2_BYTES 72

static const char cors_origin[] = "Access-Control-Allow-Origin: *";
static const char cors_expose[] = "Access-Control-Expose-Headers: x-amzn-RequestId,"
                                  "x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,"
                                  "x-amzn-ErrorMessage,Date";

static void write_type_and_message(op_call *call, kbuf *body, aws_error *err,
                                   const char *request_id)
{
    (void)request_id;
    kbuf_reset(body);
    enc_error(call->out->format, body, err->type, err->message.data, err->message.len);
}

/* <Type>\n  <Message>text</Message>\n</Type>\n */
static void write_plain_xml(op_call *call, kbuf *body, aws_error *err, const char *request_id)
{
    (void)call;
    (void)request_id;
    kbuf_reset(body);
    kbuf_printf(body, "<%s>\n  <Message>%s</Message>\n</%s>\n", err->type,
                err->message.len ? err->message.data : "", err->type);
}

/* {"Output":{"__type":"com.amazon.coral.service#TYPE","message":null},"Version":"1.0"}, 200 */
static void write_coral_envelope(op_call *call, kbuf *body, aws_error *err, const char *request_id)
{
    (void)call;
    (void)request_id;
    kbuf_reset(body);
    kbuf_printf(body,
                "{\"Output\":{\"__type\":\"com.amazon.coral.service#%s\",\"%s\":null},"
                "\"Version\":\"1.0\"}",
                err->type,
                strcmp(err->type, "SerializationException") == 0 ? "Message" : "message");
    err->status = 200;
}

const reply_format reply_json10 = {"Content-Type: application/x-amz-json-1.0", NULL, ENC_JSON,
                                   .write_error = write_type_and_message};
const reply_format reply_json11 = {"Content-Type: application/x-amz-json-1.1", NULL, ENC_JSON,
                                   .write_error = write_type_and_message};
const reply_format reply_cbor = {"Content-Type: application/x-amz-cbor-1.1", NULL, ENC_CBOR,
                                 .write_error = write_type_and_message};
const reply_format reply_rpcv2_cbor = {
    "Content-Type: application/cbor", "smithy-protocol: rpc-v2-cbor", ENC_CBOR,
    .epoch_seconds = true, .write_error = write_type_and_message};
const reply_format reply_plain_xml = {NULL, NULL, ENC_JSON, .write_error = write_plain_xml};
const reply_format reply_coral_json = {"Content-Type: application/json", NULL, ENC_JSON,
                                       .write_error = write_coral_envelope};

void call_header(op_call *call, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kbuf_vprintf(&call->headers, fmt, ap);
    va_end(ap);
    kbuf_putc(&call->headers, '\0');
}

/* "x-amz-id-2: <96 base64 characters>" */
static void make_id2(char *out, size_t cap)
{
    unsigned char raw[ID2_BYTES];
    uuid_random_bytes(raw, sizeof raw);
    int n = snprintf(out, cap, "x-amz-id-2: ");
    base64_encode(raw, sizeof raw, out + n);
    out[n + base64_encoded_len(sizeof raw)] = '\0';
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

/* Sends status and body with the format's headers, the ids, CORS and the call's headers. */
static void send_answer(core_request *r, int status)
{
    char rid[64], id2[16 + 4 * ID2_BYTES / 3];
    snprintf(rid, sizeof(rid), "x-amzn-RequestId: %s", r->request_id);
    make_id2(id2, sizeof id2);
    const char *headers[MAX_HEADERS + 7];
    size_t n = 0;
    if (r->format->content_type)
        headers[n++] = r->format->content_type;
    if (r->format->extra_header)
        headers[n++] = r->format->extra_header;
    headers[n++] = rid;
    headers[n++] = id2;
    if (r->cors) {
        headers[n++] = cors_origin;
        headers[n++] = cors_expose;
    }
    const kbuf *extra = &r->call.headers;
    for (size_t at = 0; at < extra->len && n < MAX_HEADERS + 6; at += strlen(extra->data + at) + 1)
        headers[n++] = extra->data + at;
    headers[n] = NULL;
    http_respond_kbuf(r->ex, status, headers, &r->body);
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
        if (r->op && !model_op_output(r->op))
            kbuf_reset(&r->body); /* AWS answers an operation without output with no body */
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

void reply_preflight(http_exchange *ex, const http_request *req)
{
    char rid[64], allow_headers[1100], allow_methods[300], request_id[UUID_STR_LEN + 1];
    const char *asked_headers = http_request_header(req, "access-control-request-headers");
    const char *asked_method = http_request_header(req, "access-control-request-method");
    uuid_v4(request_id);
    snprintf(rid, sizeof rid, "x-amzn-RequestId: %s", request_id);
    const char *headers[6] = {rid, cors_origin, "Access-Control-Max-Age: 172800"};
    size_t n = 3;
    if (asked_headers) {
        snprintf(allow_headers, sizeof allow_headers, "Access-Control-Allow-Headers: %s",
                 asked_headers);
        headers[n++] = allow_headers;
    }
    if (asked_method) {
        snprintf(allow_methods, sizeof allow_methods, "Access-Control-Allow-Methods: %s",
                 asked_method);
        headers[n++] = allow_methods;
    }
    headers[n] = NULL;
    http_respond(ex, 200, headers, "", 0);
}

void request_free(core_request *r)
{
    request_observe(r);
    aws_error_free(&r->err);
    arena_free(&r->mem);
    kbuf_free(&r->body);
    kbuf_free(&r->call.headers);
    free(r);
}
