/* collect.c - the collector (see collect.h). Its state is the control thread's alone, except the
 * series' totals, which it updates under series_export_lock. */
#include "collect.h"

#include <stdlib.h>
#include <string.h>

#include "health.h"

#define PRUNE_EVERY_S 60

static struct {
    history *h;         /* written to; NULL before collector_start */
    int64_t second;     /* the second being collected now (seconds since the epoch) */
    int64_t next_prune; /* when the history is pruned next */
    series **touched;   /* series with pending samples */
    size_t n_touched;   /* how many */
    size_t cap_touched; /* room for */
} col;

void collector_start(history *h, int64_t now_ms)
{
    col.h = h;
    col.second = now_ms / 1000;
    col.next_prune = col.second;
}

history *collector_history(void)
{
    return col.h;
}

static void touch(series *s)
{
    if (s->touched)
        return;
    if (col.n_touched == col.cap_touched) {
        col.cap_touched = col.cap_touched ? col.cap_touched * 2 : 64;
        col.touched = realloc(col.touched, col.cap_touched * sizeof *col.touched);
        if (!col.touched)
            abort();
    }
    col.touched[col.n_touched++] = s;
    s->touched = true;
}

static void on_drained(series *s, const stat_acc *acc, const uint32_t *hist, void *arg)
{
    (void)arg;
    acc_merge(&s->pending, acc);
    if (!s->pending_hist)
        s->pending_hist = hist_new();
    for (int b = 0; b < HIST_BUCKETS; b++)
        s->pending_hist[b] += hist[b];
    touch(s);
}

/* Adds a summary to the series' totals. Caller holds series_export_lock exclusively. */
static void add_to_total(series *s, const stat_acc *acc, const double *hist)
{
    acc_merge(&s->total, acc);
    if (!hist)
        return;
    if (!s->total_hist)
        s->total_hist = hist_new();
    for (int b = 0; b < HIST_BUCKETS; b++)
        s->total_hist[b] += hist[b];
}

/* Notes a sample at now_ms; the stored recency is updated once a minute. */
static void note_recent(series *s, int64_t now_ms)
{
    bool new_minute = s->last_ms / 60000 != now_ms / 60000;
    s->last_ms = now_ms;
    if (new_minute && s->db_id)
        history_touch(col.h, s);
}

static void write_pending(series *s, int64_t second, int64_t now_ms)
{
    note_recent(s, now_ms);
    history_add(col.h, s, 1, second, &s->pending, s->pending_hist);
    history_add(col.h, s, 60, second - second % 60, &s->pending, s->pending_hist);
    add_to_total(s, &s->pending, s->pending_hist);
    memset(&s->pending, 0, sizeof s->pending);
    memset(s->pending_hist, 0, HIST_BUCKETS * sizeof *s->pending_hist);
    s->touched = false;
}

static void collect(int64_t second, int64_t now_ms)
{
    health_poll();
    metrics_drain(on_drained, NULL);
    if (col.n_touched) {
        history_begin(col.h);
        pthread_rwlock_wrlock(&series_export_lock);
        for (size_t i = 0; i < col.n_touched; i++)
            write_pending(col.touched[i], second, now_ms);
        pthread_rwlock_unlock(&series_export_lock);
        history_commit(col.h);
        col.n_touched = 0;
    }
    if (second >= col.next_prune) {
        history_prune(col.h, second);
        col.next_prune = second + PRUNE_EVERY_S;
    }
}

void collector_tick(int64_t now_ms)
{
    int64_t now_s = now_ms / 1000;
    if (!col.h || now_s <= col.second)
        return;
    collect(now_s - 1, now_ms);
    col.second = now_s;
}

void collector_finish(int64_t now_ms)
{
    if (col.h)
        collect(now_ms / 1000, now_ms);
    free(col.touched);
    memset(&col, 0, sizeof col);
}

int collector_put(series *s, int64_t t_ms, const stat_acc *acc, const double *hist, int64_t now_ms)
{
    int64_t t = t_ms / 1000; /* PutMetricData takes recent times only: t > 0 */
    if (s->last_ms < t_ms)
        note_recent(s, t_ms < now_ms ? t_ms : now_ms);
    if (t >= now_ms / 1000 - HISTORY_SECONDS_KEPT && history_add(col.h, s, 1, t, acc, hist) != 0)
        return -1;
    if (history_add(col.h, s, 60, t - t % 60, acc, hist) != 0)
        return -1;
    pthread_rwlock_wrlock(&series_export_lock);
    add_to_total(s, acc, hist);
    pthread_rwlock_unlock(&series_export_lock);
    return 0;
}
