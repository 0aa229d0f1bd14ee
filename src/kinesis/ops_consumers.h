/* ops_consumers.h - what the stream lifecycle operations need from the consumer operations. */
#ifndef KINESD_OPS_CONSUMERS_H
#define KINESD_OPS_CONSUMERS_H

#include <stdbool.h>

#include "../core/call.h"
#include "consumer.h"
#include "registry.h"

/* DeleteStream's rule: a stream with consumers is deleted only with EnforceConsumerDeletion
 * true. ResourceInUseException (false) otherwise. Caller holds the lock. */
bool consumers_allow_stream_delete(op_call *call, const stream *s);

/* The consumer a ConsumerARN names, in the caller's account and region, and its stream (*sp).
 * AccessDeniedException for the ARN of another account (as for a stream's), else
 * ResourceNotFoundException when there is no such consumer; NULL then. Caller holds the lock. */
consumer *consumer_of_arn(op_call *call, const char *arn, stream **sp);

#endif
