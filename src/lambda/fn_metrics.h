/* fn_metrics.h - each function's AWS/Lambda metrics, as CloudWatch publishes them for Lambda:
 * per function (dimension FunctionName) and for all functions of the account and region (no
 * dimension).
 *
 * Counted as AWS counts them: Invocations for every invocation that ran or failed to start,
 * whether the function answered or failed (throttled ones are not invocations); Errors for those
 * that failed (an error the function raised, a timeout, a crash, an out-of-memory kill);
 * Duration for each that reached an environment, in milliseconds as the REPORT line gives it;
 * Throttles for each refused for want of concurrency; ConcurrentExecutions, sampled whenever an
 * invocation starts or ends, as the number of environments then running one (take Maximum).
 * IteratorAge is recorded by the event source mappings (esm_lane.c). Called on the environment
 * thread (metrics.h: any thread may). */
#ifndef KINESD_LAMBDA_FN_METRICS_H
#define KINESD_LAMBDA_FN_METRICS_H

#include <stdbool.h>

#include "function.h"

/* An invocation of fv that ran for duration_ms (negative: it never reached an environment) and
 * failed or not. */
void fn_metrics_invoked(const fn_version *fv, bool failed, double duration_ms);

/* An invocation of fv refused for want of concurrency. */
void fn_metrics_throttled(const fn_version *fv);

/* Environments running an invocation now: of fv's function, and of its account and region. */
void fn_metrics_concurrency(const fn_version *fv, int function_running, int account_running);

#endif
