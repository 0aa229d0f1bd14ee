/* service.c - the Kinesis service: its operation table, with where each operation runs, the IAM
 * action it performs and the resources it acts on (AWS's "Actions, resources, and condition keys
 * for Amazon Kinesis"), and its lifecycle (see kinesis.h).
 *
 * Data-plane operations and the reads of in-memory state run on the loop threads with
 * registry_lock held shared (OP_LOOP_READ); SubscribeToShard takes the lock itself for each push
 * (OP_LOOP); everything that writes meta.sqlite or shard files, or reads meta.sqlite, runs on the
 * control thread (OP_CONTROL). */
#include "kinesis.h"

#include <stdio.h>
#include <string.h>

#include "access.h"
#include "consumer.h"
#include "datakey.h"
#include "iterator.h"
#include "ops.h"
#include "ops_subscribe.h"
#include "registry_edit.h"
#include "stream_gauges.h"

/* ---- the resources an operation acts on ---------------------------------------------------- */

/* The stream the input names: StreamARN, or the ARN of StreamName in the caller's account and
 * region. */
static int stream_resource(op_call *call, const char **arns, int max)
{
    (void)max;
    const char *arn = kv_str(call->input, "StreamARN");
    const char *name = kv_str(call->input, "StreamName");
    if (!arn && name) {
        size_t n = strlen(name) + strlen(call->region) + strlen(call->account) + 32;
        char *built = arena_alloc(call->arena, n);
        snprintf(built, n, "arn:aws:kinesis:%s:%s:stream/%s", call->region, call->account, name);
        arn = built;
    }
    arns[0] = arn ? arn : "*";
    return 1;
}

static int named_resource(op_call *call, const char *member, const char **arns)
{
    const char *arn = kv_str(call->input, member);
    arns[0] = arn ? arn : "*";
    return 1;
}

static int consumer_resource(op_call *call, const char **arns, int max)
{
    (void)max;
    if (kv_str(call->input, "ConsumerARN"))
        return named_resource(call, "ConsumerARN", arns);
    return stream_resource(call, arns, max);
}

static int channel_resource(op_call *call, const char **arns, int max)
{
    (void)max;
    return named_resource(call, "ChannelARN", arns);
}

static int tagged_resource(op_call *call, const char **arns, int max)
{
    (void)max;
    return named_resource(call, "ResourceARN", arns);
}

/* GetRecords acts on the stream its iterator was issued for: StreamARN when given (the handler
 * checks that the iterator belongs to it; a cross-account read must name it), else the stream
 * of the iterator's name in the caller's account. */
static int iterator_resource(op_call *call, const char **arns, int max)
{
    (void)max;
    if (kv_str(call->input, "StreamARN"))
        return named_resource(call, "StreamARN", arns);
    const kval *text = kv_get(call->input, "ShardIterator");
    shard_iterator it;
    if (!iterator_decode(text->u.s.ptr, text->u.s.len, call->now_ms, &it, call->err))
        return -1;
    size_t n = strlen(it.stream_name) + strlen(call->region) + strlen(call->account) + 32;
    char *arn = arena_alloc(call->arena, n);
    snprintf(arn, n, "arn:aws:kinesis:%s:%s:stream/%s", call->region, call->account,
             it.stream_name);
    arns[0] = arn;
    return 1;
}

/* ---- the table ----------------------------------------------------------------------------- */

#define STREAM_OP(name, handler, mode)                                                             \
    {                                                                                              \
        name, handler, mode, "kinesis:" name, stream_resource                                      \
    }
#define ACCOUNT_OP(name, handler, mode)                                                            \
    {                                                                                              \
        name, handler, mode, "kinesis:" name, NULL                                                 \
    }

