/* esm_lane.c - a poller's batches (see esm_poller.h): one lane of a shard forms a batch of the
 * records it holds (BatchSize, 6 MB of payload, the batching window, one tumbling window), invokes
 * the function with it, and on the answer completes it or handles the failure:
 *
 *   - ReportBatchItemFailures: the records before the lowest one reported are done; the rest is
 *     retried at once (an attempt that made progress is not counted as a retry);
 *   - BisectBatchOnFunctionError: a batch of more than one record that failed without progress is
 *     split in two halves, run one after the other (splits are not counted as retries either);
 *   - otherwise the batch is retried after a backoff until MaximumRetryAttempts retries failed, or
 *     its first record is older than MaximumRecordAgeInSeconds: then it is given up - the
 *     OnFailure destination gets Lambda's failure record - and the lane moves on.
 *
 * Records older than MaximumRecordAgeInSeconds are given up before they are ever sent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/clock.h"
#include "../common/log.h"
#include "../common/uuid.h"
#include "../monitoring/metrics.h"
#include "destination.h"
#include "envmgr.h"
#include "esm_poller.h"
#include "roles.h"

#define RETRY_FIRST_MS 100
#define RETRY_MAX_MS 5000
#define NO_FUNCTION_RETRY_MS 1000
#define WINDOW_GRACE_MS 1000 /* records appended before a window ended are durable by then */

/* --- records held ------------------------------------------------------------------------------
 */

void esm_lane_add(esm_lane *l, esm_record *r)
{
    r->next = NULL;
    if (l->tail)
        l->tail->next = r;
    else
        l->head = r;
    l->tail = r;
    l->held++;
    l->shard->held++;
    l->shard->held_bytes += r->event_bytes;
}

/* Frees the first n records held. */
static void drop_first(esm_lane *l, int n)
{
    while (n-- > 0 && l->head) {
        esm_record *r = l->head;
        l->head = r->next;
        if (!l->head)
            l->tail = NULL;
        l->held--;
        l->shard->held--;
        l->shard->held_bytes -= r->event_bytes;
        esm_record_free(r);
    }
}

static void close_window(esm_lane *l)
{
    free(l->window_state);
    l->window_state = NULL;
    l->window_open = l->window_terminated = false;
}

void esm_lane_clear(esm_lane *l)
{
    drop_first(l, l->held);
    close_window(l);
}

bool esm_lane_idle(const esm_lane *l)
{
    return !l->held && !l->window_open && !l->invoking;
}

static const esm_record *nth(const esm_lane *l, int n)
{
    const esm_record *r = l->head;
    while (r && n-- > 0)
        r = r->next;
    return r;
}

/* --- progress -------------------------------------------------------------------------------- */

static const esm_config *config_of(const esm_lane *l)
{
    return l->shard->runner->cfg;
}

/* Adds to the shard's counts and sets its last error (NULL: unchanged), and the mapping's
 * LastProcessingResult (NULL: unchanged). */
static void report_counts(esm_lane *l, uint64_t records, bool ok, uint64_t given_up,
                          const char *error, const char *result)
{
    esm_progress *p = l->shard->runner->progress;
    pthread_mutex_lock(&p->mu);
    esm_shard_progress *s = esm_progress_find(p, l->shard->view.index);
    if (s) {
        s->records += records;
        s->batches_ok += ok;
        s->batches_failed += !ok && !given_up;
        s->given_up += given_up;
        if (error)
            snprintf(s->last_error, sizeof s->last_error, "%s", error);
    }
    if (result)
        snprintf(p->last_result, sizeof p->last_result, "%s", result);
    pthread_mutex_unlock(&p->mu);
}

/* The batch's first n records are done: counted, the IteratorAge recorded, freed. */
static void complete(esm_lane *l, int n, int64_t now_ms)
{
    const esm_record *last = nth(l, n - 1);
    const esm_config *c = config_of(l);
    int64_t age = last ? now_ms - last->arrival_ms : 0;
    metric_dim dims[] = {{"FunctionName", c->function.name}};
    metric_scope scope = {c->function.account, c->function.region, "AWS/Lambda", dims, 1};
    metric_add(&scope, "IteratorAge", METRIC_GAUGE, (double)(age > 0 ? age : 0), UNIT_MILLISECONDS);
    esm_progress *p = l->shard->runner->progress;
    pthread_mutex_lock(&p->mu);
    esm_shard_progress *s = esm_progress_find(p, l->shard->view.index);
    if (s)
        s->iterator_age_ms = age > 0 ? age : 0;
    pthread_mutex_unlock(&p->mu);
    report_counts(l, (uint64_t)n, true, 0, NULL, "OK");
    drop_first(l, n);
    l->batch_n -= n;
}

