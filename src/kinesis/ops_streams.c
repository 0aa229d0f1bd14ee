/* ops_streams.c - the stream lifecycle operations: CreateStream, DeleteStream, DescribeStream,
 * DescribeStreamSummary and ListStreams. */
#include <string.h>

#include "consumer.h"
#include "next_token.h"
#include "access.h"
#include "ops.h"
#include "ops_account.h"
#include "ops_consumers.h"
#include "ops_util.h"
#include "registry_edit.h"

#define ON_DEMAND_INITIAL_SHARDS 4
#define DESCRIBE_STREAM_MAX_LIMIT 100 /* the default, and the most one page holds */
#define LIST_STREAMS_MAX_LIMIT 100    /* the default, and the most one page holds */

/* ---- CreateStream -------------------------------------------------------------------------- */

/* The shard count the request asks for, or -1 with err set. */
static int64_t requested_shard_count(const kval *in, bool on_demand, aws_error *err)
{
    int64_t count;
    bool has_count = kv_int(in, "ShardCount", &count);
    if (on_demand && has_count) {
        aws_error_set(err, 400, "ValidationException",
                      "ShardCount is not expected when StreamMode=ON_DEMAND");
        return -1;
    }
    if (on_demand)
        return ON_DEMAND_INITIAL_SHARDS;
    if (!has_count) {
        aws_error_set(err, 400, "ValidationException",
                      "ShardCount is expected when StreamMode=PROVISIONED");
        return -1;
    }
    return count;
}

void op_create_stream(op_call *call)
{
    const char *name = kv_str(call->input, "StreamName");
    const char *mode = kv_str(kv_get(call->input, "StreamModeDetails"), "StreamMode");
    bool on_demand = mode && strcmp(mode, "ON_DEMAND") == 0;
    int64_t count = requested_shard_count(call->input, on_demand, call->err);
    if (count < 0)
        return;
    if (registry_find(call->account, call->region, name)) {
        aws_error_set(call->err, 400, "ResourceInUseException",
                      "Stream %s under account %s already exists.", name, call->account);
        return;
    }
    if (!require_shard_room(call->account, call->region, count, call->err))
        return;
    int64_t warm = 0;
    if (kv_int(call->input, "WarmThroughputMiBps", &warm) &&
        (!warm_throughput_allowed(call, call->operation, name, on_demand) ||
         !warm_throughput_in_limit(call, warm, name)))
        return;
    const char *strategy = kv_str(call->input, "RecordDistributionStrategy");
    bool auto_distribution = strategy && strcmp(strategy, "AUTO") == 0;
    if (auto_distribution && !on_demand) {
        fail_distribution_needs_on_demand(name, call->account, call->err);
        return;
    }
    int64_t max_record_kib = 0;
    kv_int(call->input, "MaxRecordSizeInKiB", &max_record_kib);
    stream_request req = {.shard_count = (int)count,
                          .on_demand = on_demand,
                          .auto_distribution = auto_distribution,
                          .max_record_kib = (int)max_record_kib,
                          .warm_target_mibps = (int)warm,
                          .tags = kv_get(call->input, "Tags")};
    stream *s = registry_create_stream(call->account, call->region, name, &req, call->now_ms);
    if (!s) {
        fail_internal(call->err);
        return;
    }
    if (req.tags)
        access_refresh(s, NULL);
    write_empty(call->out);
}

/* ---- DeleteStream -------------------------------------------------------------------------- */

void op_delete_stream(op_call *call)
{
    stream *s = registry_resolve(call->input, call->account, call->region, call->err);
    if (!s)
        return;
    if (s->status == STREAM_DELETING) {
        aws_error_set(call->err, 400, "ResourceNotFoundException",
                      "Stream %s under account %s not found.", s->name, s->account);
        return;
    }
    if (!consumers_allow_stream_delete(call, s)) /* a CREATING stream may go, as on AWS */
        return;
    if (stream_delete(s) != 0) {
        fail_internal(call->err);
        return;
    }
    write_empty(call->out);
}

/* ---- DescribeStream and DescribeStreamSummary ---------------------------------------------- */

/* The members that StreamDescription and StreamDescriptionSummary start with. */
static void write_stream_head(kenc *e, const stream *s)
{
    enc_key(e, "StreamName");
    enc_str(e, s->name);
    enc_key(e, "StreamARN");
    enc_str(e, s->arn);
    enc_key(e, "StreamStatus");
    enc_str(e, stream_status_name(s->status));
    write_mode_details(e, s);
}

static void write_stream_tail(kenc *e, const stream *s)
{
    enc_key(e, "RetentionPeriodHours");
    enc_int(e, s->retention_hours);
    enc_key(e, "StreamCreationTimestamp");
    enc_timestamp_ms(e, s->created_ms);
    write_enhanced_monitoring(e, s);
    enc_key(e, "EncryptionType");
    enc_str(e, s->kms_key_id[0] ? "KMS" : "NONE");
    if (s->kms_key_id[0]) {
        enc_key(e, "KeyId");
        enc_str(e, s->kms_key_id);
    }
}

