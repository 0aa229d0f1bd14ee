/* esm_poller.c - the pollers of event source mappings (see esm_poller.h and docs/threading.md).
 *
 * They are state machines on the lambda-env thread, not threads: one pass ("pump") walks every
 * runner - resolves its stream again (new shards after a reshard, closed ones), reads each shard
 * whose parents are finished into its lanes, and steps the lanes (batches, invocations, retries).
 * A pump runs when the store made records durable (esm_on_durable, from the loop threads), when
 * an invocation came back, when the mappings changed (esm_changed), and on one timer armed for
 * the earliest moment a lane waits for (a batching window, a retry's backoff, a tumbling window's
 * end), at least every RESYNC_MS. Nothing polls in between. */
#include <stdlib.h>
#include <string.h>

#include "../common/clock.h"
#include "envmgr.h"
#include "esm_filter.h"
#include "esm_poller.h"

#define RESYNC_MS 1000
#define READ_MAX_BYTES (4u << 20)
#define SHARD_HELD_MAX_BYTES (16u << 20)
#define SHARD_HELD_MIN 500

static struct {
    esm_runner *runners;     /* environment thread: every runner, stopping ones too */
    uv_timer_t timer;        /* environment thread: the next pump */
    bool timer_ready;        /* environment thread: the timer is initialised (started) */
    bool stopped;            /* environment thread: esm_stop ran */
    int64_t wake_at;         /* environment thread: the earliest wake-up asked in this pump */
    atomic_bool started;     /* esm_start ran: durability wake-ups are wanted */
    atomic_bool pump_posted; /* a pump job is queued */
} pollers;

void esm_wake_at(int64_t at_ms)
{
    if (at_ms < pollers.wake_at)
        pollers.wake_at = at_ms;
}

/* --- shards ---------------------------------------------------------------------------------- */

/* The offset below which every record of the shard is done. */
static uint64_t checkpoint_of(const esm_shard *s)
{
    uint64_t cp = s->read_pos;
    for (int i = 0; i < s->runner->cfg->parallelization; i++)
        if (s->lanes[i].head && s->lanes[i].head->offset < cp)
            cp = s->lanes[i].head->offset;
    return cp;
}

void esm_shard_report(esm_shard *s, const char *phase)
{
    uint64_t cp = checkpoint_of(s);
    esm_progress *p = s->runner->progress;
    pthread_mutex_lock(&p->mu);
    esm_shard_progress *sp = esm_progress_shard(p, s->view.index, s->view.id, cp);
    if (sp->checkpoint != cp) {
        sp->checkpoint = cp;
        sp->version++;
    }
    sp->read = s->read_pos;
    sp->committed = s->view.committed;
    snprintf(sp->phase, sizeof sp->phase, "%s", phase);
    pthread_mutex_unlock(&p->mu);
}

/* A shard's poller, starting at its checkpoint (a child shard new to the mapping: at its
 * beginning, which is recorded as its checkpoint). */
static esm_shard *shard_new(esm_runner *r, const kinesis_shard_view *view)
{
    esm_shard *s = calloc(1, sizeof *s);
    if (!s || !(s->lanes = calloc((size_t)r->cfg->parallelization, sizeof *s->lanes)))
        abort();
    s->runner = r;
    s->view = *view;
    for (int i = 0; i < r->cfg->parallelization; i++)
        s->lanes[i].shard = s;
    pthread_mutex_lock(&r->progress->mu);
    s->read_pos =
        esm_progress_shard(r->progress, view->index, view->id, view->trim_horizon)->checkpoint;
    pthread_mutex_unlock(&r->progress->mu);
    return s;
}

static void shard_free(esm_shard *s)
{
    for (int i = 0; i < s->runner->cfg->parallelization; i++)
        esm_lane_clear(&s->lanes[i]);
    free(s->lanes);
    free(s);
}