/* --- giving up ------------------------------------------------------------------------------- */

/* Sends Lambda's failure record for the first n records to the OnFailure destination (if any)
 * and drops them. */
static void give_up(esm_lane *l, int n, const char *condition)
{
    const esm_config *c = config_of(l);
    esm_runner *r = l->shard->runner;
    bool invoked = l->attempts > 0 && n == l->batch_n;
    char request_id[40];
    if (invoked)
        snprintf(request_id, sizeof request_id, "%s", l->request_id);
    else
        uuid_v4(request_id);
    esm_failure f = {
        .request_id = request_id,
        .function_arn = c->function_arn,
        .condition = condition,
        .invoke_count = invoked ? l->attempts : 0,
        .executed_version = invoked ? l->version : NULL,
        .function_error = l->function_error,
        .shard_id = l->shard->view.id,
        .stream_arn = r->src.stream_arn,
        .first = l->head,
        .n = n,
    };
    if (n > 0 && c->on_failure[0]) {
        char *record = esm_failure_record(&f);
        destination_send(c->on_failure, record, strlen(record), request_id);
        free(record);
    }
    char why[160];
    snprintf(why, sizeof why, "%d record(s) given up: %s", n, condition);
    log_info("lambda: event source mapping %s, %s: %s", c->uuid, l->shard->view.id, why);
    report_counts(l, 0, false, (uint64_t)n, why, NULL);
    drop_first(l, n);
    l->batch_n = n >= l->batch_n ? 0 : l->batch_n - n;
    l->attempts = 0;
}

/* Gives up the held records older than MaximumRecordAgeInSeconds: the batch when its first record
 * is one, else the run of them at the head (at most a batch). */
static void give_up_expired(esm_lane *l, int64_t now_ms)
{
    const esm_config *c = config_of(l);
    if (c->max_record_age_s < 0)
        return;
    int64_t oldest_allowed = now_ms - (int64_t)c->max_record_age_s * 1000;
    while (l->head && l->head->arrival_ms < oldest_allowed) {
        int n = l->batch_n;
        for (const esm_record *r = l->head;
             !l->batch_n && r && n < c->batch_size && r->arrival_ms < oldest_allowed; r = r->next)
            n++;
        give_up(l, n, "RecordAgeExceeded");
    }
}

/* --- tumbling windows ------------------------------------------------------------------------ */

static int64_t window_of(const esm_config *c, int64_t arrival_ms)
{
    int64_t w = (int64_t)c->tumbling_s * 1000;
    return arrival_ms / w * w;
}

static int64_t window_end(const esm_lane *l)
{
    return l->window_start_ms + (int64_t)config_of(l)->tumbling_s * 1000;
}

/* Whether a batch of n records ends the open window: the record after it is of a later window,
 * or none is held, the window's time is over and the shard was read to its end. */
static bool ends_window(const esm_lane *l, int n, int64_t now_ms)
{
    const esm_record *after = nth(l, n);
    if (l->window_terminated)
        return true;
    if (l->n_splits)
        return false;
    if (after)
        return window_of(config_of(l), after->arrival_ms) != l->window_start_ms;
    return now_ms >= window_end(l) + WINDOW_GRACE_MS &&
           l->shard->read_pos >= l->shard->view.committed;
}

/* --- invoking -------------------------------------------------------------------------------- */

static void on_invoked(invocation *inv);

/* The version to run (a reference), its role and the function's concurrency; NULL when the
 * function is gone. */
static fn_version *function_version(const esm_config *c, char *role, size_t cap, int *limit)
{
    aws_error err;
    aws_error_init(&err);
    pthread_rwlock_rdlock(&lambda_lock);
    lambda_function *fn = fn_find(&c->function, &err);
    fn_version *fv =
        fn ? fn_version_of(fn, c->function.qualifier[0] ? c->function.qualifier : FN_LATEST) : NULL;
    if (fv) {
        fn_version_ref(fv);
        snprintf(role, cap, "%s", fv->role);
        *limit = fn_limit(fn);
    }
    pthread_rwlock_unlock(&lambda_lock);
    aws_error_free(&err);
    return fv;
}

/* The tumbling window fields of the next invocation (opening a window for the batch). */
static esm_window next_window(esm_lane *l, int64_t now_ms)
{
    const esm_config *c = config_of(l);
    if (l->batch_n && !l->window_open) {
        l->window_open = true;
        l->window_start_ms = window_of(c, l->head->arrival_ms);
    }
    return (esm_window){l->window_start_ms, window_end(l), l->window_state,
                        ends_window(l, l->batch_n, now_ms), l->window_terminated};
}

