/* registry.c - the queues by region, account and name: a sorted array, searched by bisection
 * (see queue.h). Changed only by the control thread under sqs_lock held exclusively. */
#include <stdlib.h>
#include <string.h>

#include "queue.h"

pthread_rwlock_t sqs_lock = PTHREAD_RWLOCK_INITIALIZER;

static sqs_queue **queues; /* sorted by (region, account, name) */
static size_t queue_count, queue_cap;

static int compare_key(const sqs_queue *q, const char *region, const char *account,
                       const char *name)
{
    int c = strcmp(q->region, region);
    if (!c)
        c = strcmp(q->account, account);
    return c ? c : strcmp(q->name, name);
}

/* The index of the first queue not before (region, account, name). */
static size_t lower_bound(const char *region, const char *account, const char *name)
{
    size_t lo = 0, hi = queue_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (compare_key(queues[mid], region, account, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

sqs_queue *queues_find(const char *region, const char *account, const char *name)
{
    size_t i = lower_bound(region, account, name);
    return i < queue_count && compare_key(queues[i], region, account, name) == 0 ? queues[i] : NULL;
}

sqs_queue *queues_find_arn(const char *arn)
{
    static const char prefix[] = "arn:aws:sqs:";
    if (!arn || strncmp(arn, prefix, sizeof prefix - 1) != 0)
        return NULL;
    const char *region = arn + sizeof prefix - 1, *c1 = strchr(region, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2 || c1 - region >= 32 || c2 - c1 - 1 >= 32)
        return NULL;
    char r[32], a[32];
    memcpy(r, region, (size_t)(c1 - region));
    r[c1 - region] = '\0';
    memcpy(a, c1 + 1, (size_t)(c2 - c1 - 1));
    a[c2 - c1 - 1] = '\0';
    return queues_find(r, a, c2 + 1);
}

void queues_each(const char *region, const char *account, const char *prefix,
                 bool (*fn)(sqs_queue *q, void *arg), void *arg)
{
    size_t plen = strlen(prefix);
    for (size_t i = lower_bound(region, account, prefix); i < queue_count; i++) {
        sqs_queue *q = queues[i];
        if (strcmp(q->region, region) || strcmp(q->account, account) ||
            strncmp(q->name, prefix, plen))
            break;
        if (!fn(q, arg))
            break;
    }
}

void queues_all(void (*fn)(sqs_queue *q, void *arg), void *arg)
{
    for (size_t i = 0; i < queue_count; i++)
        fn(queues[i], arg);
}

void queues_insert(sqs_queue *q)
{
    if (queue_count == queue_cap) {
        queue_cap = queue_cap ? queue_cap * 2 : 16;
        queues = realloc(queues, queue_cap * sizeof *queues);
        if (!queues)
            abort();
    }
    size_t i = lower_bound(q->region, q->account, q->name);
    memmove(queues + i + 1, queues + i, (queue_count - i) * sizeof *queues);
    queues[i] = q;
    queue_count++;
}

void queues_remove(sqs_queue *q)
{
    size_t i = lower_bound(q->region, q->account, q->name);
    if (i < queue_count && queues[i] == q) {
        memmove(queues + i, queues + i + 1, (queue_count - i - 1) * sizeof *queues);
        queue_count--;
    }
    if (!queue_count) {
        free(queues);
        queues = NULL;
        queue_cap = 0;
    }
}

void queues_clear(void)
{
    free(queues);
    queues = NULL;
    queue_count = queue_cap = 0;
}