static bool parents_finished(const esm_shard *s)
{
    const esm_runner *r = s->runner;
    int parents[2] = {s->view.parent, s->view.adjacent_parent};
    for (int i = 0; i < 2; i++)
        if (parents[i] >= 0 && parents[i] < r->n_shards && !r->shards[parents[i]]->finished)
            return false;
    return true;
}

/* One read's state: where records go. */
typedef struct read_ctx {
    esm_shard *shard;  /* read */
    int64_t now_ms;    /* the pump's time */
    uint64_t filtered; /* records FilterCriteria left out */
} read_ctx;

static uint32_t key_hash(const char *key, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)key[i]) * 16777619u;
    return h;
}

static bool take_record(const kinesis_record *rec, void *arg)
{
    read_ctx *ctx = arg;
    esm_runner *r = ctx->shard->runner;
    if (!esm_filter_record(r->filters, r->n_filters, rec->data, rec->data_len)) {
        ctx->filtered++;
        return true;
    }
    int lane = (int)(key_hash(rec->partition_key, rec->partition_key_len) %
                     (uint32_t)r->cfg->parallelization);
    esm_lane_add(&ctx->shard->lanes[lane], esm_record_new(rec, ctx->now_ms));
    return true;
}

static void count_filtered(esm_shard *s, uint64_t filtered, const char *error)
{
    esm_progress *p = s->runner->progress;
    pthread_mutex_lock(&p->mu);
    esm_shard_progress *sp = esm_progress_find(p, s->view.index);
    if (sp) {
        sp->filtered += filtered;
        if (error)
            snprintf(sp->last_error, sizeof sp->last_error, "%s", error);
    }
    pthread_mutex_unlock(&p->mu);
}

/* Reads committed records into the lanes while they hold less than a few batches. */
static void read_more(esm_shard *s, int64_t now_ms)
{
    const esm_config *c = s->runner->cfg;
    int held_max = 2 * c->batch_size * c->parallelization;
    if (held_max < SHARD_HELD_MIN)
        held_max = SHARD_HELD_MIN;
    while (s->held < held_max && s->held_bytes < SHARD_HELD_MAX_BYTES &&
           s->read_pos < s->view.committed) {
        read_ctx ctx = {s, now_ms, 0};
        uint64_t next;
        aws_error err;
        aws_error_init(&err);
        int rc =
            kinesis_read(&s->runner->src, s->view.index, s->read_pos, (size_t)(held_max - s->held),
                         READ_MAX_BYTES, take_record, &ctx, &next, &err);
        count_filtered(s, ctx.filtered, rc ? err.message.data : NULL);
        aws_error_free(&err);
        if (rc != 0 || next == s->read_pos)
            break;
        s->read_pos = next;
    }
}

static const char *shard_phase(const esm_shard *s, int64_t now_ms)
{
    if (s->finished)
        return "finished";
    const char *phase = s->held ? "batching" : "reading";
    for (int i = 0; i < s->runner->cfg->parallelization; i++) {
        if (s->lanes[i].invoking)
            return "invoking";
        if (s->lanes[i].not_before_ms > now_ms)
            phase = "retrying";
    }
    return phase;
}

static void shard_pump(esm_shard *s, int64_t now_ms)
{
    if (s->finished)
        return;
    if (!parents_finished(s)) {
        esm_shard_report(s, "waiting-for-parent");
        return;
    }
    read_more(s, now_ms);
    bool idle = true;
    for (int i = 0; i < s->runner->cfg->parallelization; i++) {
        esm_lane_step(&s->lanes[i], now_ms);
        idle = idle && esm_lane_idle(&s->lanes[i]);
    }
    s->finished = idle && kinesis_shard_finished(&s->view, s->read_pos);
    esm_shard_report(s, shard_phase(s, now_ms));
}

/* --- runners --------------------------------------------------------------------------------- */

