/* dispatch.c - the request pipeline: HTTP request -> service operation -> answer (see dispatch.h).
 *
 * Requests of the query protocols (form-encoded Action=..., answered in XML) are routed by the
 * credential scope's service name instead of a target.
 *
 * Checks run in AWS's order (as recorded against AWS): a CORS preflight is answered at once; a
 * method other than POST is AccessDenied (XML, 403); then the content type (a legacy
 * application/json gets AWS's 200 coral envelope, a type it cannot name a 400 in CBOR), an empty
 * body, the target (UnknownOperationException), an unreadable body (SerializationException), the
 * Authorization header's syntax and the caller's signature, the body's value types
 * (SerializationException with a message), validation against the model
 * (ValidationException), authorization (AccessDeniedException), the service's admission (its
 * rate limits), then the operation, run where its op_entry says:
 *   OP_LOOP, OP_LOOP_READ  here, on the request's loop thread (the second with the service's
 *                          state lock held shared);
 *   OP_CONTROL             on the service's control thread; the answer comes back through
 *                          loop_complete.
 * A handler may also defer its answer (call_complete). Plain HTTP routes of the services (GET
 * /metrics, the console) are handed the raw request before any of this. A body sent with
 * Content-Encoding: gzip is inflated before it is read (an undecodable one is unreadable). Once
 * the answer went out, the call's `answered` hook and the observer (dispatch_set_observer) are
 * told. */
#include "dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/clock.h"
#include "../protocol/decode.h"
#include "../protocol/gzip.h"
#include "../protocol/validate.h"
#include "config.h"
#include "core_internal.h"
#include "worker.h"

#define RPCV2_PATH "/service/"

static const dispatch_auth_hooks *auth_hooks; /* NULL: open mode */
static dispatch_observer observer;            /* NULL: none */

void dispatch_set_auth(const dispatch_auth_hooks *hooks)
{
    auth_hooks = hooks;
}

void dispatch_set_observer(dispatch_observer fn)
{
    observer = fn;
}

/* --- routing -------------------------------------------------------------------------------- */

static bool media_type_is(const char *ct, const char *type)
{
    size_t n = strcspn(ct, "; ");
    return n == strlen(type) && strncasecmp(ct, type, n) == 0;
}

/* The format a JSON-protocol request (X-Amz-Target) is answered in; NULL for a content type
 * that is none of them (the legacy application/json included). */
static const reply_format *target_format(const char *ct)
{
    if (!ct)
        return NULL;
    if (media_type_is(ct, "application/x-amz-json-1.1"))
        return &reply_json11;
    if (media_type_is(ct, "application/x-amz-json-1.0"))
        return &reply_json10;
    if (media_type_is(ct, "application/x-amz-cbor-1.1"))
        return &reply_cbor;
    return NULL;
}

/* "Kinesis_20131202.PutRecords": the service by the prefix, the operation by the rest; NULL when
 * either is unknown. */
static const model_op *target_op(core_request *r, const char *target)
{
    const char *dot = target ? strrchr(target, '.') : NULL;
    if (dot && (r->svc = service_by_target(target, (size_t)(dot - target))))
        return model_find_op(r->svc->schema, dot + 1);
    return NULL;
}

/* POST /service/<ServiceShape>/operation/<Operation> with smithy-protocol: rpc-v2-cbor. */
static const model_op *rpcv2_op(core_request *r, const char *url)
{
    const char *svc_name = url + strlen(RPCV2_PATH), *slash = strchr(svc_name, '/');
    static const char op_part[] = "/operation/";
    const model_op *op = NULL;
    if (slash && strncmp(slash, op_part, sizeof op_part - 1) == 0 &&
        (r->svc = service_by_target(svc_name, (size_t)(slash - svc_name))))
        op = model_find_op(r->svc->schema, slash + sizeof op_part - 1);
    if (!op)
        aws_error_set(&r->err, 404, "UnknownOperationException", "%s", "");
    return op;
}

/* AWS's answer to a request it cannot take as an operation call, without a message:
 * SerializationException (`unreadable`) or UnknownOperationException. */
static const model_op *refuse(core_request *r, const reply_format *format, int status,
                              bool unreadable)
{
    r->format = format;
    aws_error_set(&r->err, status,
                  unreadable ? "SerializationException" : "UnknownOperationException", "%s", "");
    return NULL;
}

/* A query-protocol request: a form body, or a GET whose URL carries Action=. */
static bool is_query_request(const http_request *req)
{
    const char *ct = http_request_header(req, "content-type");
    const char *q = strchr(req->url, '?');
    if (ct && media_type_is(ct, "application/x-www-form-urlencoded"))
        return strcmp(req->method, "POST") == 0;
    return strcmp(req->method, "GET") == 0 && q &&
           (strncmp(q + 1, "Action=", 7) == 0 || strstr(q, "&Action="));
}

