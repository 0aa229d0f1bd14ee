/* metrics.h - the metrics registry's recording side: what any part of kinesd calls to count and
 * time what it does (src/kinesis for AWS/Kinesis, the queue and function services for AWS/SQS and
 * AWS/Lambda, the monitoring service for kinesd's own health).
 *
 * A metric is named as CloudWatch names one: an owner (account and region), a namespace, a metric
 * name and a set of dimensions. Each call adds one sample (a value in a unit); CloudWatch's
 * statistics (SampleCount, Sum, Average, Minimum, Maximum and percentiles) are computed over the
 * samples of each period, and every metric keeps a histogram for its percentiles.
 *
 * Cost: a sample goes into the calling thread's own table - one hash of the names, a probe, a few
 * additions - under a mutex that only this thread and the collector take, the collector once a
 * second: no lock or atomic is shared between the loops. The monitoring service's collector
 * merges every thread's table each second into the history (one-second points for the last hour,
 * one-minute points for 15 days) that the CloudWatch API and GET /metrics read. The first sample
 * of a metric on a thread also takes the registry's lock once, to find or create the metric.
 *
 * The kind only says how GET /metrics (Prometheus) shows a metric; the first call that creates a
 * metric fixes its kind and unit. With metrics off (kinesd --metrics off) every call returns at
 * once. Strings are copied; the caller keeps ownership. Any thread may call. */
#ifndef KINESD_METRICS_H
#define KINESD_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#define METRIC_MAX_DIMS 30 /* CloudWatch's limit of dimensions per metric */

typedef enum {
    METRIC_COUNTER,   /* Prometheus: <name>_total, the sum of the samples since start */
    METRIC_GAUGE,     /* Prometheus: the latest sample */
    METRIC_HISTOGRAM, /* Prometheus: <name>_bucket, _sum and _count */
} metric_kind;

/* CloudWatch's StandardUnit values, in the model's order. */
typedef enum {
    UNIT_SECONDS,
    UNIT_MICROSECONDS,
    UNIT_MILLISECONDS,
    UNIT_BYTES,
    UNIT_KILOBYTES,
    UNIT_MEGABYTES,
    UNIT_GIGABYTES,
    UNIT_TERABYTES,
    UNIT_BITS,
    UNIT_KILOBITS,
    UNIT_MEGABITS,
    UNIT_GIGABITS,
    UNIT_TERABITS,
    UNIT_PERCENT,
    UNIT_COUNT,
    UNIT_BYTES_PER_SECOND,
    UNIT_KILOBYTES_PER_SECOND,
    UNIT_MEGABYTES_PER_SECOND,
    UNIT_GIGABYTES_PER_SECOND,
    UNIT_TERABYTES_PER_SECOND,
    UNIT_BITS_PER_SECOND,
    UNIT_KILOBITS_PER_SECOND,
    UNIT_MEGABITS_PER_SECOND,
    UNIT_GIGABITS_PER_SECOND,
    UNIT_TERABITS_PER_SECOND,
    UNIT_COUNT_PER_SECOND,
    UNIT_NONE,
    UNIT_COUNT_OF_UNITS
} metric_unit;

/* "Milliseconds"; metric_unit_parse gives -1 for a name that is no unit. */
const char *metric_unit_name(metric_unit unit);
int metric_unit_parse(const char *name);

typedef struct metric_dim {
    const char *name;  /* "StreamName" */
    const char *value; /* "orders" */
} metric_dim;

/* Where samples go: everything of a metric's name but the metric name itself. */
typedef struct metric_scope {
    const char *account;    /* the owner's account; NULL: kinesd's own, shown to every account */
    const char *region;     /* the owner's region; NULL when account is */
    const char *ns;         /* the namespace: "AWS/Kinesis" */
    const metric_dim *dims; /* its dimensions */
    int n_dims;             /* 0 .. METRIC_MAX_DIMS; their order does not matter */
} metric_scope;

/* One sample of metric `name` in scope. */
void metric_add(const metric_scope *scope, const char *name, metric_kind kind, double value,
                metric_unit unit);

/* Several samples in one scope, cheaper than as many metric_add calls. */
typedef struct metric_sample {
    const char *name; /* the metric's name: "IncomingRecords" */
    metric_kind kind; /* how GET /metrics shows it */
    double value;     /* the sample */
    metric_unit unit; /* its unit */
} metric_sample;
void metric_add_all(const metric_scope *scope, const metric_sample *samples, size_t n);

/* Whether samples are recorded (set once at start-up by the monitoring service). */
bool metrics_enabled(void);
void metrics_set_enabled(bool on);

#endif
