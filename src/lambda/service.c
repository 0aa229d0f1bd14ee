/* service.c - the Lambda service: its operation table (where each runs, the IAM action, the
 * function it acts on), its plain route (function logs) and its lifecycle (see lambda.h).
 *
 * Reads of functions run on the loop threads with lambda_lock held shared (OP_LOOP_READ), and
 * so does Invoke, which hands the invocation to the environment thread and defers its answer;
 * everything that writes lambda.sqlite or function code runs on the control thread. */
#include "lambda.h"

#include <stdio.h>
#include <string.h>

#include "../common/log.h"
#include "../core/config.h"
#include "async.h"
#include "code.h"
#include "envmgr.h"
#include "esm.h"
#include "fnlog.h"
#include "fnmeta.h"
#include "ops.h"
#include "roles.h"
#include "runtime.h"

#define TICK_MS 50

/* The function the input names, as an ARN (qualified when the input qualifies it). */
static int function_resource(op_call *call, const char **arns, int max)
{
    (void)max;
    fn_ref ref;
    if (!ops_ref(call, &ref))
        return -1;
    size_t n = strlen(ref.name) + strlen(ref.qualifier) + 96;
    char *arn = arena_alloc(call->arena, n);
    snprintf(arn, n, "arn:aws:lambda:%s:%s:function:%s%s%s", ref.region, ref.account, ref.name,
             ref.qualifier[0] ? ":" : "", ref.qualifier);
    arns[0] = arn;
    return 1;
}

#define FN_OP(name, handler, mode, action)                                                         \
    {                                                                                              \
        name, handler, mode, "lambda:" action, function_resource                                   \
    }

static const op_entry lambda_ops[] = {
    FN_OP("CreateFunction", op_create_function, OP_CONTROL, "CreateFunction"),
    FN_OP("GetFunction", op_get_function, OP_LOOP_READ, "GetFunction"),
    FN_OP("GetFunctionConfiguration", op_get_function_configuration, OP_LOOP_READ,
          "GetFunctionConfiguration"),
    {"ListFunctions", op_list_functions, OP_LOOP_READ, "lambda:ListFunctions", NULL},
    FN_OP("ListVersionsByFunction", op_list_versions, OP_LOOP_READ, "ListVersionsByFunction"),
    FN_OP("UpdateFunctionCode", op_update_function_code, OP_CONTROL, "UpdateFunctionCode"),
    FN_OP("UpdateFunctionConfiguration", op_update_function_configuration, OP_CONTROL,
          "UpdateFunctionConfiguration"),
    FN_OP("PublishVersion", op_publish_version, OP_CONTROL, "PublishVersion"),
    FN_OP("DeleteFunction", op_delete_function, OP_CONTROL, "DeleteFunction"),
    FN_OP("PutFunctionConcurrency", op_put_concurrency, OP_CONTROL, "PutFunctionConcurrency"),
    FN_OP("GetFunctionConcurrency", op_get_concurrency, OP_LOOP_READ, "GetFunctionConcurrency"),
    FN_OP("DeleteFunctionConcurrency", op_delete_concurrency, OP_CONTROL,
          "DeleteFunctionConcurrency"),
    FN_OP("PutFunctionEventInvokeConfig", op_put_event_invoke_config, OP_CONTROL,
          "PutFunctionEventInvokeConfig"),
    FN_OP("UpdateFunctionEventInvokeConfig", op_update_event_invoke_config, OP_CONTROL,
          "UpdateFunctionEventInvokeConfig"),
    FN_OP("GetFunctionEventInvokeConfig", op_get_event_invoke_config, OP_LOOP_READ,
          "GetFunctionEventInvokeConfig"),
    FN_OP("DeleteFunctionEventInvokeConfig", op_delete_event_invoke_config, OP_CONTROL,
          "DeleteFunctionEventInvokeConfig"),
    FN_OP("Invoke", op_invoke, OP_LOOP_READ, "InvokeFunction"),
    {"CreateEventSourceMapping", op_create_event_source_mapping, OP_CONTROL,
     "lambda:CreateEventSourceMapping", NULL},
    {"GetEventSourceMapping", op_get_event_source_mapping, OP_LOOP_READ,
     "lambda:GetEventSourceMapping", esm_resource},
    {"ListEventSourceMappings", op_list_event_source_mappings, OP_LOOP_READ,
     "lambda:ListEventSourceMappings", NULL},
    {"UpdateEventSourceMapping", op_update_event_source_mapping, OP_CONTROL,
     "lambda:UpdateEventSourceMapping", esm_resource},
    {"DeleteEventSourceMapping", op_delete_event_source_mapping, OP_CONTROL,
     "lambda:DeleteEventSourceMapping", esm_resource},
    {NULL, NULL, OP_LOOP, NULL, NULL},
};

static const service_route lambda_routes[] = {
    {"GET", FNLOG_ROUTE, fnlog_route, true},
    {"GET", ESM_STATUS_ROUTE, esm_status_route, true},
    {NULL, NULL, NULL, false},
};

/* Lambda refuses an unauthorized call with HTTP 403 (Kinesis, the core's default, with 400). */
static void lambda_access_denied(op_call *call, const char *message)
{
    aws_error_set(call->err, 403, "AccessDeniedException", "%s", message);
}

static void lambda_tick(int64_t now_ms)
{
    fn_transitions(now_ms);
    async_tick(now_ms);
    esm_tick(now_ms);
}

/* Records became durable: the async queue and the event source mappings read them. */
static void lambda_on_durable(void)
{
    async_on_durable();
    esm_on_durable();
}

service lambda_service = {
    .name = "lambda",
    .model = MODEL_LAMBDA,
    .ops = lambda_ops,
    .lock = &lambda_lock,
    .routes = lambda_routes,
    .tick = lambda_tick,
    .tick_ms = TICK_MS,
    .on_durable = lambda_on_durable,
    .access_denied = lambda_access_denied,
};

int lambda_open(store *st)
{
    const char *dir = store_dir(st);
    char runtimes[4096];
    code_set_root(dir);
    fnlog_set_root(dir);
    runtime_find_dir(kinesd_cfg.lambda_runtimes, runtimes, sizeof runtimes);
    if (!runtimes[0])
        log_warn("lambda: no runtime clients found (--lambda-runtimes): node and python "
                 "functions will not start");
    if (fnmeta_open(dir) < 0 || esm_store_open(st) < 0 ||
        async_open(st, kinesd_cfg.lambda_retry_delay_ms) < 0 || envmgr_start(runtimes) < 0) {
        async_close();
        esm_store_close();
        fnmeta_close();
        return -1;
    }
    async_start();
    esm_start();
    return 0;
}

void lambda_set_endpoint(const char *url)
{
    envmgr_set_endpoint(url);
}

void lambda_quiesce(void)
{
    envmgr_quiesce();
}

void lambda_close(void)
{
    esm_stop();
    async_stop();
    envmgr_stop();
    esm_free_pollers();
    esm_store_close();
    async_close();
    for (int i = fn_count(); i-- > 0;)
        fn_remove(fn_at(i));
    fnmeta_close();
}

void lambda_set_sqs_deliver(lambda_sqs_deliver_fn deliver)
{
    destination_set_sqs(deliver);
}

void lambda_set_roles(const lambda_roles *hooks)
{
    roles_set(hooks);
}
