/* fn_metrics.c - each function's AWS/Lambda metrics (see fn_metrics.h): every sample goes to
 * the function's scope and to the scope of all functions of its account and region. */
#include "fn_metrics.h"

#include "../monitoring/metrics.h"

/* Adds the samples to fv's function (dimension FunctionName) and to all functions of its account
 * and region (no dimension); `all` replaces the samples' values for the latter when not NULL. */
static void add_both(const fn_version *fv, const metric_sample *samples, size_t n,
                     const metric_sample *all)
{
    metric_dim dims[] = {{"FunctionName", fv->name}};
    metric_scope function = {fv->account, fv->region, "AWS/Lambda", dims, 1};
    metric_scope account = {fv->account, fv->region, "AWS/Lambda", NULL, 0};
    metric_add_all(&function, samples, n);
    metric_add_all(&account, all ? all : samples, n);
}

void fn_metrics_invoked(const fn_version *fv, bool failed, double duration_ms)
{
    metric_sample samples[] = {
        {"Invocations", METRIC_COUNTER, 1, UNIT_COUNT},
        {"Errors", METRIC_COUNTER, failed ? 1 : 0, UNIT_COUNT},
        {"Duration", METRIC_HISTOGRAM, duration_ms, UNIT_MILLISECONDS},
    };
    add_both(fv, samples, duration_ms < 0 ? 2 : 3, NULL);
}

void fn_metrics_throttled(const fn_version *fv)
{
    metric_sample throttle = {"Throttles", METRIC_COUNTER, 1, UNIT_COUNT};
    add_both(fv, &throttle, 1, NULL);
}

void fn_metrics_concurrency(const fn_version *fv, int function_running, int account_running)
{
    metric_sample function = {"ConcurrentExecutions", METRIC_GAUGE, function_running, UNIT_COUNT};
    metric_sample account = {"ConcurrentExecutions", METRIC_GAUGE, account_running, UNIT_COUNT};
    add_both(fv, &function, 1, &account);
}