/* Shards after ExclusiveStartShardId, at most limit of them; a CREATING stream shows none. */
static void write_shard_page(kenc *e, const stream *s, const char *exclusive_start, int64_t limit)
{
    int64_t written = 0;
    bool more = false;
    enc_key(e, "Shards");
    enc_list_begin(e);
    for (int i = 0; s->status != STREAM_CREATING && i < s->shard_count; i++) {
        const shard *sh = s->shards[i];
        if (exclusive_start && strcmp(sh->id, exclusive_start) <= 0)
            continue;
        if (written == limit) {
            more = true;
            break;
        }
        write_shard(e, s, sh);
        written++;
    }
    enc_list_end(e);
    enc_key(e, "HasMoreShards");
    enc_bool(e, more);
}

void op_describe_stream(op_call *call)
{
    const stream *s = registry_resolve(call->input, call->account, call->region, call->err);
    if (!s)
        return;
    int64_t limit = page_limit(call->input, "Limit", DESCRIBE_STREAM_MAX_LIMIT);
    kenc *e = call->out;
    enc_map_begin(e);
    enc_key(e, "StreamDescription");
    enc_map_begin(e);
    write_stream_head(e, s);
    write_shard_page(e, s, kv_str(call->input, "ExclusiveStartShardId"), limit);
    write_stream_tail(e, s);
    enc_map_end(e);
    enc_map_end(e);
}

/* "WarmThroughput", shown for an ON_DEMAND stream once UpdateStreamWarmThroughput has set it. */
static void write_warm_throughput(kenc *e, const stream *s)
{
    if (!s->on_demand || s->warm_target_mibps == 0)
        return;
    enc_key(e, "WarmThroughput");
    enc_map_begin(e);
    enc_key(e, "TargetMiBps");
    enc_int(e, s->warm_target_mibps);
    enc_key(e, "CurrentMiBps");
    enc_int(e, s->warm_current_mibps);
    enc_map_end(e);
}

void op_describe_stream_summary(op_call *call)
{
    const stream *s = registry_resolve(call->input, call->account, call->region, call->err);
    if (!s)
        return;
    kenc *e = call->out;
    enc_map_begin(e);
    enc_key(e, "StreamDescriptionSummary");
    enc_map_begin(e);
    write_stream_head(e, s);
    write_stream_tail(e, s);
    enc_key(e, "OpenShardCount");
    enc_int(e, stream_open_shards(s));
    enc_key(e, "ConsumerCount");
    enc_int(e, (int64_t)consumers_of(s->uid));
    write_warm_throughput(e, s);
    enc_key(e, "MaxRecordSizeInKiB");
    enc_int(e, s->max_record_kib);
    if (s->on_demand) { /* "only present for streams that use the on-demand capacity mode" */
        enc_key(e, "RecordDistributionStrategy");
        enc_str(e, s->auto_distribution ? "AUTO" : "USER_PARTITION_KEY");
    }
    enc_map_end(e);
    enc_map_end(e);
}

/* ---- ListStreams --------------------------------------------------------------------------- */

static void write_stream_summary(kenc *e, const stream *s)
{
    enc_map_begin(e);
    write_stream_head(e, s);
    enc_key(e, "StreamCreationTimestamp");
    enc_timestamp_ms(e, s->created_ms);
    enc_map_end(e);
}

static bool in_scope(const stream *s, const op_call *call)
{
    return s && strcmp(s->account, call->account) == 0 && strcmp(s->region, call->region) == 0;
}

/* Where the listing starts: after NextToken's or ExclusiveStartStreamName's stream. NULL with err
 * set when the token is bad. */
static const char *list_streams_start(op_call *call)
{
    const char *token = kv_str(call->input, "NextToken");
    if (token)
        return next_token_read(call->arena, token, call->now_ms, call->err);
    const char *after = kv_str(call->input, "ExclusiveStartStreamName");
    return after ? after : "";
}

void op_list_streams(op_call *call)
{
    const char *after = list_streams_start(call);
    if (!after)
        return;
    int64_t limit = page_limit(call->input, "Limit", LIST_STREAMS_MAX_LIMIT);
    size_t first = registry_stream_after(call->account, call->region, after), end = first;
    while (end - first < (size_t)limit && in_scope(registry_stream_at(end), call))
        end++;
    bool more = in_scope(registry_stream_at(end), call);
    kenc *e = call->out;
    enc_map_begin(e);
    enc_key(e, "StreamNames");
    enc_list_begin(e);
    for (size_t i = first; i < end; i++)
        enc_str(e, registry_stream_at(i)->name);
    enc_list_end(e);
    enc_key(e, "HasMoreStreams");
    enc_bool(e, more);
    if (more && end > first) {
        enc_key(e, "NextToken");
        enc_str(e, next_token_make(call->arena, call->now_ms, registry_stream_at(end - 1)->name));
    }
    enc_key(e, "StreamSummaries");
    enc_list_begin(e);
    for (size_t i = first; i < end; i++)
        write_stream_summary(e, registry_stream_at(i));
    enc_list_end(e);
    enc_map_end(e);
}
