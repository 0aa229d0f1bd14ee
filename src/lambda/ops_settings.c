/* ops_settings.c - reserved concurrency (Put/Get/DeleteFunctionConcurrency) and the settings of
 * asynchronous invocations (Put/Update/Get/DeleteFunctionEventInvokeConfig). See ops.h.
 *
 * A change is committed to lambda.sqlite through a staged copy of the function (the same
 * pointers, the changed field) before the field is published under lambda_lock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "destination.h"
#include "fnmeta.h"
#include "ops.h"

#define UNRESERVED_MIN 100 /* Lambda keeps this much of the account's concurrency unreserved */
#define ACCOUNT_CONCURRENCY 1000
#define DEFAULT_RETRIES 2
#define DEFAULT_MAX_AGE_S 21600

static lambda_function *function_of(op_call *call, fn_ref *ref)
{
    return ops_ref(call, ref) ? fn_find(ref, call->err) : NULL;
}

static bool stored(op_call *call, const lambda_function *staged)
{
    if (fnmeta_put(staged, NULL, NULL) == 0)
        return true;
    aws_error_set(call->err, 500, "ServiceException", "Cannot store the function.");
    return false;
}

static void write_concurrency(op_call *call, int reserved)
{
    enc_map_begin(call->out);
    if (reserved >= 0) {
        enc_key(call->out, "ReservedConcurrentExecutions");
        enc_int(call->out, reserved);
    }
    enc_map_end(call->out);
}

static void set_reserved(op_call *call, lambda_function *fn, int reserved)
{
    lambda_function staged = *fn;
    staged.reserved = reserved;
    if (!stored(call, &staged))
        return;
    pthread_rwlock_wrlock(&lambda_lock);
    fn->reserved = reserved;
    pthread_rwlock_unlock(&lambda_lock);
}

void op_put_concurrency(op_call *call)
{
    fn_ref ref;
    lambda_function *fn = function_of(call, &ref);
    int64_t n = 0;
    kv_int(call->input, "ReservedConcurrentExecutions", &n);
    if (!fn)
        return;
    if (n > ACCOUNT_CONCURRENCY - UNRESERVED_MIN) {
        aws_error_set(call->err, 400, "InvalidParameterValueException",
                      "Specified ReservedConcurrentExecutions for function decreases account's "
                      "UnreservedConcurrentExecution below its minimum value of [%d].",
                      UNRESERVED_MIN);
        return;
    }
    set_reserved(call, fn, (int)n);
    if (!call->err->status)
        write_concurrency(call, (int)n);
}

void op_delete_concurrency(op_call *call)
{
    fn_ref ref;
    lambda_function *fn = function_of(call, &ref);
    if (fn)
        set_reserved(call, fn, -1);
}

void op_get_concurrency(op_call *call)
{
    fn_ref ref;
    lambda_function *fn = function_of(call, &ref);
    if (fn)
        write_concurrency(call, fn->reserved);
}

/* --- event invoke configurations ------------------------------------------------------------ */

static void write_invoke_config(op_call *call, const lambda_function *fn, const fn_invoke_config *c)
{
    kenc *e = call->out;
    char arn[FN_ARN_MAX + 140];
    snprintf(arn, sizeof arn, "%s:%s", fn->latest->arn, c->qualifier);
    enc_map_begin(e);
    enc_key(e, "LastModified");
    enc_timestamp_ms(e, c->last_modified_ms);
    enc_key(e, "FunctionArn");
    enc_str(e, arn);
    enc_key(e, "MaximumRetryAttempts");
    enc_int(e, c->max_retries);
    enc_key(e, "MaximumEventAgeInSeconds");
    enc_int(e, c->max_age_s);
    enc_key(e, "DestinationConfig");
    enc_map_begin(e);
    const char *keys[2] = {"OnSuccess", "OnFailure"}, *arns[2] = {c->on_success, c->on_failure};
    for (int i = 0; i < 2; i++) {
        enc_key(e, keys[i]);
        enc_map_begin(e);
        if (arns[i][0]) {
            enc_key(e, "Destination");
            enc_str(e, arns[i]);
        }
        enc_map_end(e);
    }
    enc_map_end(e);
    enc_map_end(e);
}

/* The qualifier the input names, checked to exist; NULL with err set. */
static const char *qualifier_of(op_call *call, const lambda_function *fn, const fn_ref *ref)
{
    const char *q = ref->qualifier[0] ? ref->qualifier : FN_LATEST;
    if (fn_version_of(fn, q))
        return q;
    aws_error_set(call->err, 404, "ResourceNotFoundException", "Function not found: %s:%s",
                  fn->latest->arn, q);
    return NULL;
}

