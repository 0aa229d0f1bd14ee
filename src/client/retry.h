/* retry.h - the retry policy of libkines: exponential backoff with full jitter, bounded by a number
 * of attempts and by the total time spent waiting. */
#ifndef KINES_CLIENT_RETRY_H
#define KINES_CLIENT_RETRY_H

#include <stdbool.h>
#include <stdint.h>

typedef struct retry_policy {
    int max_attempts; /* including the first */
    int base_ms;      /* ceiling of the first backoff */
    int cap_ms;       /* largest ceiling */
    int budget_ms;    /* total waiting allowed */
} retry_policy;

/* The ceiling before retry number `retry` (1 for the first retry): min(cap, base * 2^(retry-1)). */
int retry_ceiling_ms(const retry_policy *p, int retry);

/* Full jitter: a delay uniformly drawn from [0, ceiling] using `random`. */
int retry_delay_ms(const retry_policy *p, int retry, uint64_t random);

/* Whether another attempt fits: attempts_made < max_attempts and waited + delay within budget. */
bool retry_allowed(const retry_policy *p, int attempts_made, int waited_ms, int delay_ms);

/* A random 64-bit number for the jitter. */
uint64_t retry_random(void);

#endif
