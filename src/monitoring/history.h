/* history.h - the metrics history on disk: <data-dir>/metrics.sqlite, written and read only on the
 * monitoring service's control thread.
 *
 * Every series that ever had a sample is a row of `series` (its name, dimensions, kind, unit and
 * latest sample time). Its samples are summarised in `points`: one row per series, resolution
 * (step: 1 or 60 seconds) and start time, holding the count, sum, minimum, maximum, latest value
 * and histogram of the samples in that second or minute. A point only ever grows: history_add
 * merges a summary into it (an upsert that adds counts and merges histograms), so the collector's
 * one-second batches and PutMetricData's timestamped samples go to the same rows, and a restart
 * in the middle of a minute loses nothing written.
 *
 * The history is bounded: one-second points are kept for HISTORY_SECONDS_KEPT, one-minute points
 * for HISTORY_MINUTES_KEPT seconds, and when the file's live pages exceed the configured size the
 * oldest points go first. SQLite runs in WAL mode with synchronous=NORMAL: a commit costs no
 * fsync (a power cut may lose the last seconds of metrics; never the streams' data). */
#ifndef KINESD_MONITORING_HISTORY_H
#define KINESD_MONITORING_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "series.h"

#define HISTORY_SECONDS_KEPT 3600                /* one-second points: the last hour */
#define HISTORY_MINUTES_KEPT (15 * 86400 + 3600) /* one-minute points: 15 days (and an hour) */

typedef struct history history;

/* Opens (creating) the file; max_bytes bounds its live pages. NULL on error (logged). */
history *history_open(const char *path, int64_t max_bytes);
void history_close(history *h);

/* Registers every stored series with the registry (series_get), with its row id and latest sample
 * time, so that ListMetrics shows them and new samples go to the same rows. -1 on error. */
int history_load_series(history *h);

/* A transaction around several writes (the collector's second, one PutMetricData). */
int history_begin(history *h);
int history_commit(history *h);
void history_rollback(history *h);

/* Merges a summary (hist: HIST_BUCKETS counts, or NULL) into the point of s at (step, t seconds);
 * gives s its row first if it has none. -1 on error (logged). */
int history_add(history *h, series *s, int step, int64_t t, const stat_acc *acc,
                const double *hist);
/* Stores s->last_ms (ListMetrics' recency survives a restart). */
int history_touch(history *h, const series *s);

/* Calls fn with every point of s at `step` whose start is in [from, to), in time order; hist is
 * the histogram as history stores it (summary.h's encoding). -1 on error. */
typedef void (*history_point_fn)(int64_t t, const stat_acc *acc, const void *hist, size_t hist_len,
                                 void *arg);
int history_read(history *h, const series *s, int step, int64_t from, int64_t to,
                 history_point_fn fn, void *arg);

/* Drops the points older than they are kept at now_s, then the oldest ones while the file is
 * over its size. */
void history_prune(history *h, int64_t now_s);

#endif
