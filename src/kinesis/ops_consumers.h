/* ops_consumers.h - what the stream lifecycle operations need from the consumer operations. */
#ifndef KINESD_OPS_CONSUMERS_H
#define KINESD_OPS_CONSUMERS_H

#include <stdbool.h>

#include "../core/call.h"
#include "registry.h"

/* DeleteStream's rule: a stream with consumers is deleted only with EnforceConsumerDeletion
 * true. ResourceInUseException (false) otherwise. Caller holds the lock. */
bool consumers_allow_stream_delete(op_call *call, const stream *s);

#endif