static const op_entry kinesis_ops[] = {
    STREAM_OP("CreateStream", op_create_stream, OP_CONTROL),
    STREAM_OP("DeleteStream", op_delete_stream, OP_CONTROL),
    STREAM_OP("DescribeStream", op_describe_stream, OP_LOOP_READ),
    STREAM_OP("DescribeStreamSummary", op_describe_stream_summary, OP_LOOP_READ),
    ACCOUNT_OP("ListStreams", op_list_streams, OP_LOOP_READ),
    STREAM_OP("ListShards", op_list_shards, OP_LOOP_READ),
    STREAM_OP("SplitShard", op_split_shard, OP_CONTROL),
    STREAM_OP("MergeShards", op_merge_shards, OP_CONTROL),
    STREAM_OP("UpdateShardCount", op_update_shard_count, OP_CONTROL),
    STREAM_OP("AddTagsToStream", op_add_tags, OP_CONTROL),
    STREAM_OP("RemoveTagsFromStream", op_remove_tags, OP_CONTROL),
    STREAM_OP("ListTagsForStream", op_list_tags, OP_CONTROL),
    {"TagResource", op_tag_resource, OP_CONTROL, "kinesis:TagResource", tagged_resource},
    {"UntagResource", op_untag_resource, OP_CONTROL, "kinesis:UntagResource", tagged_resource},
    {"ListTagsForResource", op_list_resource_tags, OP_CONTROL, "kinesis:ListTagsForResource",
     tagged_resource},
    STREAM_OP("IncreaseStreamRetentionPeriod", op_increase_retention, OP_CONTROL),
    STREAM_OP("DecreaseStreamRetentionPeriod", op_decrease_retention, OP_CONTROL),
    STREAM_OP("UpdateStreamMode", op_update_stream_mode, OP_CONTROL),
    STREAM_OP("UpdateStreamRecordDistributionStrategy", op_update_distribution, OP_CONTROL),
    STREAM_OP("EnableEnhancedMonitoring", op_enable_monitoring, OP_CONTROL),
    STREAM_OP("DisableEnhancedMonitoring", op_disable_monitoring, OP_CONTROL),
    ACCOUNT_OP("DescribeLimits", op_describe_limits, OP_LOOP_READ),
    STREAM_OP("StartStreamEncryption", op_start_encryption, OP_CONTROL),
    STREAM_OP("StopStreamEncryption", op_stop_encryption, OP_CONTROL),
    STREAM_OP("UpdateMaxRecordSize", op_update_max_record_size, OP_CONTROL),
    {"PutResourcePolicy", op_put_resource_policy, OP_CONTROL, "kinesis:PutResourcePolicy",
     tagged_resource},
    {"GetResourcePolicy", op_get_resource_policy, OP_CONTROL, "kinesis:GetResourcePolicy",
     tagged_resource},
    {"DeleteResourcePolicy", op_delete_resource_policy, OP_CONTROL, "kinesis:DeleteResourcePolicy",
     tagged_resource},
    STREAM_OP("PutStreamContract", op_put_stream_contract, OP_CONTROL), /* kinesd's own */
    STREAM_OP("GetStreamContract", op_get_stream_contract, OP_LOOP_READ),
    STREAM_OP("DeleteStreamContract", op_delete_stream_contract, OP_CONTROL),
    {"CheckStreamContract", op_check_stream_contract, OP_LOOP_READ, "kinesis:GetStreamContract",
     stream_resource}, /* reads the contract, as GetStreamContract does */
    STREAM_OP("PutRecord", op_put_record, OP_LOOP_READ),
    STREAM_OP("PutRecords", op_put_records, OP_LOOP_READ),
    STREAM_OP("GetShardIterator", op_get_shard_iterator, OP_LOOP_READ),
    {"GetRecords", op_get_records, OP_LOOP_READ, "kinesis:GetRecords", iterator_resource},
    STREAM_OP("RegisterStreamConsumer", op_register_consumer, OP_CONTROL),
    {"DescribeStreamConsumer", op_describe_consumer, OP_LOOP_READ, "kinesis:DescribeStreamConsumer",
     consumer_resource},
    STREAM_OP("ListStreamConsumers", op_list_consumers, OP_LOOP_READ),
    {"DeregisterStreamConsumer", op_deregister_consumer, OP_CONTROL,
     "kinesis:DeregisterStreamConsumer", consumer_resource},
    {"SubscribeToShard", op_subscribe_to_shard, OP_LOOP, "kinesis:SubscribeToShard",
     consumer_resource},
    ACCOUNT_OP("DescribeAccountSettings", op_describe_account_settings, OP_CONTROL),
    ACCOUNT_OP("UpdateAccountSettings", op_update_account_settings, OP_CONTROL),
    STREAM_OP("UpdateStreamWarmThroughput", op_update_warm_throughput, OP_CONTROL),
    ACCOUNT_OP("CreateChannel", op_create_channel, OP_LOOP_READ),
    ACCOUNT_OP("ListChannels", op_list_channels, OP_LOOP_READ),
    {"DescribeChannel", op_describe_channel, OP_LOOP_READ, "kinesis:DescribeChannel",
     channel_resource},
    {"UpdateChannel", op_update_channel, OP_LOOP_READ, "kinesis:UpdateChannel", channel_resource},
    {"DeleteChannel", op_delete_channel, OP_LOOP_READ, "kinesis:DeleteChannel", channel_resource},
    {NULL, NULL, OP_LOOP, NULL, NULL},
};

#define TICK_MS 10

/* Transitions, retention (registry_tick) and the streams' disk gauges. */
static void kinesis_tick(int64_t now_ms)
{
    registry_tick(now_ms);
    stream_gauges_tick(now_ms);
}

service kinesis_service = {
    .name = "kinesis",
    .model = MODEL_KINESIS,
    .ops = kinesis_ops,
    .lock = &registry_lock,
    .tick = kinesis_tick,
    .tick_ms = TICK_MS,
    .on_durable = subscriptions_wake,
    .admit = quota_admit_call,
    .resource_access = kinesis_resource_access,
};

const op_entry *kinesis_find_op(const char *name)
{
    for (const op_entry *e = kinesis_ops; e->name; e++)
        if (strcmp(e->name, name) == 0)
            return e;
    return NULL;
}

int kinesis_open(store *st, const masterkey *master, char *why, size_t why_len)
{
    datakeys_init(master);
    int rc = registry_open(st);
    snprintf(why, why_len, "%s", datakeys_failure());
    return rc;
}

void kinesis_close(void)
{
    registry_close();
}