/* Query protocols: the service by the credential scope's service name, the operation by the
 * form's Action (the URL's query string and the body together). */
static const model_op *query_op(core_request *r, const http_request *req)
{
    auth_scope scope;
    r->format = &reply_query;
    if (!caller_scope(req, &scope, &r->err))
        return NULL;
    r->svc = service_by_signing_name(scope.service);
    if (!r->svc || model_protocol(r->svc->schema) != WIRE_QUERY) {
        r->svc = NULL;
        aws_error_set(&r->err, 400, "UnknownOperationException",
                      "No query-protocol service answers to '%s'", scope.service);
        return NULL;
    }
    const char *q = strchr(req->url, '?');
    if (q)
        query_form_parse(&r->form, q + 1, strlen(q + 1), &r->mem);
    query_form_parse(&r->form, req->body, req->body_len, &r->mem);
    const char *action = query_form_get(&r->form, "Action");
    const model_op *op = action ? model_find_op(r->svc->schema, action) : NULL;
    if (!op)
        aws_error_set(&r->err, 400, "InvalidAction", "Could not find operation %s for version %s",
                      action ? action : "", model_api_version(r->svc->schema));
    return op;
}

/* The operation the request names, with r->svc and r->format set; NULL with r->err set. */
static const model_op *route(core_request *r, const http_request *req)
{
    if (is_query_request(req))
        return query_op(r, req);
    const model_op *rest = http_request_header(req, "x-amz-target") ? NULL : rest_route(r, req);
    if (rest)
        return rest;
    if (strcmp(req->method, "POST") != 0) {
        r->format = &reply_plain_xml;
        aws_error_set(&r->err, 403, "AccessDeniedException",
                      "Unable to determine service/operation name to be authorized");
        return NULL;
    }
    const char *smithy = http_request_header(req, "smithy-protocol");
    if (smithy && strcmp(smithy, "rpc-v2-cbor") == 0 &&
        strncmp(req->url, RPCV2_PATH, strlen(RPCV2_PATH)) == 0) {
        r->format = &reply_rpcv2_cbor;
        return rpcv2_op(r, req->url);
    }
    const char *ct = http_request_header(req, "content-type");
    const model_op *op = target_op(r, http_request_header(req, "x-amz-target"));
    if (ct && media_type_is(ct, "application/json")) /* AWS runs nothing for it */
        return refuse(r, &reply_coral_json, 200, !decode_json_readable(req->body, req->body_len));
    const reply_format *format = target_format(ct);
    if (!format)
        return refuse(r, &reply_cbor, 400, op != NULL);
    if (req->body_len == 0 || !op)
        return refuse(r, format, 400, op != NULL);
    r->format = format;
    return op;
}

/* --- the checks ----------------------------------------------------------------------------- */

static bool authenticate(core_request *r, const http_request *req)
{
    auth_scope scope;
    if (!caller_scope(req, &scope, &r->err))
        return false;
    if (!auth_hooks)
        caller_open(&scope, &r->who);
    else if (!auth_hooks->authenticate(req, &scope, &r->mem, &r->who, &r->err))
        return false;
    snprintf(r->who.source_ip, sizeof r->who.source_ip, "%s", req->peer ? req->peer : "");
    r->who.secure_transport = req->secure;
    return true;
}

/* The body as the decoders read it: inflated when it came gzipped; false (unreadable) when it
 * cannot be inflated. */
static bool read_body(core_request *r, const http_request *req)
{
    const char *encoding = http_request_header(req, "content-encoding");
    r->in = req->body;
    r->in_len = req->body_len;
    if (!encoding || strcasecmp(encoding, "gzip") != 0)
        return true;
    if (gzip_inflate(req->body, req->body_len, kinesd_cfg.max_request_bytes, &r->mem, &r->in,
                     &r->in_len))
        return true;
    aws_error_set(&r->err, 400, "SerializationException", "%s", "");
    return false;
}

static kval *decode(core_request *r, const model_op *op, const http_request *req)
{
    if (r->format == &reply_rest_json)
        return rest_decode(r, req);
    if (r->format->enc == ENC_XML)
        return decode_query(op, &r->form, &r->mem, &r->err);
    if (!read_body(r, req))
        return NULL;
    if (r->format->epoch_seconds)
        return decode_cbor_rpcv2(op, r->in, r->in_len, &r->mem, &r->err);
    if (r->format->enc == ENC_CBOR)
        return decode_cbor(op, r->in, r->in_len, &r->mem, &r->err);
    return decode_json(op, r->in, r->in_len, &r->mem, &r->err);
}

/* Moves an error from one holder to another (the first is left empty). */
static void move_error(aws_error *to, aws_error *from)
{
    aws_error_free(to);
    *to = *from;
    aws_error_init(from);
}

/* Decodes, then authenticates: an unreadable body is refused before the caller is looked at, a
 * body of mistyped values after. */
