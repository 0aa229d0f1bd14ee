/* health.h - kinesd's own health as metrics in the namespace "kinesd" (shown to every account):
 *
 *   Requests, RequestErrors (counters)    per Service and Operation: every API call answered, and
 *   RequestLatency (histogram, ms)        those answered with a status of 400 or more; the time
 *                                         from the request's arrival to its answer
 *   FsyncLatency (histogram, ms)          each commit cycle's fdatasyncs
 *   CommitBatchRecords, CommitBatchShards the records and shard logs one commit cycle made durable
 *     (histograms)                        (group commit's batch size)
 *   Connections (gauge), ConnectionsAccepted (counter), ResidentMemory (gauge, bytes)
 *
 * (Bytes on disk and segments per stream come from the Kinesis service.) */
#ifndef KINESD_MONITORING_HEALTH_H
#define KINESD_MONITORING_HEALTH_H

#include <stdint.h>

#include "../core/call.h"
#include "../store/store.h"
#include "monitoring.h"

#define HEALTH_NAMESPACE MONITORING_NAMESPACE

/* The core's observer (dispatch_set_observer): on a loop thread, for every answered call. */
void health_observe_request(const op_call *call, int status, int64_t elapsed_us);
/* The store's cycle observer (store_set_cycle_observer): on the storage thread. */
void health_observe_cycle(const store_cycle_stats *stats, void *arg);
/* Samples the gauges (the collector, once a second). */
void health_poll(void);

#endif
