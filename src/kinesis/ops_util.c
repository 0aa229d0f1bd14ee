/* ops_util.c - lookups, checks, errors and commits shared by the stream control-plane operations
 * (see ops_util.h). */
#include "ops_util.h"

#include <string.h>

#include "../core/config.h"
#include "stream_arn.h"

/* The consumer ARN names a consumer of s (its stream part did name s). */
static bool resolve_consumer_arn(op_call *call, const char *arn, resource_ref *out)
{
    consumer *c = consumer_find_arn(arn);
    if (!c || c->stream_uid != out->s->uid) {
        aws_error_set(call->err, 400, "ResourceNotFoundException", "Resource %s not found.", arn);
        return false;
    }
    out->c = c;
    out->arn = c->arn;
    return true;
}

bool resolve_resource_arn(op_call *call, resource_ref *out)
{
    const char *arn = kv_str(call->input, "ResourceARN");
    stream_arn parts;
    bool under_stream = arn && stream_arn_parse(arn, &parts) && parts.rest[0];
    if (under_stream && !stream_arn_require_account(&parts, arn, call->account, call->err))
        return false; /* AccessDenied naming the whole ARN */
    if (under_stream && strncmp(parts.rest, "/consumer/", 10) != 0) {
        aws_error_set(call->err, 400, "ResourceNotFoundException", "Resource %s not found.", arn);
        return false;
    }
    const char *stream_part = arn ? arn : "";
    if (under_stream)
        stream_part = arena_strndup(call->arena, arn, (size_t)(parts.rest - arn));
    *out = (resource_ref){registry_resolve_arn(stream_part, call->account, call->region, call->err),
                          NULL, NULL};
    if (!out->s)
        return false;
    out->arn = out->s->arn;
    return !under_stream || resolve_consumer_arn(call, arn, out);
}

bool require_active(const stream *s, aws_error *err)
{
    if (s->status == STREAM_ACTIVE)
        return true;
    aws_error_set(err, 400, "ResourceInUseException",
                  "Stream %s under account %s not ACTIVE, instead in state %s", s->name, s->account,
                  stream_status_name(s->status));
    return false;
}

bool require_provisioned(const stream *s, const char *operation, aws_error *err)
{
    if (!s->on_demand)
        return true;
    aws_error_set(err, 400, "ValidationException",
                  "%s is not supported for stream %s under account %s because it is in "
                  "ON_DEMAND capacity mode.",
                  operation, s->name, s->account);
    return false;
}

bool fail_distribution_needs_on_demand(const char *stream_name, const char *account, aws_error *err)
{
    /* AWS's text could not be confirmed: its documentation says only "InvalidArgumentException" */
    aws_error_set(err, 400, "InvalidArgumentException",
                  "RecordDistributionStrategy is not supported for stream %s under account %s "
                  "because it is in PROVISIONED capacity mode.",
                  stream_name, account);
    return false;
}

void fail_shard_not_found(const char *stream_name, const char *account, const char *shard_id,
                          aws_error *err)
{
    aws_error_set(err, 400, "ResourceNotFoundException",
                  "Could not find shard %s in stream %s under account %s.", shard_id, stream_name,
                  account);
}

const char *input_stream_name(op_call *call)
{
    const char *name = kv_str(call->input, "StreamName"), *arn = kv_str(call->input, "StreamARN");
    stream_arn parts;
    if (name || !arn || !stream_arn_parse(arn, &parts))
        return name ? name : "";
    return arena_strdup(call->arena, parts.name);
}

bool require_shard_id(op_call *call, const char *member)
{
    const char *id = kv_str(call->input, member);
    if (id && shard_id_index(id) >= 0)
        return true;
    fail_shard_not_found(input_stream_name(call), call->account, id ? id : "", call->err);
    return false;
}

bool require_shard_room(const char *account, const char *region, int64_t more, aws_error *err)
{
    int current = registry_open_shards(account, region);
    if (more <= (int64_t)kinesd_cfg.shard_limit - current)
        return true;
    aws_error_set(err, 400, "LimitExceededException",
                  "This request would exceed the shard limit for the account %s in %s. Current "
                  "shard count for the account: %d. Limit: %d. Number of additional shards that "
                  "would have resulted from this request: %lld. Refer to the AWS Service Limits "
                  "page (https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) "
                  "for current limits and how to request higher limits.",
                  account, region, current, kinesd_cfg.shard_limit, (long long)more);
    return false;
}

void fail_internal(aws_error *err)
{
    aws_error_set(err, 500, "InternalFailure", "The server encountered an internal error.");
}

bool apply_change(op_call *call, stream *s, const stream *next)
{
    if (stream_update(s, next, call->now_ms) == 0)
        return true;
    fail_internal(call->err);
    return false;
}

int64_t page_limit(const kval *input, const char *member, int64_t max)
{
    int64_t asked;
    return kv_int(input, member, &asked) && asked < max ? asked : max;
}
