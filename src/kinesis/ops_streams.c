/* ops_streams.c - the stream lifecycle operations and the stream operations table.
 *
 * CreateStream, DeleteStream, DescribeStream, DescribeStreamSummary and ListStreams live here;
 * op_table_streams also lists the handlers of the other ops_* files of the control plane. */
#include <string.h>

#include "consumer.h"
#include "next_token.h"
#include "ops.h"
#include "ops_account.h"
#include "ops_consumers.h"
#include "ops_streams.h"
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

/* CreateStream's WarmThroughputMiBps: reached when the stream is ACTIVE. */
static int set_initial_warm_throughput(stream *s, int mibps)
{
    if (mibps == 0)
        return 0;
    s->warm_target_mibps = mibps;
    if (s->status == STREAM_ACTIVE)
        s->warm_current_mibps = mibps;
    return stream_save(s);
}

static void create_stream(op_call *call, const char *name)
{
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
    int64_t max_record_kib = 0;
    kv_int(call->input, "MaxRecordSizeInKiB", &max_record_kib);
    stream *s = registry_create_stream(call->account, call->region, name, (int)count, on_demand,
                                       (int)max_record_kib, call->now_ms, call->mono_ms);
    if (!s || stream_tags_put(s->uid, kv_get(call->input, "Tags")) != 0 ||
        set_initial_warm_throughput(s, (int)warm) != 0) {
        fail_internal(call->err);
        return;
    }
    write_empty(call->out);
}

static void op_create_stream(op_call *call)
{
    registry_write_lock();
    create_stream(call, kv_str(call->input, "StreamName"));
    registry_unlock();
}

/* ---- DeleteStream -------------------------------------------------------------------------- */

static void delete_stream(op_call *call)
{
    stream *s = registry_resolve(call->input, call->account, call->region, call->err);
    if (!s)
        return;
    if (s->status == STREAM_DELETING) {
        aws_error_set(call->err, 400, "ResourceNotFoundException",
                      "Stream %s under account %s not found.", s->name, s->account);
        return;
    }
    if ((s->status == STREAM_CREATING && !require_active(s, call->err)) ||
        !consumers_allow_stream_delete(call, s))
        return;
    uint64_t uid = s->uid;
    stream_undo undo;
    stream_undo_begin(s, &undo);
    if (stream_start_transition(s, STREAM_DELETING, call->mono_ms) != 0) {
        abandon_change(call, s, &undo);
        return;
    }
    consumers_start_deleting_stream(uid, call->mono_ms);
    write_empty(call->out);
}

static void op_delete_stream(op_call *call)
{
    with_write_lock(call, delete_stream);
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

static void describe_stream(op_call *call)
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

static void op_describe_stream(op_call *call)
{
    with_read_lock(call, describe_stream);
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

static void describe_stream_summary(op_call *call)
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
    enc_map_end(e);
    enc_map_end(e);
}

static void op_describe_stream_summary(op_call *call)
{
    with_read_lock(call, describe_stream_summary);
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

static void list_streams(op_call *call)
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

static void op_list_streams(op_call *call)
{
    with_read_lock(call, list_streams);
}

const op_entry op_table_streams[] = {
    {"CreateStream", op_create_stream},
    {"DeleteStream", op_delete_stream},
    {"DescribeStream", op_describe_stream},
    {"DescribeStreamSummary", op_describe_stream_summary},
    {"ListStreams", op_list_streams},
    {"ListShards", op_list_shards},
    {"SplitShard", op_split_shard},
    {"MergeShards", op_merge_shards},
    {"UpdateShardCount", op_update_shard_count},
    {"AddTagsToStream", op_add_tags},
    {"RemoveTagsFromStream", op_remove_tags},
    {"ListTagsForStream", op_list_tags},
    {"TagResource", op_tag_resource},
    {"UntagResource", op_untag_resource},
    {"ListTagsForResource", op_list_resource_tags},
    {"IncreaseStreamRetentionPeriod", op_increase_retention},
    {"DecreaseStreamRetentionPeriod", op_decrease_retention},
    {"UpdateStreamMode", op_update_stream_mode},
    {"EnableEnhancedMonitoring", op_enable_monitoring},
    {"DisableEnhancedMonitoring", op_disable_monitoring},
    {"DescribeLimits", op_describe_limits},
    {"StartStreamEncryption", op_start_encryption},
    {"StopStreamEncryption", op_stop_encryption},
    {"UpdateMaxRecordSize", op_update_max_record_size},
    {"PutResourcePolicy", op_put_resource_policy},
    {"GetResourcePolicy", op_get_resource_policy},
    {"DeleteResourcePolicy", op_delete_resource_policy},
    {NULL, NULL},
};
