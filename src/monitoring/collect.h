/* collect.h - the collector: once a second, on the monitoring service's control thread, it polls
 * kinesd's health gauges, drains every thread's samples (metrics_drain) and writes them to the
 * history as the point of the second that just ended and into the point of its minute, in one
 * transaction; it also keeps each metric's totals since start for GET /metrics, and prunes the
 * history once a minute.
 *
 * Samples are dated by the collection that drains them: a sample taken in the last moments of a
 * second may be counted in the next one (the tick runs every 100 ms, so by at most that much). */
#ifndef KINESD_MONITORING_COLLECT_H
#define KINESD_MONITORING_COLLECT_H

#include <stdint.h>

#include "history.h"

/* Starts collecting into h (which the collector then uses; the caller still closes it). */
void collector_start(history *h, int64_t now_ms);
/* The service's tick (every 100 ms): collects once the wall clock entered a new second. */
void collector_tick(int64_t now_ms);
/* Collects what is left, at shutdown (after the control thread stopped). */
void collector_finish(int64_t now_ms);
history *collector_history(void);

/* Samples dated t_ms (PutMetricData): merged into their second (when within the hour kept) and
 * their minute, and into the totals. The caller holds a history transaction. -1 on error. */
int collector_put(series *s, int64_t t_ms, const stat_acc *acc, const double *hist, int64_t now_ms);

#endif
