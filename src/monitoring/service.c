/* service.c - the monitoring service: its operation table (every operation on the control thread,
 * where the collector runs; the IAM actions are CloudWatch's, on no resource, as AWS defines
 * them), its route, and its lifecycle (see monitoring.h). */
#include <stdio.h>

#include "../common/clock.h"
#include "../common/log.h"
#include "../core/dispatch.h"
#include "collect.h"
#include "cw_ops.h"
#include "health.h"
#include "monitoring.h"

#define TICK_MS 100

static const op_entry monitoring_ops[] = {
    {"GetMetricStatistics", cw_get_metric_statistics, OP_CONTROL, "cloudwatch:GetMetricStatistics",
     NULL},
    {"GetMetricData", cw_get_metric_data, OP_CONTROL, "cloudwatch:GetMetricData", NULL},
    {"ListMetrics", cw_list_metrics, OP_CONTROL, "cloudwatch:ListMetrics", NULL},
    {"PutMetricData", cw_put_metric_data, OP_CONTROL, "cloudwatch:PutMetricData", NULL},
    {NULL, NULL, OP_LOOP, NULL, NULL},
};

static const service_route monitoring_routes[] = {
    {"GET", MONITORING_METRICS_PATH, prometheus_serve, false}, /* scrapers do not sign */
    {NULL, NULL, NULL, false},
};

service monitoring_service = {
    .name = "monitoring",
    .model = MODEL_CLOUDWATCH,
    .ops = monitoring_ops,
    .lock = NULL, /* no operation reads the service's state on a loop thread */
    .routes = monitoring_routes,
    .tick = collector_tick,
    .tick_ms = TICK_MS,
    .own_validation = true,
};

static history *open_history;

int monitoring_open(store *st, bool record, int64_t max_bytes)
{
    kbuf path = KBUF_INIT;
    kbuf_printf(&path, "%s/metrics.sqlite", store_dir(st));
    open_history = history_open(path.data, max_bytes);
    kbuf_free(&path);
    if (!open_history || history_load_series(open_history) != 0) {
        history_close(open_history);
        open_history = NULL;
        return -1;
    }
    collector_start(open_history, clock_now_ms());
    metrics_set_enabled(record);
    if (record) {
        dispatch_set_observer(health_observe_request);
        store_set_cycle_observer(st, health_observe_cycle, NULL);
    }
    return 0;
}

void monitoring_close(void)
{
    dispatch_set_observer(NULL);
    collector_finish(clock_now_ms());
    metrics_set_enabled(false);
    history_close(open_history);
    open_history = NULL;
    metrics_reset();
}
