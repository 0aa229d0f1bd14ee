/* clock.h - the two clocks kinesd reads: wall time in milliseconds (timestamps that clients see,
 * and times kept across restarts) and a monotonic clock (every deadline, timeout and interval
 * within one process: the wall clock may be stepped back or forward at any time). */
#ifndef KINESD_CLOCK_H
#define KINESD_CLOCK_H

#include <stdint.h>

int64_t clock_now_ms(void);  /* milliseconds since the Unix epoch */
int64_t clock_mono_ns(void); /* monotonic nanoseconds, arbitrary origin */
int64_t clock_mono_ms(void); /* the same in milliseconds */

#endif
