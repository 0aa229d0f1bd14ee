/* sub_claims.h - which consumer is subscribed to which shard, across all loop threads.
 *
 * AWS allows one SubscribeToShard per consumer and shard every SUBSCRIBE_RETRY_MS: a call within
 * that time of the last successful one is refused (ResourceInUseException), and a later call
 * takes the subscription over, ending the previous one. A claim records a successful call; the
 * subscription that holds it asks sub_claim_superseded before each push and releases it when it
 * ends. Thread-safe. */
#ifndef KINESD_SUB_CLAIMS_H
#define KINESD_SUB_CLAIMS_H

#include <stdbool.h>
#include <stdint.h>

#define SUBSCRIBE_RETRY_MS 5000

typedef struct sub_claim sub_claim;

/* Claims (consumer_arn, shard_index) at mono_ms (monotonic clock), superseding the previous
 * claim; NULL when the previous successful call is less than SUBSCRIBE_RETRY_MS old. */
sub_claim *sub_claim_take(const char *consumer_arn, int shard_index, int64_t mono_ms);
/* Whether a later call took the subscription over. */
bool sub_claim_superseded(const sub_claim *claim);
/* The subscription ended (the claim still counts for the retry interval). */
void sub_claim_release(sub_claim *claim);

#endif
