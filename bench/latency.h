/* latency.h - collected latency samples and their percentiles. */
#ifndef KINESD_BENCH_LATENCY_H
#define KINESD_BENCH_LATENCY_H

#include <stddef.h>
#include <stdint.h>

typedef struct latency {
    int64_t *ns;
    size_t count;
    size_t cap;
    int sorted;
} latency;

#define LATENCY_INIT                                                                               \
    {                                                                                              \
        NULL, 0, 0, 0                                                                              \
    }

void latency_add(latency *l, int64_t ns);
/* The p-th percentile (0 < p <= 100, nearest rank) in milliseconds; 0 without samples. */
double latency_percentile_ms(latency *l, double p);
void latency_free(latency *l);

#endif
