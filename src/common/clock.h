/* clock.h - the two clocks kinesd reads: wall time in milliseconds (timestamps that clients see)
 * and a monotonic clock in nanoseconds (timeouts and latency). */
#ifndef KINESD_CLOCK_H
#define KINESD_CLOCK_H

#include <stdint.h>

int64_t clock_now_ms(void);   /* milliseconds since the Unix epoch */
int64_t clock_mono_ns(void);  /* monotonic nanoseconds, arbitrary origin */

#endif
