/* ops_util.h - what the stream control-plane operations share: finding a resource by ARN, the
 * checks and AWS errors about streams and shards, committing or taking back a change, page sizes,
 * and running a handler under the registry lock. All the rest is called with that lock held. */
#ifndef KINESD_OPS_UTIL_H
#define KINESD_OPS_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "../protocol/awserr.h"
#include "op.h"
#include "registry_edit.h"
#include "stream_output.h"

/* Run `handler` with the registry's write (read) lock held: what an op_ entry point does around
 * the part of an operation that needs the registry. */
void with_write_lock(op_call *call, op_handler handler);
void with_read_lock(op_call *call, op_handler handler);

/* The stream named by the input's ResourceARN; NULL with err set (ResourceNotFoundException for
 * the ARN of a consumer: kinesd keeps no resources under streams yet). */
stream *resolve_resource_arn(op_call *call);

/* ResourceInUseException unless the stream is ACTIVE; false when raised. */
bool require_active(const stream *s, aws_error *err);
/* ValidationException for an ON_DEMAND stream (resharding is PROVISIONED only); false when
 * raised. */
bool require_provisioned(const stream *s, const char *operation, aws_error *err);
/* ResourceNotFoundException "Could not find shard ..." */
void fail_shard_not_found(const stream *s, const char *shard_id, aws_error *err);
/* LimitExceededException when adding `more` open shards would exceed the account's shard limit;
 * false when raised. */
bool require_shard_room(const char *account, const char *region, int64_t more, aws_error *err);
void fail_internal(aws_error *err);

/* Persists what changed in s since undo was taken, starting an UPDATING transition when
 * `updating`; when that fails, takes the change back and raises InternalFailure (false). */
bool commit_change(op_call *call, stream *s, const stream_undo *undo, bool updating);
/* Takes back a change that could not be completed and raises InternalFailure. */
void abandon_change(op_call *call, stream *s, const stream_undo *undo);

/* The page size a listing asks for in `member`: at most max, which is also the default. */
int64_t page_limit(const kval *input, const char *member, int64_t max);

#endif
