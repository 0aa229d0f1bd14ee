/* stats.h - CloudWatch's statistics by name, and their values over a summary of samples:
 * SampleCount, Average, Sum, Minimum, Maximum, and percentiles pNN or pNN.NN (0 < NN <= 100,
 * at most two decimals), estimated from the histogram. Other extended statistics (trimmed means,
 * IQM, ...) are not kept. */
#ifndef KINESD_MONITORING_STATS_H
#define KINESD_MONITORING_STATS_H

#include <stdbool.h>

#include "summary.h"

typedef enum {
    STAT_SAMPLE_COUNT,
    STAT_AVERAGE,
    STAT_SUM,
    STAT_MINIMUM,
    STAT_MAXIMUM,
    STAT_PERCENTILE
} stat_kind;

typedef struct stat_spec {
    stat_kind kind;
    double p; /* STAT_PERCENTILE: 0 < p <= 100 */
} stat_spec;

/* A statistic's name: one of the five, or (when `extended`) a percentile. */
bool stat_parse(const char *name, bool extended, stat_spec *out);

/* The statistic over a summary and its histogram (HIST_BUCKETS counts; may be NULL when `whole`
 * is false). False when it cannot be given: a percentile of samples the histogram does not count
 * (statistic sets from PutMetricData), or of no samples. */
bool stat_value(const stat_spec *spec, const stat_acc *acc, const double *hist, bool whole,
                double *out);

#endif