/* Applies the input's settings over c; false with err set. */
static bool apply_invoke_config(op_call *call, const lambda_function *fn, fn_invoke_config *c)
{
    int64_t n;
    if (kv_int(call->input, "MaximumRetryAttempts", &n))
        c->max_retries = (int)n;
    if (kv_int(call->input, "MaximumEventAgeInSeconds", &n))
        c->max_age_s = (int)n;
    const kval *dest = kv_get(call->input, "DestinationConfig");
    const char *keys[2] = {"OnSuccess", "OnFailure"};
    char *arns[2] = {c->on_success, c->on_failure};
    for (int i = 0; dest && i < 2; i++) {
        const kval *d = kv_get(dest, keys[i]);
        if (!d)
            continue;
        const char *arn = kv_str(d, "Destination");
        if (arn && !destination_valid(arn, fn->latest->arn, call->err))
            return false;
        snprintf(arns[i], FN_ARN_MAX, "%s", arn ? arn : "");
    }
    c->last_modified_ms = call->now_ms;
    return true;
}

/* Commits and publishes fn's configurations without qualifier's, plus `add` (if not NULL). */
static bool replace_invoke_config(op_call *call, lambda_function *fn, const char *qualifier,
                                  const fn_invoke_config *add)
{
    int n = fn->n_invoke_cfgs, at = 0;
    fn_invoke_config *cfgs = malloc((size_t)(n + 1) * sizeof *cfgs);
    if (!cfgs)
        abort();
    for (int i = 0; i < n; i++)
        if (strcmp(fn->invoke_cfgs[i].qualifier, qualifier) != 0)
            cfgs[at++] = fn->invoke_cfgs[i];
    if (add)
        cfgs[at++] = *add;
    lambda_function staged = *fn;
    staged.invoke_cfgs = cfgs;
    staged.n_invoke_cfgs = at;
    if (!stored(call, &staged)) {
        free(cfgs);
        return false;
    }
    fn_invoke_config *old = fn->invoke_cfgs;
    pthread_rwlock_wrlock(&lambda_lock);
    fn->invoke_cfgs = cfgs;
    fn->n_invoke_cfgs = at;
    pthread_rwlock_unlock(&lambda_lock);
    free(old);
    return true;
}

/* Put (replace) or Update (merge into the existing one). */
static void put_invoke_config(op_call *call, bool merge)
{
    fn_ref ref;
    lambda_function *fn = function_of(call, &ref);
    const char *q = fn ? qualifier_of(call, fn, &ref) : NULL;
    if (!q)
        return;
    const fn_invoke_config *existing = fn_invoke_config_of(fn, q);
    fn_invoke_config c = {.max_retries = DEFAULT_RETRIES, .max_age_s = DEFAULT_MAX_AGE_S};
    if (merge && existing)
        c = *existing;
    snprintf(c.qualifier, sizeof c.qualifier, "%s", q);
    if (apply_invoke_config(call, fn, &c) && replace_invoke_config(call, fn, q, &c))
        write_invoke_config(call, fn, fn_invoke_config_of(fn, q));
}

void op_put_event_invoke_config(op_call *call)
{
    put_invoke_config(call, false);
}

void op_update_event_invoke_config(op_call *call)
{
    put_invoke_config(call, true);
}

void op_get_event_invoke_config(op_call *call)
{
    fn_ref ref;
    lambda_function *fn = function_of(call, &ref);
    const char *q = fn ? qualifier_of(call, fn, &ref) : NULL;
    const fn_invoke_config *c = q ? fn_invoke_config_of(fn, q) : NULL;
    if (c)
        write_invoke_config(call, fn, c);
    else if (q)
        aws_error_set(call->err, 404, "ResourceNotFoundException",
                      "The function %s:%s doesn't have an EventInvokeConfig", fn->latest->arn, q);
}

void op_delete_event_invoke_config(op_call *call)
{
    fn_ref ref;
    lambda_function *fn = function_of(call, &ref);
    const char *q = fn ? qualifier_of(call, fn, &ref) : NULL;
    if (!q)
        return;
    if (!fn_invoke_config_of(fn, q)) {
        aws_error_set(call->err, 404, "ResourceNotFoundException",
                      "The function %s:%s doesn't have an EventInvokeConfig", fn->latest->arn, q);
        return;
    }
    replace_invoke_config(call, fn, q, NULL);
}
