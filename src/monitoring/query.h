/* query.h - a metric's history cut into periods, as GetMetricStatistics and GetMetricData ask for
 * it.
 *
 * Periods of a multiple of 60 seconds are made of one-minute points, and start at StartTime
 * rounded down to the minute; periods of 1, 5, 10 or 30 seconds are made of one-second points
 * (kept for the last hour), and start at StartTime rounded down to a multiple of the period.
 * Each period [t, t + period) that holds samples before EndTime is one datapoint; periods
 * without samples are left out, as CloudWatch leaves them out. */
#ifndef KINESD_MONITORING_QUERY_H
#define KINESD_MONITORING_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "history.h"

#define QUERY_MAX_DATAPOINTS 1440 /* GetMetricStatistics' limit */

typedef struct period_point {
    int64_t t;          /* the period's start, seconds since the epoch */
    stat_acc acc;       /* its samples */
    const double *hist; /* their histogram (HIST_BUCKETS counts) */
    bool whole;         /* the histogram counts every sample: percentiles can be given */
} period_point;

typedef void (*period_fn)(const period_point *p, void *arg);

/* Whether CloudWatch takes this period: 1, 5, 10, 30 or a multiple of 60. */
bool query_period_valid(int64_t period);
/* Where the first period starts. */
int64_t query_start(int64_t start_s, int64_t period);
/* How many periods [start, end) spans (the datapoints asked for). */
int64_t query_period_count(int64_t start_s, int64_t end_s, int64_t period);

/* Calls fn for each period with samples, in time order. -1 when the history cannot be read. */
int query_periods(history *h, const series *s, int64_t start_s, int64_t end_s, int64_t period,
                  period_fn fn, void *arg);

#endif