static void set_result(esm_runner *r, const char *result)
{
    pthread_mutex_lock(&r->progress->mu);
    snprintf(r->progress->last_result, sizeof r->progress->last_result, "%s", result);
    pthread_mutex_unlock(&r->progress->mu);
}

/* The stream was deleted and created again: its checkpoints are of another stream. */
static void forget_stream(esm_runner *r, uint64_t uid)
{
    for (int i = 0; i < r->n_shards; i++)
        shard_free(r->shards[i]);
    r->n_shards = 0;
    pthread_mutex_lock(&r->progress->mu);
    if (r->progress->stream_uid != uid)
        r->progress->n_shards = 0;
    r->progress->stream_uid = uid;
    pthread_mutex_unlock(&r->progress->mu);
}

/* Takes the stream as it is now: its new shards get pollers. False when it cannot be read. */
static bool refresh_source(esm_runner *r)
{
    kinesis_source src;
    aws_error err;
    aws_error_init(&err);
    if (kinesis_source_resolve(r->cfg->source_arn, &src, &err) != 0) {
        set_result(r, "PROBLEM: Stream not found");
        aws_error_free(&err);
        return false;
    }
    aws_error_free(&err);
    if (src.stream_uid != r->src.stream_uid)
        forget_stream(r, src.stream_uid);
    kinesis_source_free(&r->src);
    r->src = src;
    if (r->n_shards < src.shard_count) {
        r->shards = realloc(r->shards, (size_t)src.shard_count * sizeof *r->shards);
        if (!r->shards)
            abort();
        for (int i = r->n_shards; i < src.shard_count; i++)
            r->shards[i] = shard_new(r, &src.shards[i]);
        r->n_shards = src.shard_count;
    }
    for (int i = 0; i < r->n_shards; i++)
        r->shards[i]->view = src.shards[i];
    return src.readable;
}

static void runner_pump(esm_runner *r, int64_t now_ms)
{
    if (!refresh_source(r))
        return;
    for (int i = 0; i < r->n_shards; i++)
        shard_pump(r->shards[i], now_ms);
}

static esm_runner *runner_new(const esm_mapping *m)
{
    esm_runner *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    r->cfg = esm_config_copy(m->cfg);
    r->progress = esm_progress_ref(m->progress);
    pthread_mutex_lock(&r->progress->mu);
    r->src.stream_uid = r->progress->stream_uid; /* the checkpoints' stream */
    pthread_mutex_unlock(&r->progress->mu);
    json_object *patterns = r->cfg->filters ? json_tokener_parse(r->cfg->filters) : NULL;
    size_t n = patterns ? json_object_array_length(patterns) : 0;
    r->filters = calloc(n ? n : 1, sizeof *r->filters);
    if (!r->filters)
        abort();
    for (size_t i = 0; i < n; i++) {
        json_object *p =
            json_tokener_parse(json_object_get_string(json_object_array_get_idx(patterns, i)));
        if (p)
            r->filters[r->n_filters++] = p;
    }
    json_object_put(patterns);
    return r;
}

static void runner_free(esm_runner *r)
{
    for (int i = 0; i < r->n_shards; i++)
        shard_free(r->shards[i]);
    free(r->shards);
    for (size_t i = 0; i < r->n_filters; i++)
        json_object_put(r->filters[i]);
    free(r->filters);
    kinesis_source_free(&r->src);
    esm_progress_unref(r->progress);
    esm_config_free(r->cfg);
    free(r);
}

/* Stops a runner: what it holds is dropped now (its checkpoints stay where they are); it is
 * freed once its invocations came back. */
static void runner_stop(esm_runner *r)
{
    r->stopping = true;
    for (int i = 0; i < r->n_shards; i++)
        for (int k = 0; k < r->cfg->parallelization; k++)
            esm_lane_clear(&r->shards[i]->lanes[k]);
}