/* Invokes the function with the current batch (none: a window's final invocation). */
static void invoke(esm_lane *l, int64_t now_ms)
{
    esm_runner *r = l->shard->runner;
    const esm_config *c = r->cfg;
    char role[256];
    int limit = 1;
    fn_version *fv = function_version(c, role, sizeof role, &limit);
    if (!fv) {
        l->not_before_ms = now_ms + NO_FUNCTION_RETRY_MS;
        report_counts(l, 0, false, 0, "the function does not exist", "PROBLEM: Function not found");
        esm_wake_at(l->not_before_ms);
        return;
    }
    if (!roles_may_read(role, c->source_arn)) { /* AWS's poller would fail to read */
        fn_version_unref(fv);
        l->not_before_ms = now_ms + NO_FUNCTION_RETRY_MS;
        report_counts(l, 0, false, 0, "the execution role cannot read the stream",
                      "PROBLEM: Cannot access stream: the execution role cannot perform "
                      "GetRecords, GetShardIterator, DescribeStream and ListShards on it.");
        esm_wake_at(l->not_before_ms);
        return;
    }
    esm_event_source src = {l->shard->view.id, r->src.stream_arn, r->src.region, role};
    esm_window w = c->tumbling_s ? next_window(l, now_ms) : (esm_window){0};
    size_t len;
    char *payload = esm_event_build(&src, l->head, l->batch_n, c->tumbling_s ? &w : NULL, &len);
    invocation *inv = invocation_new(fv, payload, len);
    free(payload);
    fn_version_unref(fv);
    inv->limit = limit;
    inv->queue_when_busy = true;
    inv->done = on_invoked;
    inv->arg = l;
    l->final_invoke = w.final;
    snprintf(l->request_id, sizeof l->request_id, "%s", inv->request_id);
    l->attempts++;
    l->invoking = true;
    r->in_flight++;
    esm_shard_report(l->shard, "invoking");
    envmgr_submit(inv);
}

/* --- answers --------------------------------------------------------------------------------- */

/* "errorType: errorMessage" of a failed invocation's answer. */
static void error_summary(const invocation *inv, char *out, size_t cap)
{
    json_object *o = inv->response.len ? json_tokener_parse(inv->response.data) : NULL;
    json_object *type = NULL, *message = NULL;
    json_object_object_get_ex(o, "errorType", &type);
    json_object_object_get_ex(o, "errorMessage", &message);
    if (inv->outcome == INV_OK)
        snprintf(out, cap, "the function reported failed records (batchItemFailures)");
    else
        snprintf(out, cap, "%s: %s", type ? json_object_get_string(type) : "Unhandled",
                 message ? json_object_get_string(message) : "the function failed");
    json_object_put(o);
}

static void succeeded(esm_lane *l, esm_answer *a, int64_t now_ms)
{
    if (config_of(l)->tumbling_s) {
        if (l->final_invoke) {
            close_window(l);
        } else {
            free(l->window_state);
            l->window_state = a->state;
            a->state = NULL;
            l->window_terminated = l->window_state && strlen(l->window_state) > ESM_STATE_MAX;
        }
    }
    if (l->batch_n)
        complete(l, l->batch_n, now_ms);
    else
        report_counts(l, 0, true, 0, NULL, "OK");
    l->attempts = 0;
}

/* Whether the batch's first record is older than MaximumRecordAgeInSeconds. */
static bool batch_expired(const esm_lane *l, int64_t now_ms)
{
    const esm_config *c = config_of(l);
    return c->max_record_age_s >= 0 && l->head &&
           now_ms - l->head->arrival_ms > (int64_t)c->max_record_age_s * 1000;
}

static int64_t backoff_ms(int attempts)
{
    int64_t ms = RETRY_FIRST_MS;
    for (int i = 1; i < attempts && ms < RETRY_MAX_MS; i++)
        ms *= 2;
    return ms < RETRY_MAX_MS ? ms : RETRY_MAX_MS;
}

