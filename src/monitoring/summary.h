/* summary.h - what the registry keeps of a run of samples: their count, sum, minimum, maximum and
 * latest value (a stat_acc), and their distribution in a log-linear histogram from which
 * percentiles are estimated.
 *
 * The histogram has HIST_SUB buckets per power of two (each about 9 % wide, so a percentile is
 * within a few percent of the true value, and clamped to the true minimum and maximum) from
 * 2^HIST_MIN_EXP to 2^(HIST_MIN_EXP + HIST_OCTAVES); bucket 0 holds zero and negative values, and
 * values beyond the range fall into the first or last bucket. Counts are doubles, as CloudWatch's
 * PutMetricData counts are. */
#ifndef KINESD_MONITORING_SUMMARY_H
#define KINESD_MONITORING_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/buf.h"

typedef struct stat_acc {
    double count; /* samples (0: the rest is meaningless) */
    double sum;
    double min;
    double max;
    double last; /* the latest sample (gauges) */
} stat_acc;

/* Adds `count` samples of value v (count 1 for one sample). */
void acc_add(stat_acc *a, double v, double count);
/* Adds what `from` summarises to `into`; from's latest value becomes into's. */
void acc_merge(stat_acc *into, const stat_acc *from);

#define HIST_SUB 8
#define HIST_MIN_EXP (-24)
#define HIST_OCTAVES 64
#define HIST_BUCKETS (1 + HIST_OCTAVES * HIST_SUB)

/* The bucket of value v, and the bounds of bucket b (bucket 0: [-inf, 0]). */
int hist_bucket(double v);
double hist_bucket_low(int b);
double hist_bucket_high(int b);
/* The first bucket of octave o (0 .. HIST_OCTAVES): its low bound is 2^(HIST_MIN_EXP + o). */
int hist_octave_bucket(int o);

/* The p-th percentile (0 < p <= 100) of the `total` samples counted in counts (HIST_BUCKETS of
 * them), interpolated within its bucket and clamped to [min, max]. */
double hist_percentile(const double *counts, double total, double p, double min, double max);

/* A histogram as bytes (sparse: the non-empty buckets only), and back, added into counts (and
 * the samples it counts into *added, when not NULL); false when the bytes are not one. */
void hist_encode(const double *counts, kbuf *out);
bool hist_decode_add(const void *bytes, size_t len, double *counts, double *added);

/* A zeroed histogram (aborts when memory is out); free with free(). */
double *hist_new(void);

#endif
