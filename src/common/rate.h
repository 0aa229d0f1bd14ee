/* rate.h - a token bucket kept as one time: the moment its debt is paid (GCRA, the "generic cell
 * rate algorithm"). Work costs 1/per_second of a second per unit; a gate lets work in while its
 * debt (that moment minus now) is under the limit's burst, and the work admitted last may take
 * it past the burst. So a gate admits `per_second` units a second on average, and about one
 * burst's worth more at once after a pause. Callers lock: nothing here is atomic. */
#ifndef KINESD_RATE_H
#define KINESD_RATE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct rate_limit {
    int64_t per_second; /* units admitted a second, over time */
    int64_t burst_ns;   /* how much debt (in time) still lets work in */
} rate_limit;

typedef struct rate_gate {
    int64_t paid_at_ns; /* when the work admitted so far will have been paid for */
} rate_gate;

#define RATE_SECOND_NS 1000000000LL

/* Whether the gate lets work in at now_ns (a monotonic time). */
bool rate_open(const rate_gate *g, const rate_limit *r, int64_t now_ns);
/* Admits `units` of work at now_ns, open or not. */
void rate_charge(rate_gate *g, const rate_limit *r, uint64_t units, int64_t now_ns);
/* rate_open, then rate_charge; false when closed (nothing charged). */
bool rate_take(rate_gate *g, const rate_limit *r, uint64_t units, int64_t now_ns);
/* How many units the gate takes at now_ns before it closes: work is admitted while the units
 * admitted before it are fewer than this (so the last piece admitted may pass it). 0: closed. */
uint64_t rate_room(const rate_gate *g, const rate_limit *r, int64_t now_ns);
/* Whether the gate has no debt at now_ns (forgetting it would change nothing). */
bool rate_idle(const rate_gate *g, int64_t now_ns);

#endif
