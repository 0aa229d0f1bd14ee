/* ops_stream_ref.c - the stream management calls with the stream named by name or ARN
 * (kines_stream_ref): DeleteStream, UpdateShardCount, SplitShard, MergeShards and the retention
 * period calls. */
#include "json.h"
#include "kines/kines.h"
#include "ops_shapes.h"

int kines_delete_stream_ref(kines_client *c, const kines_stream_ref *stream, kines_error *err)
{
    json_object *req = request_for_stream(stream);
    json_object_object_add(req, "EnforceConsumerDeletion", json_object_new_boolean(1));
    return json_call(c, "DeleteStream", req, NULL, err);
}

int kines_update_shard_count_ref(kines_client *c, const kines_stream_ref *stream, int target,
                                 kines_error *err)
{
    json_object *req = request_for_stream(stream);
    json_add_int(req, "TargetShardCount", target);
    json_add_str(req, "ScalingType", "UNIFORM_SCALING");
    return json_call(c, "UpdateShardCount", req, NULL, err);
}

/* Operations whose request is the stream and two strings. */
static int two_string_call(kines_client *c, const char *operation, const kines_stream_ref *stream,
                           const char *key1, const char *value1, const char *key2,
                           const char *value2, kines_error *err)
{
    json_object *req = request_for_stream(stream);
    json_add_str(req, key1, value1);
    json_add_str(req, key2, value2);
    return json_call(c, operation, req, NULL, err);
}

int kines_split_shard_ref(kines_client *c, const kines_stream_ref *stream, const char *shard_id,
                          const char *new_starting_hash_key, kines_error *err)
{
    return two_string_call(c, "SplitShard", stream, "ShardToSplit", shard_id, "NewStartingHashKey",
                           new_starting_hash_key, err);
}

int kines_merge_shards_ref(kines_client *c, const kines_stream_ref *stream, const char *shard_id,
                           const char *adjacent_shard_id, kines_error *err)
{
    return two_string_call(c, "MergeShards", stream, "ShardToMerge", shard_id,
                           "AdjacentShardToMerge", adjacent_shard_id, err);
}

static int retention_call(kines_client *c, const char *operation, const kines_stream_ref *stream,
                          int hours, kines_error *err)
{
    json_object *req = request_for_stream(stream);
    json_add_int(req, "RetentionPeriodHours", hours);
    return json_call(c, operation, req, NULL, err);
}

int kines_increase_retention_ref(kines_client *c, const kines_stream_ref *stream, int hours,
                                 kines_error *err)
{
    return retention_call(c, "IncreaseStreamRetentionPeriod", stream, hours, err);
}

int kines_decrease_retention_ref(kines_client *c, const kines_stream_ref *stream, int hours,
                                 kines_error *err)
{
    return retention_call(c, "DecreaseStreamRetentionPeriod", stream, hours, err);
}
