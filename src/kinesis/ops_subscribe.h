/* ops_subscribe.h - SubscribeToShard: enhanced fan-out, records pushed over an event stream. */
#ifndef KINESD_OPS_SUBSCRIBE_H
#define KINESD_OPS_SUBSCRIBE_H

#include "../core/call.h"

/* How long a subscription lasts: AWS's 5 minutes, or KINESD_SUBSCRIPTION_MS (for tests). */
#define SUBSCRIPTION_DEFAULT_MS 300000

void op_subscribe_to_shard(op_call *call);

/* More records may be durable: the calling loop's subscriptions push them now (dispatch.c calls
 * this on its loop thread whenever the store reports progress). */
void subscriptions_wake(void);

#endif