static void failed(esm_lane *l, const invocation *inv, const esm_answer *a, int64_t now_ms)
{
    const esm_config *c = config_of(l);
    char why[200];
    error_summary(inv, why, sizeof why);
    report_counts(l, 0, false, 0, why, "PROBLEM: Function call failed");
    if (a->failed_at > 0) { /* progress: the records before the first failed one are done */
        complete(l, a->failed_at, now_ms);
        l->attempts = 0;
        return;
    }
    if (batch_expired(l, now_ms)) {
        give_up(l, l->batch_n, "RecordAgeExceeded");
    } else if (c->bisect && l->batch_n > 1 && l->n_splits < ESM_SPLITS_MAX) {
        int first = (l->batch_n + 1) / 2;
        l->splits[l->n_splits++] = l->batch_n - first;
        l->batch_n = first;
        l->attempts = 0;
    } else if (c->max_retries >= 0 && l->attempts > c->max_retries) {
        give_up(l, l->batch_n, "RetryAttemptsExhausted");
    } else {
        l->not_before_ms = now_ms + backoff_ms(l->attempts);
        esm_shard_report(l->shard, "retrying");
        return;
    }
    if (!l->batch_n && l->final_invoke)
        close_window(l); /* a window whose last batch was given up ends with it */
}

static void on_invoked(invocation *inv)
{
    esm_lane *l = inv->arg;
    esm_runner *r = l->shard->runner;
    int64_t now_ms = clock_now_ms();
    r->in_flight--;
    l->invoking = false;
    if (r->stopping) {
        invocation_free(inv);
        esm_runner_released(r);
        return;
    }
    if (inv->outcome == INV_SERVICE_ERROR || inv->outcome == INV_THROTTLED) {
        l->attempts--; /* it never ran */
        l->not_before_ms = now_ms + NO_FUNCTION_RETRY_MS;
    } else {
        const esm_config *c = r->cfg;
        snprintf(l->version, sizeof l->version, "%s", inv->fv->version);
        l->function_error = inv->outcome != INV_OK;
        esm_answer a;
        esm_answer_read(inv->response.data, inv->response.len, inv->outcome == INV_OK,
                        c->report_item_failures, c->tumbling_s > 0, l->head, l->batch_n, &a);
        if (a.ok)
            succeeded(l, &a, now_ms);
        else
            failed(l, inv, &a, now_ms);
        free(a.state);
    }
    invocation_free(inv);
    esm_pump();
}

/* --- stepping -------------------------------------------------------------------------------- */

/* How many held records the next batch takes: BatchSize, the payload limit, one tumbling window.
 * *full: no more could be added (else the batching window may wait for more). */
static int batch_fill(const esm_lane *l, bool *full)
{
    const esm_config *c = config_of(l);
    size_t bytes = ESM_EVENT_OVERHEAD + (l->window_state ? strlen(l->window_state) : 0);
    int64_t window = c->tumbling_s ? window_of(c, l->head->arrival_ms) : 0;
    int n = 0;
    *full = true;
    for (const esm_record *r = l->head; r; r = r->next, n++) {
        if (n == c->batch_size || (c->tumbling_s && window_of(c, r->arrival_ms) != window) ||
            (n > 0 && bytes + r->event_bytes > ESM_PAYLOAD_MAX))
            return n;
        bytes += r->event_bytes;
    }
    *full = n == c->batch_size;
    return n;
}

/* Forms the next batch: a bisected part, else what is held once the batch is full or the
 * batching window is over. False when it has to wait. */
static bool form_batch(esm_lane *l, int64_t now_ms)
{
    const esm_config *c = config_of(l);
    l->attempts = 0;
    if (l->n_splits) {
        int n = l->splits[--l->n_splits];
        l->batch_n = n < l->held ? n : l->held;
        return true;
    }
    bool full;
    int n = batch_fill(l, &full);
    int64_t due = l->head->read_ms + (int64_t)c->window_s * 1000;
    if (!full && now_ms < due) {
        esm_wake_at(due);
        return false;
    }
    l->batch_n = n;
    return true;
}

/* A window whose records are all done ends with an invocation of no records once a record of a
 * later window is held, or its time is over (or its state grew too large). True when invoked. */
static bool finish_window(esm_lane *l, int64_t now_ms)
{
    if (!l->window_open || l->batch_n)
        return false;
    bool later = l->head && window_of(config_of(l), l->head->arrival_ms) != l->window_start_ms;
    if (later || l->window_terminated || (!l->head && ends_window(l, 0, now_ms))) {
        invoke(l, now_ms);
        return true;
    }
    if (!l->head)
        esm_wake_at(window_end(l) + WINDOW_GRACE_MS);
    return false;
}

void esm_lane_step(esm_lane *l, int64_t now_ms)
{
    if (l->invoking)
        return;
    if (now_ms < l->not_before_ms) {
        esm_wake_at(l->not_before_ms);
        return;
    }
    give_up_expired(l, now_ms);
    if (config_of(l)->tumbling_s && finish_window(l, now_ms))
        return;
    if (!l->held || (!l->batch_n && !form_batch(l, now_ms)))
        return;
    invoke(l, now_ms);
}
