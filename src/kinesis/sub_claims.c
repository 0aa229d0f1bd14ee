/* sub_claims.c - the table of subscription claims (see sub_claims.h).
 *
 * A claim is in the table while it is the latest for its consumer and shard and, once released,
 * until its retry interval is over (old ones are dropped as new claims come). A claim leaves the
 * table when superseded; it is freed when it is out of the table and released, whichever comes
 * last. Everything is under one mutex: subscriptions are few and claims rare. */
#include "sub_claims.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct sub_claim {
    char *consumer_arn;
    int shard_index;
    int64_t called_ms; /* monotonic */
    atomic_bool superseded;
    bool released;
    sub_claim *next; /* in the table */
};

static pthread_mutex_t claims_mu = PTHREAD_MUTEX_INITIALIZER;
static sub_claim *claims; /* under claims_mu */

static void free_claim(sub_claim *claim)
{
    free(claim->consumer_arn);
    free(claim);
}

/* Unlinks *link's claim from the table; frees it when its subscription is over. */
static void drop(sub_claim **link)
{
    sub_claim *claim = *link;
    *link = claim->next;
    if (claim->released)
        free_claim(claim);
}

/* Drops released claims past their retry interval. Caller holds claims_mu. */
static void drop_expired(int64_t mono_ms)
{
    for (sub_claim **link = &claims; *link;) {
        if ((*link)->released && mono_ms - (*link)->called_ms >= SUBSCRIBE_RETRY_MS)
            drop(link);
        else
            link = &(*link)->next;
    }
}

static sub_claim **find(const char *consumer_arn, int shard_index)
{
    sub_claim **link = &claims;
    while (*link && ((*link)->shard_index != shard_index ||
                     strcmp((*link)->consumer_arn, consumer_arn) != 0))
        link = &(*link)->next;
    return link;
}

static sub_claim *take_locked(const char *consumer_arn, int shard_index, int64_t mono_ms)
{
    drop_expired(mono_ms);
    sub_claim **link = find(consumer_arn, shard_index);
    if (*link && mono_ms - (*link)->called_ms < SUBSCRIBE_RETRY_MS)
        return NULL;
    if (*link) {
        atomic_store(&(*link)->superseded, true);
        drop(link);
    }
    sub_claim *claim = calloc(1, sizeof(*claim));
    if (!claim || !(claim->consumer_arn = strdup(consumer_arn)))
        abort();
    claim->shard_index = shard_index;
    claim->called_ms = mono_ms;
    claim->next = claims;
    claims = claim;
    return claim;
}

sub_claim *sub_claim_take(const char *consumer_arn, int shard_index, int64_t mono_ms)
{
    pthread_mutex_lock(&claims_mu);
    sub_claim *claim = take_locked(consumer_arn, shard_index, mono_ms);
    pthread_mutex_unlock(&claims_mu);
    return claim;
}

bool sub_claim_superseded(const sub_claim *claim)
{
    return atomic_load(&claim->superseded);
}

void sub_claim_release(sub_claim *claim)
{
    pthread_mutex_lock(&claims_mu);
    claim->released = true;
    if (atomic_load(&claim->superseded)) /* already out of the table */
        free_claim(claim);
    pthread_mutex_unlock(&claims_mu);
}
