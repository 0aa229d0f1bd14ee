/* series.h - the registry's metrics (series) as the monitoring service sees them: every metric
 * ever recorded (or loaded from the history), the per-thread tables their samples wait in, and the
 * drain the collector empties those into once a second (metrics.c).
 *
 * A series is created once (under the registry's lock) and lives until metrics_reset; its name
 * fields never change. The rest belongs to one party each:
 *   db_id, pending, pending_hist, touched, last_ms   the collector (the monitoring service's
 *                                                  control thread)
 *   total, total_hist, has_total                   under series_export_lock: the collector writes,
 *                                                  GET /metrics reads (any loop thread) */
#ifndef KINESD_MONITORING_SERIES_H
#define KINESD_MONITORING_SERIES_H

#include <pthread.h>
#include <stdint.h>

#include "metrics.h"
#include "summary.h"

typedef struct series {
    uint64_t hash;         /* of its name (series_hash) */
    const char *account;   /* "" for kinesd's own */
    const char *region;    /* "" for kinesd's own */
    const char *ns;        /* namespace */
    const char *name;      /* metric name */
    metric_dim *dims;      /* sorted by name */
    int n_dims;            /* how many */
    metric_kind kind;      /* how Prometheus shows it */
    metric_unit unit;      /* of its samples */
    struct series *bucket; /* next in its hash bucket (registry lock) */
    struct series *older;  /* next in the list of all series, newest first (immutable) */

    int64_t db_id;        /* its row in the history; 0 until written */
    stat_acc pending;     /* samples collected and not yet written */
    double *pending_hist; /* their histogram; NULL until needed */
    bool touched;         /* on the collector's list of series to write */
    int64_t last_ms;      /* time of its latest sample (ListMetrics' recency) */

    stat_acc total;     /* every sample since start (GET /metrics) */
    double *total_hist; /* their histogram; NULL until needed */
} series;

/* Guards every series' total and total_hist. */
extern pthread_rwlock_t series_export_lock;

/* The series of scope and name, created when new (NULL when the registry is full or the scope has
 * too many dimensions). The hash must be series_hash(scope, name). */
uint64_t series_hash(const metric_scope *scope, const char *name);
series *series_get(const metric_scope *scope, const char *name, uint64_t hash, metric_kind kind,
                   metric_unit unit);
/* The series exactly so named, or NULL. */
series *series_find(const metric_scope *scope, const char *name);
/* The newest series; follow ->older for the others. Any thread. */
series *series_newest(void);

/* Calls fn for every series that received samples on any thread since the last drain, with what
 * they received (hist: HIST_BUCKETS counts), and empties those tables; frees the tables of threads
 * that exited. The collector's only. */
typedef void (*series_drain_fn)(series *s, const stat_acc *acc, const uint32_t *hist, void *arg);
void metrics_drain(series_drain_fn fn, void *arg);

/* Frees every series and table (at shutdown, when no thread records anymore; tests). */
void metrics_reset(void);

#endif