static bool decode_and_authenticate(core_request *r, const model_op *op, const http_request *req)
{
    r->call.input = decode(r, op, req);
    if (!r->call.input && decode_unreadable(&r->err))
        return false;
    aws_error mistyped;
    aws_error_init(&mistyped);
    move_error(&mistyped, &r->err);
    bool ok = authenticate(r, req);
    if (ok && !r->call.input) {
        move_error(&r->err, &mistyped);
        ok = false;
    }
    aws_error_free(&mistyped);
    return ok;
}

/* Routes, checks and decodes; false with r->err set. On success the call is ready to run. */
static bool prepare(core_request *r, const http_request *req)
{
    const model_op *op = route(r, req);
    if (!op)
        return false;
    r->op = op;
    r->call.operation = model_op_name(op);
    r->call.service = r->svc;
    if (r->format == &reply_rest_json)
        r->call.status = model_op_response_code(op); /* a handler may choose another */
    if (!decode_and_authenticate(r, op, req))
        return false;
    r->call.account = r->who.account;
    r->call.region = r->who.region;
    if (!r->svc->own_validation && !validate_input(op, r->call.input, &r->err))
        return false;
    if (!(r->entry = service_find_op(r->svc, op))) {
        aws_error_set(&r->err, 400, "UnknownOperationException", "kinesd does not implement %s yet",
                      r->call.operation);
        return false;
    }
    if (auth_hooks && r->entry->action && !auth_hooks->authorize(&r->call, r->entry))
        return false;
    return !r->svc->admit || r->svc->admit(&r->call, r->entry);
}

/* --- running -------------------------------------------------------------------------------- */

static void run_on_control(void *arg)
{
    core_request *r = arg;
    r->entry->handler(&r->call);
    if (!r->call.deferred)
        call_complete(&r->call);
}

/* Runs the handler where its entry says; false when it runs elsewhere and the request now
 * belongs to that thread (it comes back through call_complete). */
static bool run_here(core_request *r)
{
    switch (r->entry->mode) {
    case OP_LOOP:
        r->entry->handler(&r->call);
        break;
    case OP_LOOP_READ:
        pthread_rwlock_rdlock(r->svc->lock);
        r->entry->handler(&r->call);
        pthread_rwlock_unlock(r->svc->lock);
        break;
    case OP_CONTROL:
        worker_post(r->svc->worker, run_on_control, r);
        return false;
    }
    return !r->call.deferred;
}

void call_complete(op_call *call)
{
    loop_complete((core_request *)call); /* call is the first member */
}

void request_observe(core_request *r)
{
    int status = r->err.status ? r->err.status : r->call.status ? r->call.status : 200;
    int64_t elapsed_us = (clock_mono_ns() - r->started_ns) / 1000;
    if (r->call.answered)
        r->call.answered(&r->call, elapsed_us);
    if (observer && r->svc)
        observer(&r->call, status, elapsed_us);
}

void request_finish(core_request *r)
{
    if (!r->err.status && r->call.commit_ticket) {
        loop_park(r);
        return;
    }
    reply_send(r);
    request_free(r);
}

static core_request *request_new(loop_ctx *lc, http_exchange *ex, const http_request *req)
{
    core_request *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    r->started_ns = clock_mono_ns();
    r->lc = lc;
    r->ex = ex;
    r->format = &reply_json11;
    uuid_v4(r->request_id);
    arena_init(&r->mem);
    aws_error_init(&r->err);
    r->call = (op_call){.who = &r->who,
                        .request_id = r->request_id,
                        .request = req,
                        .arena = &r->mem,
                        .now_ms = clock_now_ms(),
                        .out = &r->enc,
                        .err = &r->err,
                        .exchange = ex,
                        .loop = loop_of(lc)};
    return r;
}

/* A plain route that wants a signed request: its caller authenticated first (errors in JSON). */
static void serve_signed_route(core_request *r, const service_route *route, const http_request *req)
{
    enc_init(&r->enc, r->format->enc, &r->body);
    if (!authenticate(r, req)) {
        request_finish(r);
        return;
    }
    route->handler(r->ex, req, &r->who);
    request_free(r);
}

void dispatch_request(http_exchange *ex, const http_request *req, void *ctx)
{
    const char *origin = http_request_header(req, "origin");
    if (origin && strcmp(req->method, "OPTIONS") == 0) {
        reply_preflight(ex, req);
        return;
    }
    const service *owner;
    const service_route *plain = service_find_route(req->method, req->url, &owner);
    if (plain && !plain->signed_only) {
        plain->handler(ex, req, NULL);
        return;
    }
    core_request *r = request_new(ctx, ex, req);
    r->cors = origin != NULL;
    if (plain) {
        serve_signed_route(r, plain, req);
        return;
    }
    bool ready = prepare(r, req);
    enc_init(&r->enc, r->format->enc, &r->body);
    r->enc.epoch_seconds = r->format->epoch_seconds;
    if (!ready || run_here(r))
        request_finish(r);
}
