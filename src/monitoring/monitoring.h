/* monitoring.h - the monitoring service, as kinesd/main.c wires it: the metrics registry
 * (metrics.h, for every service to record into), its history on disk, the CloudWatch API
 * (GetMetricStatistics, GetMetricData, ListMetrics, PutMetricData: JSON 1.0 and Smithy RPC v2
 * CBOR) and GET /metrics for Prometheus.
 *
 * monitoring_open loads the history (<data-dir>/metrics.sqlite), switches recording on or off
 * (--metrics), and hooks the core's request observer and the store's cycle observer; then
 * monitoring_service is registered with the core, whose control thread runs the collector (its
 * tick) and the operations. monitoring_close runs last, once nothing records anymore (the HTTP
 * server, the services and the store are stopped): it collects what is left, closes the history
 * and frees the registry.
 *
 * For the console and other readers inside kinesd: the routes are GET /metrics (this file's
 * MONITORING_METRICS_PATH), and the CloudWatch operations serve every metric above; kinesd's own
 * health metrics are in the namespace MONITORING_NAMESPACE (health.h lists them). */
#ifndef KINESD_MONITORING_H
#define KINESD_MONITORING_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../core/service.h"
#include "../store/store.h"

#define MONITORING_NAMESPACE "kinesd"
#define MONITORING_METRICS_PATH "/metrics"

extern service monitoring_service;

/* -1 on error (logged). max_bytes bounds the history on disk. */
int monitoring_open(store *st, bool record, int64_t max_bytes);
void monitoring_close(void);

/* The Prometheus text of every metric (GET /metrics' body), appended to out. Any thread. */
void prometheus_write(kbuf *out);
/* The GET /metrics route's handler (loop thread). */
void prometheus_serve(http_exchange *ex, const http_request *req, const caller *who);

#endif
