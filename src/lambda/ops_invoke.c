/* ops_invoke.c - Invoke (see ops.h): on the request's loop thread, lambda_lock held shared.
 *
 *   RequestResponse  the call is deferred and handed to the environment thread; it is answered
 *                    (from that thread, through call_complete) with the function's result or
 *                    error JSON, X-Amz-Executed-Version, X-Amz-Function-Error: Unhandled on
 *                    failure, and X-Amz-Log-Result (the last 4 KB of the log, base64) for Tail.
 *   Event            the event is appended to the asynchronous queue; 202 once it is durable.
 *   DryRun           204 when the function could be invoked. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/base64.h"
#include "async.h"
#include "envmgr.h"
#include "ops.h"

#define SYNC_MAX 6291456 /* Lambda's payload quotas */
#define ASYNC_MAX 262144
#define TAIL_BYTES 4096

static bool within_quota(op_call *call, size_t len, size_t max)
{
    if (len <= max)
        return true;
    aws_error_set(call->err, 413, "RequestTooLargeException",
                  "Request must be smaller than %zu bytes for the InvokeFunction operation", max);
    return false;
}

static bool is_json(op_call *call, const char *p, size_t len)
{
    json_tokener *tok = json_tokener_new();
    json_object *o = json_tokener_parse_ex(tok, p, (int)len);
    bool ok = o && json_tokener_get_parse_end(tok) == len;
    json_object_put(o);
    json_tokener_free(tok);
    if (!ok)
        aws_error_set(call->err, 400, "InvalidRequestContentException",
                      "Could not parse request body into json: Could not parse payload into "
                      "json");
    return ok;
}

static bool invocable(op_call *call, const fn_version *v)
{
    if (v->state != FN_PENDING)
        return true;
    aws_error_set(call->err, 409, "ResourceConflictException",
                  "The operation cannot be performed at this time. The function is currently in "
                  "the following state: Pending");
    return false;
}

static void write_log_tail(op_call *call, const kbuf *log)
{
    size_t n = log->len < TAIL_BYTES ? log->len : TAIL_BYTES;
    char *text = malloc(base64_encoded_len(n) + 1);
    if (!text)
        abort();
    base64_encode(log->data + log->len - n, n, text);
    text[base64_encoded_len(n)] = '\0';
    call_header(call, "X-Amz-Log-Result: %s", text);
    free(text);
}

/* The environment thread's answer to a synchronous invocation. */
static void on_sync_done(invocation *inv)
{
    op_call *call = inv->arg;
    if (inv->outcome == INV_THROTTLED) {
        aws_error_set(call->err, 429, "TooManyRequestsException", "Rate Exceeded.");
    } else if (inv->outcome == INV_SERVICE_ERROR) {
        aws_error_set(call->err, 500, "ServiceException", "%s",
                      inv->response.data ? inv->response.data : "");
    } else {
        call_header(call, "X-Amz-Executed-Version: %s", inv->fv->version);
        if (inv->outcome == INV_FUNCTION_ERROR)
            call_header(call, "X-Amz-Function-Error: Unhandled");
        const char *log_type = kv_str(call->input, "LogType");
        if (log_type && strcmp(log_type, "Tail") == 0 && inv->log.len)
            write_log_tail(call, &inv->log);
        kbuf_append(call->out->out, inv->response.data ? inv->response.data : "",
                    inv->response.len);
    }
    invocation_free(inv);
    call_complete(call);
}

static void invoke_async(op_call *call, const fn_ref *ref, const char *payload, size_t len)
{
    if (!within_quota(call, len, ASYNC_MAX) || !is_json(call, payload, len) ||
        async_enqueue(ref, call->request_id, payload, len, call->now_ms, &call->commit_ticket,
                      call->err) < 0)
        return;
    call->status = 202;
}

void op_invoke(op_call *call)
{
    fn_ref ref;
    lambda_function *fn;
    fn_version *v = ops_ref(call, &ref) ? fn_find_version(&ref, &fn, call->err) : NULL;
    if (!v || !invocable(call, v))
        return;
    const kval *body = kv_get(call->input, "Payload");
    const char *payload = body && body->u.s.len ? body->u.s.ptr : "{}";
    size_t len = body && body->u.s.len ? body->u.s.len : 2;
    const char *type = kv_str(call->input, "InvocationType");
    if (type && strcmp(type, "DryRun") == 0) {
        call->status = 204;
        return;
    }
    if (type && strcmp(type, "Event") == 0) {
        invoke_async(call, &ref, payload, len);
        return;
    }
    if (!within_quota(call, len, SYNC_MAX) || !is_json(call, payload, len))
        return;
    invocation *inv = invocation_new(v, payload, len);
    snprintf(inv->request_id, sizeof inv->request_id, "%s", call->request_id);
    inv->limit = fn_limit(fn);
    const char *context = kv_str(call->input, "ClientContext");
    inv->client_context = context ? strdup(context) : NULL;
    inv->done = on_sync_done;
    inv->arg = call;
    call->deferred = true;
    envmgr_submit(inv);
}