static esm_runner *runner_of(const char *uuid)
{
    for (esm_runner *r = pollers.runners; r; r = r->next)
        if (strcmp(r->cfg->uuid, uuid) == 0)
            return r;
    return NULL;
}

/* Frees the stopped runners whose invocations all came back. */
static void free_released(void)
{
    for (esm_runner **at = &pollers.runners; *at;) {
        esm_runner *r = *at;
        if (r->stopping && r->in_flight == 0) {
            *at = r->next;
            runner_free(r);
        } else {
            at = &r->next;
        }
    }
}

static void on_timer(uv_timer_t *timer);

/* One pass over every runner, then the timer for the earliest wake-up asked for. */
static void pump_all(void)
{
    if (pollers.stopped || !pollers.timer_ready)
        return;
    int64_t now_ms = clock_now_ms();
    pollers.wake_at = now_ms + RESYNC_MS;
    for (esm_runner *r = pollers.runners; r; r = r->next)
        if (!r->stopping)
            runner_pump(r, now_ms);
    int64_t delay = pollers.wake_at - clock_now_ms();
    uv_timer_start(&pollers.timer, on_timer, delay > 0 ? (uint64_t)delay : 0, 0);
}

static void on_timer(uv_timer_t *timer)
{
    (void)timer;
    pump_all();
}

void esm_pump(void)
{
    pump_all();
}

/* Matches the runners to the published mappings: a mapping changed, disabled or deleted stops
 * its runner; one that polls and has none (its old one gone) gets one. */
static void sync_runners(void *arg)
{
    (void)arg;
    if (pollers.stopped || !pollers.timer_ready)
        return;
    pthread_rwlock_rdlock(&lambda_lock);
    for (esm_runner *r = pollers.runners; r; r = r->next) {
        const esm_mapping *m = esm_find(r->cfg->uuid);
        if (!r->stopping &&
            (!m || !esm_config_polls(m->cfg) || m->cfg->generation != r->cfg->generation))
            runner_stop(r);
    }
    free_released();
    for (int i = 0; i < esm_count(); i++) {
        const esm_mapping *m = esm_at(i);
        if (esm_config_polls(m->cfg) && !runner_of(m->cfg->uuid)) {
            esm_runner *r = runner_new(m);
            r->next = pollers.runners;
            pollers.runners = r;
        }
    }
    pthread_rwlock_unlock(&lambda_lock);
    pump_all();
}

void esm_runner_released(esm_runner *r)
{
    if (r->in_flight == 0)
        sync_runners(NULL);
}

/* --- lifecycle ------------------------------------------------------------------------------- */

static void start_job(void *arg)
{
    if (pollers.stopped)
        return;
    uv_timer_init(envmgr_loop(), &pollers.timer);
    pollers.timer_ready = true;
    atomic_store(&pollers.started, true);
    sync_runners(arg);
}

void esm_start(void)
{
    envmgr_post(start_job, NULL);
}

void esm_changed(void)
{
    envmgr_post(sync_runners, NULL);
}

static void pump_job(void *arg)
{
    (void)arg;
    atomic_store(&pollers.pump_posted, false);
    pump_all();
}

void esm_on_durable(void)
{
    if (atomic_load(&pollers.started) && !atomic_exchange(&pollers.pump_posted, true))
        envmgr_post(pump_job, NULL);
}

static void stop_job(void *arg)
{
    (void)arg;
    pollers.stopped = true;
    atomic_store(&pollers.started, false);
    for (esm_runner *r = pollers.runners; r; r = r->next)
        runner_stop(r);
    if (pollers.timer_ready && !uv_is_closing((uv_handle_t *)&pollers.timer))
        uv_close((uv_handle_t *)&pollers.timer, NULL);
}

void esm_stop(void)
{
    envmgr_post(stop_job, NULL);
}

void esm_free_pollers(void)
{
    while (pollers.runners) {
        esm_runner *r = pollers.runners;
        pollers.runners = r->next;
        runner_free(r);
    }
}
