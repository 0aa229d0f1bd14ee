/* kinesis_internal.c - streams as other services reach them (see kinesis_internal.h). */
#include "kinesis_internal.h"

#include <string.h>

#include "registry.h"
#include "registry_edit.h"
#include "stream_arn.h"

/* The stream of the ARN, looked up in its own account and region; NULL with err set. Holding
 * registry_lock. */
static stream *stream_of_arn(const char *arn, aws_error *err)
{
    stream_arn parts;
    if (!stream_arn_parse(arn, &parts) || parts.rest[0]) {
        aws_error_set(err, 400, "InvalidArgumentException", "Invalid StreamARN: %s", arn);
        return NULL;
    }
    return registry_resolve_arn(arn, parts.account, parts.region, err);
}

bool kinesis_stream_exists(const char *stream_arn)
{
    aws_error err;
    aws_error_init(&err);
    registry_read_lock();
    stream *s = stream_of_arn(stream_arn, &err);
    bool exists = s && s->status != STREAM_DELETING;
    registry_unlock();
    aws_error_free(&err);
    return exists;
}

int kinesis_append(const char *stream_arn, const char *partition_key, const void *data, size_t len,
                   int64_t now_ms, uint64_t *ticket, aws_error *err)
{
    registry_read_lock();
    stream *s = stream_of_arn(stream_arn, err);
    if (s && (s->status == STREAM_CREATING || s->status == STREAM_DELETING)) {
        aws_error_set(err, 400, "ResourceInUseException", "Stream %s under account %s not active.",
                      s->name, s->account);
        s = NULL;
    }
    shard *sh = s ? stream_route(s, u128_md5(partition_key, strlen(partition_key))) : NULL;
    log_record_in rec = {partition_key, strlen(partition_key), data, len};
    uint64_t offset;
    int64_t arrival_ms;
    int rc = -1;
    if (sh && shardlog_append(sh->log, &rec, 1, now_ms, &offset, &arrival_ms, ticket) == 0)
        rc = 0;
    else if (s)
        aws_error_set(err, 500, "InternalFailure", "The server encountered an internal error.");
    registry_unlock();
    return rc;
}
