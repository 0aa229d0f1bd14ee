/* latency.c - latency samples and percentiles (see latency.h). */
#include "latency.h"

#include <stdlib.h>

void latency_add(latency *l, int64_t ns)
{
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->ns = realloc(l->ns, l->cap * sizeof(*l->ns));
        if (!l->ns)
            abort();
    }
    l->ns[l->count++] = ns;
    l->sorted = 0;
}

static int compare_ns(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

double latency_percentile_ms(latency *l, double p)
{
    if (l->count == 0)
        return 0;
    if (!l->sorted) {
        qsort(l->ns, l->count, sizeof(*l->ns), compare_ns);
        l->sorted = 1;
    }
    double exact = p / 100.0 * (double)l->count;
    size_t rank = (size_t)exact;
    if ((double)rank < exact)
        rank++;
    if (rank < 1)
        rank = 1;
    return (double)l->ns[rank - 1] / 1e6;
}

void latency_free(latency *l)
{
    free(l->ns);
    *l = (latency)LATENCY_INIT;
}
