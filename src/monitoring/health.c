/* health.c - kinesd's health metrics (see health.h). */
#include "health.h"

#include <stdio.h>
#include <unistd.h>

#include "../core/service.h"
#include "../net/http.h"
#include "metrics.h"

static const metric_scope kinesd_scope = {NULL, NULL, HEALTH_NAMESPACE, NULL, 0};

void health_observe_request(const op_call *call, int status, int64_t elapsed_us)
{
    if (!call->operation || !call->service)
        return;
    metric_dim dims[] = {{"Service", call->service->name}, {"Operation", call->operation}};
    metric_scope scope = {NULL, NULL, HEALTH_NAMESPACE, dims, 2};
    metric_sample samples[] = {
        {"Requests", METRIC_COUNTER, 1, UNIT_COUNT},
        {"RequestLatency", METRIC_HISTOGRAM, (double)elapsed_us / 1000.0, UNIT_MILLISECONDS},
        {"RequestErrors", METRIC_COUNTER, 1, UNIT_COUNT},
    };
    metric_add_all(&scope, samples, status >= 400 ? 3 : 2);
}

void health_observe_cycle(const store_cycle_stats *stats, void *arg)
{
    (void)arg;
    metric_sample samples[] = {
        {"CommitBatchRecords", METRIC_HISTOGRAM, (double)stats->records, UNIT_COUNT},
        {"CommitBatchShards", METRIC_HISTOGRAM, (double)stats->logs, UNIT_COUNT},
        {"FsyncLatency", METRIC_HISTOGRAM, (double)stats->sync_ns / 1e6, UNIT_MILLISECONDS},
    };
    metric_add_all(&kinesd_scope, samples, stats->sync_ns >= 0 ? 3 : 2);
}

/* The process's resident memory in bytes; -1 when /proc cannot say. */
static double resident_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long long size, resident;
    bool ok = f && fscanf(f, "%lld %lld", &size, &resident) == 2;
    if (f)
        fclose(f);
    return ok ? (double)resident * (double)sysconf(_SC_PAGESIZE) : -1;
}

void health_poll(void)
{
    static unsigned long long accepted_before;
    http_connection_counts conns = http_connections();
    double rss = resident_bytes();
    metric_sample samples[] = {
        {"Connections", METRIC_GAUGE, (double)conns.open, UNIT_COUNT},
        {"ConnectionsAccepted", METRIC_COUNTER, (double)(conns.accepted - accepted_before),
         UNIT_COUNT},
        {"ResidentMemory", METRIC_GAUGE, rss, UNIT_BYTES},
    };
    accepted_before = conns.accepted;
    metric_add_all(&kinesd_scope, samples, rss >= 0 ? 3 : 2);
}
