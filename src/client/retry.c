/* retry.c - exponential backoff with full jitter (see retry.h). */
#include "retry.h"

#include <sys/random.h>

int retry_ceiling_ms(const retry_policy *p, int retry)
{
    int64_t ceiling = p->base_ms;
    for (int i = 1; i < retry && ceiling < p->cap_ms; i++)
        ceiling *= 2;
    return ceiling < p->cap_ms ? (int)ceiling : p->cap_ms;
}

int retry_delay_ms(const retry_policy *p, int retry, uint64_t random)
{
    return (int)(random % ((uint64_t)retry_ceiling_ms(p, retry) + 1));
}

bool retry_allowed(const retry_policy *p, int attempts_made, int waited_ms, int delay_ms)
{
    return attempts_made < p->max_attempts && waited_ms + delay_ms <= p->budget_ms;
}

uint64_t retry_random(void)
{
    uint64_t r = 0;
    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
        r = 0;
    return r;
}
