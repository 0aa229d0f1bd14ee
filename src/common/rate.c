/* rate.c - token buckets as GCRA gates (see rate.h). */
#include "rate.h"

bool rate_open(const rate_gate *g, const rate_limit *r, int64_t now_ns)
{
    return g->paid_at_ns - now_ns < r->burst_ns;
}

void rate_charge(rate_gate *g, const rate_limit *r, uint64_t units, int64_t now_ns)
{
    int64_t from = g->paid_at_ns > now_ns ? g->paid_at_ns : now_ns;
    g->paid_at_ns = from + (int64_t)((__int128)units * RATE_SECOND_NS / r->per_second);
}

bool rate_take(rate_gate *g, const rate_limit *r, uint64_t units, int64_t now_ns)
{
    if (!rate_open(g, r, now_ns))
        return false;
    rate_charge(g, r, units, now_ns);
    return true;
}

uint64_t rate_room(const rate_gate *g, const rate_limit *r, int64_t now_ns)
{
    int64_t debt = g->paid_at_ns > now_ns ? g->paid_at_ns - now_ns : 0;
    if (debt >= r->burst_ns)
        return 0;
    __int128 scaled = (__int128)(r->burst_ns - debt) * r->per_second;
    return (uint64_t)((scaled + RATE_SECOND_NS - 1) / RATE_SECOND_NS);
}

bool rate_idle(const rate_gate *g, int64_t now_ns)
{
    return g->paid_at_ns <= now_ns;
}
