/* kinesis_internal.h - the narrow interface other services of kinesd use to reach streams
 * without going through the Kinesis API: resolve a stream ARN, append a record.
 *
 * Lambda uses it for stream destinations of asynchronous invocations (and its event source
 * mappings will add shard reads here). Every function may be called from any thread that holds
 * no Kinesis lock: each takes registry_lock shared for its own duration. */
#ifndef KINESD_KINESIS_INTERNAL_H
#define KINESD_KINESIS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../protocol/awserr.h"

/* Whether the ARN names an existing stream (in the ARN's own account and region) that is not
 * being deleted. */
bool kinesis_stream_exists(const char *stream_arn);

/* Appends one record to the stream, routed by its partition key as PutRecord routes it. 0 with
 * *ticket set (the record is durable once the store reports that ticket); -1 with err set
 * (ResourceNotFoundException, ResourceInUseException, InternalFailure). */
int kinesis_append(const char *stream_arn, const char *partition_key, const void *data, size_t len,
                   int64_t now_ms, uint64_t *ticket, aws_error *err);

#endif
