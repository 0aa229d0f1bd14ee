/* ops_util.h - what the stream operations share: finding a resource by ARN, the checks and AWS
 * errors about streams and shards, committing a change, page sizes. Called on the control thread
 * or with registry_lock held shared (see registry.h). */
#ifndef KINESD_OPS_UTIL_H
#define KINESD_OPS_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/call.h"
#include "../protocol/awserr.h"
#include "consumer.h"
#include "registry_edit.h"
#include "stream_output.h"

/* What an ARN-addressed operation (TagResource, PutResourcePolicy, ...) acts on: a stream or one
 * of its consumers. */
typedef struct resource_ref {
    stream *s;       /* the stream, or the consumer's stream */
    consumer *c;     /* the consumer; NULL: the stream itself */
    const char *arn; /* the resource's own ARN (s->arn or c->arn) */
} resource_ref;

/* The resource the input's ResourceARN names in the caller's account and region; false with err
 * set (ResourceNotFoundException) when there is none. */
bool resolve_resource_arn(op_call *call, resource_ref *out);

/* ResourceInUseException unless the stream is ACTIVE; false when raised. */
bool require_active(const stream *s, aws_error *err);
/* ValidationException for an ON_DEMAND stream (resharding is PROVISIONED only); false when
 * raised. */
bool require_provisioned(const stream *s, const char *operation, aws_error *err);
/* InvalidArgumentException: a record distribution strategy on a PROVISIONED stream; false. */
bool fail_distribution_needs_on_demand(const char *stream_name, const char *account,
                                       aws_error *err);
/* ResourceNotFoundException "Could not find shard ..." (the shard id as given). */
void fail_shard_not_found(const char *stream_name, const char *account, const char *shard_id,
                          aws_error *err);
/* AWS checks a request's shard ids before it looks for the stream: false (with "Could not find
 * shard ...") unless the input member is a shard id (registry.h's shard_id_index). */
bool require_shard_id(op_call *call, const char *member);
/* The stream name a request gives: StreamName, else the name in StreamARN ("" if neither). */
const char *input_stream_name(op_call *call);
/* LimitExceededException when adding `more` open shards would exceed the account's shard limit;
 * false when raised. */
bool require_shard_room(const char *account, const char *region, int64_t more, aws_error *err);
void fail_internal(aws_error *err);

/* Commits and publishes `next`, a changed copy of s (stream_update); InternalFailure (false) when
 * it cannot be committed. Set next->status to STREAM_UPDATING to start that transition. */
bool apply_change(op_call *call, stream *s, const stream *next);

/* The page size a listing asks for in `member`: at most max, which is also the default. */
int64_t page_limit(const kval *input, const char *member, int64_t max);

#endif
