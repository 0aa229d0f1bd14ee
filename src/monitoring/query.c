/* query.c - periods over the history (see query.h): the points of the period's resolution are
 * read in time order and summed into the period they start in; a period is handed out when the
 * first point of a later one arrives, and after the last point. */
#include "query.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

bool query_period_valid(int64_t period)
{
    return period == 1 || period == 5 || period == 10 || period == 30 ||
           (period > 0 && period % 60 == 0);
}

static int64_t floor_to(int64_t t, int64_t unit)
{
    return t - ((t % unit) + unit) % unit;
}

int64_t query_start(int64_t start_s, int64_t period)
{
    return floor_to(start_s, period % 60 == 0 ? 60 : period);
}

int64_t query_period_count(int64_t start_s, int64_t end_s, int64_t period)
{
    int64_t span = end_s - query_start(start_s, period);
    return span <= 0 ? 0 : (span + period - 1) / period;
}

typedef struct cutter {
    int64_t start;        /* of the first period */
    int64_t period;       /* its length */
    period_point current; /* the period being summed; acc.count 0 when none */
    double *hist;         /* its histogram */
    double hist_total;    /* what its histogram counts */
    period_fn fn;         /* handed each period */
    void *arg;            /* fn's */
} cutter;

static void hand_out(cutter *c)
{
    if (c->current.acc.count <= 0)
        return;
    c->current.hist = c->hist;
    c->current.whole = fabs(c->hist_total - c->current.acc.count) <= 1e-9 * c->current.acc.count;
    c->fn(&c->current, c->arg);
    memset(&c->current.acc, 0, sizeof c->current.acc);
    memset(c->hist, 0, HIST_BUCKETS * sizeof *c->hist);
    c->hist_total = 0;
}

static void on_point(int64_t t, const stat_acc *acc, const void *hist, size_t hist_len, void *arg)
{
    cutter *c = arg;
    int64_t period_start = c->start + (t - c->start) / c->period * c->period;
    if (period_start != c->current.t)
        hand_out(c);
    c->current.t = period_start;
    acc_merge(&c->current.acc, acc);
    if (hist)
        hist_decode_add(hist, hist_len, c->hist, &c->hist_total);
}

int query_periods(history *h, const series *s, int64_t start_s, int64_t end_s, int64_t period,
                  period_fn fn, void *arg)
{
    cutter c = {.start = query_start(start_s, period), .period = period, .fn = fn, .arg = arg};
    c.current.t = c.start;
    c.hist = hist_new();
    int step = period % 60 == 0 ? 60 : 1;
    int rc = history_read(h, s, step, c.start, end_s, on_point, &c);
    if (rc == 0)
        hand_out(&c);
    free(c.hist);
    return rc;
}
