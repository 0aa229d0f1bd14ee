/* test_kinesis_ops_streams.c - the stream control-plane operations, called as the dispatcher
 * calls them (kinesis_ops_fixture.h). Each test gets a fresh data directory (kinesis_fixture.h). */
#include "kinesis_fixture.h"
#include "kinesis_ops_fixture.h"
#include "common/u128.h"

#define HASH_MAX "340282366920938463463374607431768211455"

static void create(const char *name, int shards)
{
    json_object_put(ok("CreateStream", "{\"StreamName\":\"%s\",\"ShardCount\":%d}", name, shards));
}

static json_object *describe(const char *name)
{
    return ok("DescribeStream", "{\"StreamName\":\"%s\"}", name);
}

/* ---- CreateStream / DescribeStream --------------------------------------------------------- */

static void test_create_describe(void **state)
{
    (void)state;
    create("s1", 3);
    json_object *d = describe("s1");
    assert_string_equal(str_at(d, "StreamDescription.StreamName"), "s1");
    assert_string_equal(str_at(d, "StreamDescription.StreamARN"),
                        "arn:aws:kinesis:us-east-1:123456789012:stream/s1");
    assert_string_equal(str_at(d, "StreamDescription.StreamStatus"), "ACTIVE");
    assert_string_equal(str_at(d, "StreamDescription.StreamModeDetails.StreamMode"), "PROVISIONED");
    assert_int_equal(json_object_get_int(at(d, "StreamDescription.RetentionPeriodHours")), 24);
    assert_string_equal(str_at(d, "StreamDescription.EncryptionType"), "NONE");
    assert_int_equal(len_at(d, "StreamDescription.EnhancedMonitoring"), 1);
    assert_int_equal(len_at(d, "StreamDescription.EnhancedMonitoring.0.ShardLevelMetrics"), 0);
    assert_false(json_object_get_boolean(at(d, "StreamDescription.HasMoreShards")));
    assert_non_null(at(d, "StreamDescription.StreamCreationTimestamp"));
    assert_int_equal(len_at(d, "StreamDescription.Shards"), 3);
    /* floor(2^128 / 3) = 113427455640312821154458202477256070485 */
    assert_string_equal(str_at(d, "StreamDescription.Shards.0.ShardId"), "shardId-000000000000");
    assert_string_equal(str_at(d, "StreamDescription.Shards.0.HashKeyRange.StartingHashKey"), "0");
    assert_string_equal(str_at(d, "StreamDescription.Shards.0.HashKeyRange.EndingHashKey"),
                        "113427455640312821154458202477256070484");
    assert_string_equal(str_at(d, "StreamDescription.Shards.1.HashKeyRange.StartingHashKey"),
                        "113427455640312821154458202477256070485");
    assert_string_equal(str_at(d, "StreamDescription.Shards.2.HashKeyRange.EndingHashKey"),
                        HASH_MAX);
    const char *seq = str_at(d, "StreamDescription.Shards.2.SequenceNumberRange."
                                "StartingSequenceNumber");
    assert_non_null(seq);
    assert_int_equal(strlen(seq), 56);
    assert_null(at(d, "StreamDescription.Shards.2.SequenceNumberRange.EndingSequenceNumber"));
    assert_null(at(d, "StreamDescription.Shards.0.ParentShardId"));
    json_object_put(d);
}

static void test_create_errors(void **state)
{
    (void)state;
    create("dup", 1);
    assert_string_equal(fails("ResourceInUseException", "CreateStream",
                              "{\"StreamName\":\"dup\",\"ShardCount\":1}"),
                        "Stream dup under account 123456789012 already exists.");
    assert_string_equal(
        fails("ResourceNotFoundException", "DescribeStream", "{\"StreamName\":\"nope\"}"),
        "Stream nope under account 123456789012 not found.");
    fails("ValidationException", "CreateStream", "{\"StreamName\":\"x\"}");
    fails("ValidationException", "CreateStream",
          "{\"StreamName\":\"x\",\"ShardCount\":2,"
          "\"StreamModeDetails\":{\"StreamMode\":\"ON_DEMAND\"}}");
    kinesd_cfg.shard_limit = 5;
    const char *msg = fails("LimitExceededException", "CreateStream",
                            "{\"StreamName\":\"big\",\"ShardCount\":5}");
    assert_non_null(strstr(msg, "This request would exceed the shard limit for the account "
                                "123456789012 in us-east-1. Current shard count for the account: "
                                "1. Limit: 5. Number of additional shards that would have "
                                "resulted from this request: 5."));
    create("fits", 4);
}

static void test_on_demand(void **state)
{
    (void)state;
    json_object_put(ok("CreateStream", "{\"StreamName\":\"od\","
                                       "\"StreamModeDetails\":{\"StreamMode\":\"ON_DEMAND\"}}"));
    json_object *d = describe("od");
    assert_int_equal(len_at(d, "StreamDescription.Shards"), 4);
    assert_string_equal(str_at(d, "StreamDescription.StreamModeDetails.StreamMode"), "ON_DEMAND");
    json_object_put(d);
    fails("ValidationException", "SplitShard",
          "{\"StreamName\":\"od\",\"ShardToSplit\":\"shardId-000000000000\","
          "\"NewStartingHashKey\":\"1000\"}");
    fails("ValidationException", "MergeShards",
          "{\"StreamName\":\"od\",\"ShardToMerge\":\"shardId-000000000000\","
          "\"AdjacentShardToMerge\":\"shardId-000000000001\"}");
    fails("ValidationException", "UpdateShardCount",
          "{\"StreamName\":\"od\",\"TargetShardCount\":5,\"ScalingType\":\"UNIFORM_SCALING\"}");
}

static void test_describe_paging_and_summary(void **state)
{
    (void)state;
    create("pg", 5);
    json_object *d = ok("DescribeStream", "{\"StreamName\":\"pg\",\"Limit\":2}");
    assert_int_equal(len_at(d, "StreamDescription.Shards"), 2);
    assert_true(json_object_get_boolean(at(d, "StreamDescription.HasMoreShards")));
    json_object_put(d);
    d = ok("DescribeStream",
           "{\"StreamName\":\"pg\",\"ExclusiveStartShardId\":\"shardId-000000000002\"}");
    assert_int_equal(len_at(d, "StreamDescription.Shards"), 2);
    assert_string_equal(str_at(d, "StreamDescription.Shards.0.ShardId"), "shardId-000000000003");
    assert_false(json_object_get_boolean(at(d, "StreamDescription.HasMoreShards")));
    json_object_put(d);
    d = ok("DescribeStreamSummary", "{\"StreamName\":\"pg\"}");
    assert_int_equal(json_object_get_int(at(d, "StreamDescriptionSummary.OpenShardCount")), 5);
    assert_int_equal(json_object_get_int(at(d, "StreamDescriptionSummary.ConsumerCount")), 0);
    assert_string_equal(str_at(d, "StreamDescriptionSummary.StreamStatus"), "ACTIVE");
    assert_null(at(d, "StreamDescriptionSummary.Shards"));
    json_object_put(d);
}

static void test_stream_arn(void **state)
{
    (void)state;
    create("arned", 1);
    json_object_put(ok("DescribeStreamSummary",
                       "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:123456789012:stream/arned\"}"));
    json_object_put(ok("DescribeStreamSummary",
                       "{\"StreamName\":\"arned\","
                       "\"StreamARN\":\"arn:aws:kinesis:us-east-1:123456789012:stream/arned\"}"));
    fails("AccessDeniedException", "DescribeStream",
          "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:999999999999:stream/arned\"}");
    fails("ResourceNotFoundException", "DescribeStream",
          "{\"StreamARN\":\"arn:aws:kinesis:eu-west-1:123456789012:stream/arned\"}");
    fails("InvalidArgumentException", "DescribeStream",
          "{\"StreamName\":\"other\","
          "\"StreamARN\":\"arn:aws:kinesis:us-east-1:123456789012:stream/arned\"}");
    fails("InvalidArgumentException", "DescribeStream", "{}");
}

/* ---- DeleteStream and transitions ---------------------------------------------------------- */

static void test_delete(void **state)
{
    (void)state;
    create("gone", 2);
    json_object_put(ok("DeleteStream", "{\"StreamName\":\"gone\"}"));
    fails("ResourceNotFoundException", "DescribeStream", "{\"StreamName\":\"gone\"}");
    create("gone", 1); /* the name is free again */
}

static void test_transitions(void **state)
{
    (void)state;
    kinesd_cfg.transition_ms = 100;
    create("slow", 2);
    json_object *d = describe("slow");
    assert_string_equal(str_at(d, "StreamDescription.StreamStatus"), "CREATING");
    assert_int_equal(len_at(d, "StreamDescription.Shards"), 0);
    json_object_put(d);
    fails("ResourceInUseException", "SplitShard",
          "{\"StreamName\":\"slow\",\"ShardToSplit\":\"shardId-000000000000\","
          "\"NewStartingHashKey\":\"1000\"}");
    tick_at(now_ms + 99);
    d = describe("slow");
    assert_string_equal(str_at(d, "StreamDescription.StreamStatus"), "CREATING");
    json_object_put(d);
    tick_at(now_ms + 100);
    d = describe("slow");
    assert_string_equal(str_at(d, "StreamDescription.StreamStatus"), "ACTIVE");
    json_object_put(d);

    json_object_put(ok("MergeShards", "{\"StreamName\":\"slow\","
                                      "\"ShardToMerge\":\"shardId-000000000000\","
                                      "\"AdjacentShardToMerge\":\"shardId-000000000001\"}"));
    d = describe("slow");
    assert_string_equal(str_at(d, "StreamDescription.StreamStatus"), "UPDATING");
    json_object_put(d);
    assert_string_equal(fails("ResourceInUseException", "UpdateShardCount",
                              "{\"StreamName\":\"slow\",\"TargetShardCount\":2,"
                              "\"ScalingType\":\"UNIFORM_SCALING\"}"),
                        "Stream slow under account 123456789012 not ACTIVE, instead in state "
                        "UPDATING");
    tick_at(now_ms + 200);
    d = describe("slow");
    assert_string_equal(str_at(d, "StreamDescription.StreamStatus"), "ACTIVE");
    json_object_put(d);

    now_ms += 1000;
    json_object_put(ok("DeleteStream", "{\"StreamName\":\"slow\"}"));
    d = describe("slow");
    assert_string_equal(str_at(d, "StreamDescription.StreamStatus"), "DELETING");
    json_object_put(d);
    tick_at(now_ms + 100);
    fails("ResourceNotFoundException", "DescribeStream", "{\"StreamName\":\"slow\"}");
}

/* ---- ListStreams --------------------------------------------------------------------------- */

static void test_list_streams(void **state)
{
    (void)state;
    create("c", 1);
    create("a", 1);
    create("b", 1);
    json_object *l = ok("ListStreams", "{\"Limit\":2}");
    assert_int_equal(len_at(l, "StreamNames"), 2);
    assert_string_equal(str_at(l, "StreamNames.0"), "a");
    assert_string_equal(str_at(l, "StreamNames.1"), "b");
    assert_true(json_object_get_boolean(at(l, "HasMoreStreams")));
    assert_string_equal(str_at(l, "StreamSummaries.1.StreamName"), "b");
    assert_string_equal(str_at(l, "StreamSummaries.1.StreamStatus"), "ACTIVE");
    assert_string_equal(str_at(l, "StreamSummaries.1.StreamModeDetails.StreamMode"), "PROVISIONED");
    assert_non_null(at(l, "StreamSummaries.1.StreamCreationTimestamp"));
    const char *token = str_at(l, "NextToken");
    assert_non_null(token);
    json_object *next = ok("ListStreams", "{\"NextToken\":\"%s\"}", token);
    assert_int_equal(len_at(next, "StreamNames"), 1);
    assert_string_equal(str_at(next, "StreamNames.0"), "c");
    assert_false(json_object_get_boolean(at(next, "HasMoreStreams")));
    assert_null(at(next, "NextToken"));
    json_object_put(next);
    now_ms += 301 * 1000;
    char body[1024];
    snprintf(body, sizeof(body), "{\"NextToken\":\"%s\"}", token);
    fails("ExpiredNextTokenException", "ListStreams", body);
    json_object_put(l);
    fails("InvalidArgumentException", "ListStreams", "{\"NextToken\":\"bm9wZQ==\"}");
    l = ok("ListStreams", "{\"ExclusiveStartStreamName\":\"a\"}");
    assert_int_equal(len_at(l, "StreamNames"), 2);
    json_object_put(l);
}

/* ---- SplitShard / MergeShards -------------------------------------------------------------- */

static void test_split(void **state)
{
    (void)state;
    create("sp", 1);
    now_ms += 10;
    json_object_put(ok("SplitShard", "{\"StreamName\":\"sp\","
                                     "\"ShardToSplit\":\"shardId-000000000000\","
                                     "\"NewStartingHashKey\":\"1000\"}"));
    json_object *d = describe("sp");
    assert_int_equal(len_at(d, "StreamDescription.Shards"), 3);
    assert_non_null(at(d, "StreamDescription.Shards.0.SequenceNumberRange.EndingSequenceNumber"));
    assert_string_equal(str_at(d, "StreamDescription.Shards.1.ParentShardId"),
                        "shardId-000000000000");
    assert_string_equal(str_at(d, "StreamDescription.Shards.1.HashKeyRange.EndingHashKey"), "999");
    assert_string_equal(str_at(d, "StreamDescription.Shards.2.HashKeyRange.StartingHashKey"),
                        "1000");
    assert_string_equal(str_at(d, "StreamDescription.Shards.2.HashKeyRange.EndingHashKey"),
                        HASH_MAX);
    /* children's sequence numbers sort after everything of the parent */
    const char *parent_end =
        str_at(d, "StreamDescription.Shards.0.SequenceNumberRange.EndingSequenceNumber");
    const char *child_start =
        str_at(d, "StreamDescription.Shards.1.SequenceNumberRange.StartingSequenceNumber");
    assert_true(strcmp(child_start, parent_end) > 0);
    json_object_put(d);

    assert_non_null(strstr(fails("InvalidArgumentException", "SplitShard",
                                 "{\"StreamName\":\"sp\",\"ShardToSplit\":"
                                 "\"shardId-000000000000\",\"NewStartingHashKey\":\"5\"}"),
                           "has already been merged or split"));
    assert_string_equal(fails("ResourceNotFoundException", "SplitShard",
                              "{\"StreamName\":\"sp\",\"ShardToSplit\":\"shardId-000000000009\","
                              "\"NewStartingHashKey\":\"5\"}"),
                        "Could not find shard shardId-000000000009 in stream sp under account "
                        "123456789012.");
    assert_string_equal(fails("InvalidArgumentException", "SplitShard",
                              "{\"StreamName\":\"sp\",\"ShardToSplit\":\"shardId-000000000001\","
                              "\"NewStartingHashKey\":\"1\"}"),
                        "NewStartingHashKey 1 used in SplitShard() on shard shardId-000000000001 "
                        "in stream sp under account 123456789012 is not both greater than one "
                        "plus the shard's StartingHashKey 0 and less than the shard's "
                        "EndingHashKey 999.");
    kinesd_cfg.shard_limit = 2;
    fails("LimitExceededException", "SplitShard",
          "{\"StreamName\":\"sp\",\"ShardToSplit\":\"shardId-000000000001\","
          "\"NewStartingHashKey\":\"500\"}");
}

static void test_merge(void **state)
{
    (void)state;
    create("mg", 3);
    assert_string_equal(fails("InvalidArgumentException", "MergeShards",
                              "{\"StreamName\":\"mg\",\"ShardToMerge\":\"shardId-000000000000\","
                              "\"AdjacentShardToMerge\":\"shardId-000000000002\"}"),
                        "Shards shardId-000000000000 and shardId-000000000002 in stream mg under "
                        "account 123456789012 are not an adjacent pair of shards eligible for "
                        "merging");
    /* AWS merges a pair in order only: the lower range first */
    assert_string_equal(fails("InvalidArgumentException", "MergeShards",
                              "{\"StreamName\":\"mg\",\"ShardToMerge\":\"shardId-000000000002\","
                              "\"AdjacentShardToMerge\":\"shardId-000000000001\"}"),
                        "Shards shardId-000000000002 and shardId-000000000001 in stream mg under "
                        "account 123456789012 are not an adjacent pair of shards eligible for "
                        "merging");
    /* shard ids are read as AWS reads them, and reported padded */
    assert_string_equal(fails("ResourceNotFoundException", "MergeShards",
                              "{\"StreamName\":\"mg\",\"ShardToMerge\":\"x-1\","
                              "\"AdjacentShardToMerge\":\"7\"}"),
                        "Could not find shard shardId-000000000007 in stream mg under account "
                        "123456789012.");
    assert_string_equal(fails("ResourceNotFoundException", "MergeShards",
                              "{\"StreamName\":\"nope\",\"ShardToMerge\":\"2147483648\","
                              "\"AdjacentShardToMerge\":\"1\"}"),
                        "Could not find shard 2147483648 in stream nope under account "
                        "123456789012.");
    json_object_put(ok("MergeShards", "{\"StreamName\":\"mg\","
                                      "\"ShardToMerge\":\"shard-1\","
                                      "\"AdjacentShardToMerge\":\"2\"}"));
    json_object *d = describe("mg");
    assert_int_equal(len_at(d, "StreamDescription.Shards"), 4);
    assert_string_equal(str_at(d, "StreamDescription.Shards.3.ParentShardId"),
                        "shardId-000000000001");
    assert_string_equal(str_at(d, "StreamDescription.Shards.3.AdjacentParentShardId"),
                        "shardId-000000000002");
    assert_string_equal(str_at(d, "StreamDescription.Shards.3.HashKeyRange.StartingHashKey"),
                        str_at(d, "StreamDescription.Shards.1.HashKeyRange.StartingHashKey"));
    assert_string_equal(str_at(d, "StreamDescription.Shards.3.HashKeyRange.EndingHashKey"),
                        HASH_MAX);
    json_object_put(d);
}

/* ---- UpdateShardCount ---------------------------------------------------------------------- */

/* How far ops_reshard.c lets a shard edge lie from an even boundary (its EDGE_SLACK). */
#define EDGE_SLACK ((u128)1 << 32)

static u128 key_at(json_object *o, const char *path)
{
    const char *digits = str_at(o, path);
    u128 key = 0;
    assert_non_null(digits);
    assert_true(u128_parse(digits, strlen(digits), &key));
    return key;
}

static bool near(u128 a, u128 b)
{
    return (a > b ? a - b : b - a) <= EDGE_SLACK;
}

typedef struct key_range {
    u128 start, end;
} key_range;

static int by_start(const void *a, const void *b)
{
    const key_range *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* The open shards of a stream must be `count` ranges that tile the hash key space exactly, each
 * within EDGE_SLACK of the even range of `count` in its place. */
static void assert_even_open_shards(const char *name, int count)
{
    json_object *l = ok("ListShards",
                        "{\"StreamName\":\"%s\",\"ShardFilter\":{\"Type\":"
                        "\"AT_LATEST\"}}",
                        name);
    assert_int_equal(len_at(l, "Shards"), (size_t)count);
    key_range ranges[64];
    assert_true(count <= 64);
    for (int i = 0; i < count; i++) {
        char path[64];
        snprintf(path, sizeof(path), "Shards.%d.HashKeyRange.StartingHashKey", i);
        ranges[i].start = key_at(l, path);
        snprintf(path, sizeof(path), "Shards.%d.HashKeyRange.EndingHashKey", i);
        ranges[i].end = key_at(l, path);
    }
    json_object_put(l);
    qsort(ranges, (size_t)count, sizeof(*ranges), by_start);
    for (int i = 0; i < count; i++) {
        u128 start, end;
        hash_range_even(i, count, &start, &end);
        assert_true(ranges[i].start == (i ? ranges[i - 1].end + 1 : 0));
        assert_true(ranges[i].start <= ranges[i].end);
        assert_true(near(ranges[i].start, start) && near(ranges[i].end, end));
    }
    assert_true(ranges[count - 1].end == U128_MAX);
}

/* Shards of a stream, open and closed. */
static size_t shards_in_total(const char *name)
{
    json_object *l = ok("ListShards", "{\"StreamName\":\"%s\"}", name);
    size_t n = len_at(l, "Shards");
    json_object_put(l);
    return n;
}

/* UpdateShardCount to target; returns how many shards it added. */
static size_t update_shard_count(const char *name, int target)
{
    size_t before = shards_in_total(name);
    now_ms += 3;
    json_object_put(ok("UpdateShardCount",
                       "{\"StreamName\":\"%s\",\"TargetShardCount\":%d,"
                       "\"ScalingType\":\"UNIFORM_SCALING\"}",
                       name, target));
    assert_even_open_shards(name, target);
    return shards_in_total(name) - before;
}

static void test_update_shard_count(void **state)
{
    (void)state;
    create("usc", 3);
    json_object *r = ok("UpdateShardCount", "{\"StreamName\":\"usc\",\"TargetShardCount\":5,"
                                            "\"ScalingType\":\"UNIFORM_SCALING\"}");
    assert_int_equal(json_object_get_int(at(r, "CurrentShardCount")), 3);
    assert_int_equal(json_object_get_int(at(r, "TargetShardCount")), 5);
    assert_string_equal(str_at(r, "StreamName"), "usc");
    assert_string_equal(str_at(r, "StreamARN"),
                        "arn:aws:kinesis:us-east-1:123456789012:stream/usc");
    json_object_put(r);
    assert_even_open_shards("usc", 5);
    json_object_put(ok("UpdateShardCount", "{\"StreamName\":\"usc\",\"TargetShardCount\":3,"
                                           "\"ScalingType\":\"UNIFORM_SCALING\"}"));
    assert_even_open_shards("usc", 3);
    json_object_put(ok("UpdateShardCount", "{\"StreamName\":\"usc\",\"TargetShardCount\":6,"
                                           "\"ScalingType\":\"UNIFORM_SCALING\"}"));
    assert_even_open_shards("usc", 6);
    json_object_put(ok("UpdateShardCount", "{\"StreamName\":\"usc\",\"TargetShardCount\":3,"
                                           "\"ScalingType\":\"UNIFORM_SCALING\"}"));
    assert_even_open_shards("usc", 3);
    assert_string_equal(fails("LimitExceededException", "UpdateShardCount",
                              "{\"StreamName\":\"usc\",\"TargetShardCount\":7,"
                              "\"ScalingType\":\"UNIFORM_SCALING\"}"),
                        "UpdateShardCount cannot scale up over double your current open shard "
                        "count. Current open shard count: 3, Target shard count: 7");
    assert_string_equal(fails("LimitExceededException", "UpdateShardCount",
                              "{\"StreamName\":\"usc\",\"TargetShardCount\":1,"
                              "\"ScalingType\":\"UNIFORM_SCALING\"}"),
                        "UpdateShardCount cannot scale down below half your current open shard "
                        "count. Current open shard count: 3, Target shard count: 1");
    kinesd_cfg.shard_limit = 4;
    fails("LimitExceededException", "UpdateShardCount",
          "{\"StreamName\":\"usc\",\"TargetShardCount\":5,\"ScalingType\":\"UNIFORM_SCALING\"}");
}

/* ---- ListShards ---------------------------------------------------------------------------- */

/* How many shards of stream "ls" ListShards gives for a timestamp filter. */
static size_t shards_at_time(const char *type, int64_t ms)
{
    json_object *l = ok("ListShards",
                        "{\"StreamName\":\"ls\",\"ShardFilter\":{\"Type\":\"%s\","
                        "\"Timestamp\":%lld.%03lld}}",
                        type, (long long)(ms / 1000), (long long)(ms % 1000));
    size_t n = len_at(l, "Shards");
    json_object_put(l);
    return n;
}

static void test_list_shards(void **state)
{
    (void)state;
    create("ls", 4);
    json_object *l = ok("ListShards", "{\"StreamName\":\"ls\",\"MaxResults\":3}");
    assert_int_equal(len_at(l, "Shards"), 3);
    const char *token = str_at(l, "NextToken");
    assert_non_null(token);
    json_object *next = ok("ListShards", "{\"NextToken\":\"%s\"}", token);
    assert_int_equal(len_at(next, "Shards"), 1);
    assert_string_equal(str_at(next, "Shards.0.ShardId"), "shardId-000000000003");
    assert_null(at(next, "NextToken"));
    json_object_put(next);
    char body[1024];
    snprintf(body, sizeof(body), "{\"StreamName\":\"ls\",\"NextToken\":\"%s\"}", token);
    assert_string_equal(fails("InvalidArgumentException", "ListShards", body),
                        "NextToken and StreamName cannot be provided together.");
    json_object_put(l);

    now_ms += 10;
    json_object_put(ok("SplitShard", "{\"StreamName\":\"ls\","
                                     "\"ShardToSplit\":\"shardId-000000000000\","
                                     "\"NewStartingHashKey\":\"1000\"}"));
    l = ok("ListShards", "{\"StreamName\":\"ls\"}");
    assert_int_equal(len_at(l, "Shards"), 6);
    json_object_put(l);
    l = ok("ListShards", "{\"StreamName\":\"ls\",\"ShardFilter\":{\"Type\":\"AT_LATEST\"}}");
    assert_int_equal(len_at(l, "Shards"), 5);
    json_object_put(l);
    l = ok("ListShards", "{\"StreamName\":\"ls\",\"ShardFilter\":{\"Type\":\"AT_TRIM_HORIZON\"}}");
    assert_int_equal(len_at(l, "Shards"), 4);
    assert_string_equal(str_at(l, "Shards.0.ShardId"), "shardId-000000000000");
    json_object_put(l);
    l = ok("ListShards", "{\"StreamName\":\"ls\",\"ShardFilter\":{\"Type\":\"AFTER_SHARD_ID\","
                         "\"ShardId\":\"shardId-000000000003\"}}");
    assert_int_equal(len_at(l, "Shards"), 2);
    assert_string_equal(str_at(l, "Shards.0.ShardId"), "shardId-000000000004");
    json_object_put(l);
    assert_int_equal(shards_at_time("AT_TIMESTAMP", now_ms - 5), 4); /* before the split */
    assert_int_equal(shards_at_time("AT_TIMESTAMP", now_ms + 5), 5);
    assert_int_equal(shards_at_time("FROM_TIMESTAMP", now_ms - 5), 6);
    assert_int_equal(shards_at_time("FROM_TIMESTAMP", now_ms + 5), 5);
    fails("InvalidArgumentException", "ListShards",
          "{\"StreamName\":\"ls\",\"ShardFilter\":{\"Type\":\"AFTER_SHARD_ID\"}}");
    fails("ResourceNotFoundException", "ListShards", "{\"StreamName\":\"none\"}");
}

/* ---- tags, retention, monitoring, mode, limits --------------------------------------------- */

static void test_tags(void **state)
{
    (void)state;
    json_object_put(
        ok("CreateStream", "{\"StreamName\":\"tg\",\"ShardCount\":1,\"Tags\":{\"a\":\"1\"}}"));
    json_object_put(
        ok("AddTagsToStream", "{\"StreamName\":\"tg\",\"Tags\":{\"c\":\"\",\"b\":\"2\"}}"));
    json_object *l = ok("ListTagsForStream", "{\"StreamName\":\"tg\",\"Limit\":2}");
    assert_int_equal(len_at(l, "Tags"), 2);
    assert_string_equal(str_at(l, "Tags.0.Key"), "a");
    assert_string_equal(str_at(l, "Tags.0.Value"), "1");
    assert_string_equal(str_at(l, "Tags.1.Key"), "b");
    assert_true(json_object_get_boolean(at(l, "HasMoreTags")));
    json_object_put(l);
    json_object_put(ok("RemoveTagsFromStream", "{\"StreamName\":\"tg\",\"TagKeys\":[\"a\"]}"));
    l = ok("ListTagsForStream", "{\"StreamName\":\"tg\",\"ExclusiveStartTagKey\":\"b\"}");
    assert_int_equal(len_at(l, "Tags"), 1);
    assert_string_equal(str_at(l, "Tags.0.Key"), "c");
    assert_string_equal(str_at(l, "Tags.0.Value"), "");
    assert_false(json_object_get_boolean(at(l, "HasMoreTags")));
    json_object_put(l);
    fails("InvalidArgumentException", "AddTagsToStream",
          "{\"StreamName\":\"tg\",\"Tags\":{\"a#\":\"1\"}}");
    assert_non_null(strstr(fails("InvalidArgumentException", "AddTagsToStream",
                                 "{\"StreamName\":\"tg\",\"Tags\":{\"a%\":\"1\"}}"),
                           "because some tags contained illegal characters"));
    kbuf many = KBUF_INIT;
    kbuf_puts(&many, "{\"StreamName\":\"tg\",\"Tags\":{");
    for (int i = 0; i < 49; i++)
        kbuf_printf(&many, "%s\"k%d\":\"v\"", i ? "," : "", i);
    kbuf_puts(&many, "}}");
    assert_non_null(strstr(fails("InvalidArgumentException", "AddTagsToStream", many.data),
                           "cannot have more than 50 tags"));
    kbuf_free(&many);
}

static void test_retention(void **state)
{
    (void)state;
    create("rt", 1);
    json_object_put(
        ok("IncreaseStreamRetentionPeriod", "{\"StreamName\":\"rt\",\"RetentionPeriodHours\":48}"));
    json_object *d = describe("rt");
    assert_int_equal(json_object_get_int(at(d, "StreamDescription.RetentionPeriodHours")), 48);
    json_object_put(d);
    assert_string_equal(fails("InvalidArgumentException", "DecreaseStreamRetentionPeriod",
                              "{\"StreamName\":\"rt\",\"RetentionPeriodHours\":72}"),
                        "Requested retention period (72 hours) for stream rt can not be longer "
                        "than existing retention period (48 hours). Use IncreaseRetentionPeriod "
                        "API.");
    assert_string_equal(fails("InvalidArgumentException", "IncreaseStreamRetentionPeriod",
                              "{\"StreamName\":\"rt\",\"RetentionPeriodHours\":10}"),
                        "Minimum allowed retention period is 24 hours. Requested retention period "
                        "(10 hours) is too short.");
    assert_string_equal(fails("InvalidArgumentException", "IncreaseStreamRetentionPeriod",
                              "{\"StreamName\":\"rt\",\"RetentionPeriodHours\":9000}"),
                        "Maximum allowed retention period is 8760 hours. Requested retention "
                        "period (9000 hours) is too long.");
    json_object_put(
        ok("DecreaseStreamRetentionPeriod", "{\"StreamName\":\"rt\",\"RetentionPeriodHours\":24}"));
}

static void test_monitoring(void **state)
{
    (void)state;
    create("mon", 1);
    json_object *r = ok("EnableEnhancedMonitoring",
                        "{\"StreamName\":\"mon\",\"ShardLevelMetrics\":[\"IncomingBytes\"]}");
    assert_int_equal(len_at(r, "CurrentShardLevelMetrics"), 0);
    assert_int_equal(len_at(r, "DesiredShardLevelMetrics"), 1);
    assert_string_equal(str_at(r, "DesiredShardLevelMetrics.0"), "IncomingBytes");
    assert_string_equal(str_at(r, "StreamName"), "mon");
    json_object_put(r);
    json_object_put(
        ok("EnableEnhancedMonitoring", "{\"StreamName\":\"mon\",\"ShardLevelMetrics\":[\"ALL\"]}"));
    r = ok("DisableEnhancedMonitoring",
           "{\"StreamName\":\"mon\",\"ShardLevelMetrics\":[\"IncomingBytes\"]}");
    assert_int_equal(len_at(r, "CurrentShardLevelMetrics"), 7);
    assert_int_equal(len_at(r, "DesiredShardLevelMetrics"), 6);
    json_object_put(r);
    json_object *d = describe("mon");
    assert_int_equal(len_at(d, "StreamDescription.EnhancedMonitoring.0.ShardLevelMetrics"), 6);
    json_object_put(d);
}

static void test_limits_and_mode(void **state)
{
    (void)state;
    create("pv", 3);
    json_object_put(ok("CreateStream", "{\"StreamName\":\"od\","
                                       "\"StreamModeDetails\":{\"StreamMode\":\"ON_DEMAND\"}}"));
    json_object *l = ok("DescribeLimits", "{}");
    assert_int_equal(json_object_get_int(at(l, "ShardLimit")), 500);
    assert_int_equal(json_object_get_int(at(l, "OpenShardCount")), 7);
    assert_int_equal(json_object_get_int(at(l, "OnDemandStreamCount")), 1);
    assert_int_equal(json_object_get_int(at(l, "OnDemandStreamCountLimit")), 50);
    json_object_put(l);
    json_object_put(ok("UpdateStreamMode",
                       "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:123456789012:stream/pv\","
                       "\"StreamModeDetails\":{\"StreamMode\":\"ON_DEMAND\"}}"));
    json_object *d = ok("DescribeStreamSummary", "{\"StreamName\":\"pv\"}");
    assert_string_equal(str_at(d, "StreamDescriptionSummary.StreamModeDetails.StreamMode"),
                        "ON_DEMAND");
    json_object_put(d);
    fails("ValidationException", "UpdateShardCount",
          "{\"StreamName\":\"pv\",\"TargetShardCount\":4,\"ScalingType\":\"UNIFORM_SCALING\"}");
}

static void test_encryption_and_record_size(void **state)
{
    (void)state;
    json_object_put(ok("CreateStream",
                       "{\"StreamName\":\"enc\",\"ShardCount\":1,\"MaxRecordSizeInKiB\":2048}"));
    json_object *d = ok("DescribeStreamSummary", "{\"StreamName\":\"enc\"}");
    assert_int_equal(json_object_get_int(at(d, "StreamDescriptionSummary.MaxRecordSizeInKiB")),
                     2048);
    json_object_put(d);
    json_object_put(ok("UpdateMaxRecordSize",
                       "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:123456789012:stream/enc\","
                       "\"MaxRecordSizeInKiB\":10240}"));
    json_object_put(ok("StartStreamEncryption", "{\"StreamName\":\"enc\",\"EncryptionType\":"
                                                "\"KMS\",\"KeyId\":\"alias/aws/kinesis\"}"));
    d = describe("enc");
    assert_string_equal(str_at(d, "StreamDescription.EncryptionType"), "KMS");
    assert_string_equal(str_at(d, "StreamDescription.KeyId"), "alias/aws/kinesis");
    json_object_put(d);
    d = ok("DescribeStreamSummary", "{\"StreamName\":\"enc\"}");
    assert_int_equal(json_object_get_int(at(d, "StreamDescriptionSummary.MaxRecordSizeInKiB")),
                     10240);
    json_object_put(d);
    fails("InvalidArgumentException", "StopStreamEncryption",
          "{\"StreamName\":\"enc\",\"EncryptionType\":\"NONE\",\"KeyId\":\"alias/aws/kinesis\"}");
    json_object_put(ok("StopStreamEncryption", "{\"StreamName\":\"enc\",\"EncryptionType\":"
                                               "\"KMS\",\"KeyId\":\"alias/aws/kinesis\"}"));
    d = describe("enc");
    assert_string_equal(str_at(d, "StreamDescription.EncryptionType"), "NONE");
    assert_null(at(d, "StreamDescription.KeyId"));
    json_object_put(d);
}

static void test_resource_tags(void **state)
{
    (void)state;
    create("rs", 1);
    json_object_put(ok("TagResource",
                       "{\"ResourceARN\":\"arn:aws:kinesis:us-east-1:123456789012:stream/rs\","
                       "\"Tags\":{\"team\":\"x\",\"env\":\"dev\"}}"));
    json_object_put(ok("UntagResource",
                       "{\"ResourceARN\":\"arn:aws:kinesis:us-east-1:123456789012:stream/rs\","
                       "\"TagKeys\":[\"team\"]}"));
    json_object *l = ok("ListTagsForResource",
                        "{\"ResourceARN\":\"arn:aws:kinesis:us-east-1:123456789012:stream/rs\"}");
    assert_int_equal(len_at(l, "Tags"), 1);
    assert_string_equal(str_at(l, "Tags.0.Key"), "env");
    assert_null(at(l, "HasMoreTags"));
    json_object_put(l);
    fails("ResourceNotFoundException", "ListTagsForResource",
          "{\"ResourceARN\":\"arn:aws:kinesis:us-east-1:123456789012:stream/rs/consumer/c:1\"}");
    fails("ResourceNotFoundException", "ListTagsForResource",
          "{\"ResourceARN\":\"arn:aws:kinesis:us-east-1:123456789012:stream/none\"}");
}

static void test_resource_policy(void **state)
{
    (void)state;
    create("pol", 1);
    const char *arn = "arn:aws:kinesis:us-east-1:123456789012:stream/pol";
    json_object *p = ok("GetResourcePolicy", "{\"ResourceARN\":\"%s\"}", arn);
    assert_string_equal(str_at(p, "Policy"), "{}");
    json_object_put(p);
    json_object_put(
        ok("PutResourcePolicy",
           "{\"ResourceARN\":\"%s\",\"Policy\":\"{\\\"Version\\\":\\\"2012-10-17\\\"}\"}", arn));
    p = ok("GetResourcePolicy", "{\"ResourceARN\":\"%s\"}", arn);
    assert_string_equal(str_at(p, "Policy"), "{\"Version\":\"2012-10-17\"}");
    json_object_put(p);
    fails("InvalidArgumentException", "PutResourcePolicy",
          "{\"ResourceARN\":\"arn:aws:kinesis:us-east-1:123456789012:stream/pol\","
          "\"Policy\":\"[1]\"}");
    json_object_put(ok("DeleteResourcePolicy", "{\"ResourceARN\":\"%s\"}", arn));
    fails("ResourceNotFoundException", "DeleteResourcePolicy",
          "{\"ResourceARN\":\"arn:aws:kinesis:us-east-1:123456789012:stream/pol\"}");
}

/* The shard that child names in member (ParentShardId, AdjacentParentShardId), or NULL when it
 * names none. A named parent must be listed, closed, and end before the child's numbers start. */
static json_object *parent_of(json_object *shards, json_object *child, const char *member)
{
    const char *id = str_at(child, member);
    if (!id)
        return NULL;
    json_object *parent = NULL;
    for (size_t j = 0; j < json_object_array_length(shards) && !parent; j++)
        if (strcmp(str_at(json_object_array_get_idx(shards, j), "ShardId"), id) == 0)
            parent = json_object_array_get_idx(shards, j);
    assert_non_null(parent);
    const char *parent_end = str_at(parent, "SequenceNumberRange.EndingSequenceNumber");
    assert_non_null(parent_end);
    assert_true(strcmp(str_at(child, "SequenceNumberRange.StartingSequenceNumber"), parent_end) >
                0);
    return parent;
}

static key_range range_of(json_object *sh)
{
    return (key_range){key_at(sh, "HashKeyRange.StartingHashKey"),
                       key_at(sh, "HashKeyRange.EndingHashKey")};
}

/* Every parent named by a shard is closed before the child starts; a split child holds a part of
 * its parent's hash keys, a merged child exactly those of its two adjacent parents. */
static void assert_lineage(const char *name)
{
    json_object *l = ok("ListShards", "{\"StreamName\":\"%s\"}", name);
    json_object *shards = at(l, "Shards");
    for (size_t i = 0; i < json_object_array_length(shards); i++) {
        json_object *child = json_object_array_get_idx(shards, i);
        json_object *parent = parent_of(shards, child, "ParentShardId");
        json_object *adjacent = parent_of(shards, child, "AdjacentParentShardId");
        if (!parent) {
            assert_null(adjacent);
            continue;
        }
        key_range c = range_of(child), p = range_of(parent);
        if (!adjacent) {
            assert_true(p.start <= c.start && c.end <= p.end);
            continue;
        }
        key_range a = range_of(adjacent);
        key_range low = p.start < a.start ? p : a, high = p.start < a.start ? a : p;
        assert_true(low.end + 1 == high.start && c.start == low.start && c.end == high.end);
    }
    json_object_put(l);
}

/* Doubling splits every shard once, halving merges every pair once, the same count changes
 * nothing, and other counts split and merge only where the target's boundaries need it. */
static void test_update_shard_count_steps(void **state)
{
    (void)state;
    create("x3", 3);
    assert_int_equal(update_shard_count("x3", 6), 6); /* 9 shards in all */
    assert_int_equal(update_shard_count("x3", 3), 3);
    assert_int_equal(update_shard_count("x3", 3), 0);
    create("x4", 4);
    assert_int_equal(update_shard_count("x4", 8), 8); /* 12 in all */
    assert_int_equal(update_shard_count("x4", 4), 4);
    assert_int_equal(update_shard_count("x4", 6), 10); /* 4 splits, 2 merges */
    assert_int_equal(update_shard_count("x4", 4), 8);  /* 2 splits, 4 merges */
    create("h8", 8);
    assert_int_equal(update_shard_count("h8", 4), 4); /* 12 in all */
    assert_lineage("x3");
    assert_lineage("x4");
    assert_lineage("h8");
}

/* A boundary a few keys from an existing edge is that edge: no sliver is split off, and the
 * shard just right of the boundary still belongs to the range right of it. */
static void test_update_shard_count_near_edge(void **state)
{
    (void)state;
    create("ne", 2);
    json_object_put(ok("SplitShard", "{\"StreamName\":\"ne\","
                                     "\"ShardToSplit\":\"shardId-000000000000\","
                                     "\"NewStartingHashKey\":"
                                     "\"85070591730234615865843651857942052859\"}")); /* 2^126-5 */
    assert_int_equal(update_shard_count("ne", 4), 2); /* only shard 1 is split */
    json_object *l = ok("ListShards", "{\"StreamName\":\"ne\",\"ShardFilter\":{\"Type\":"
                                      "\"AT_LATEST\"}}");
    assert_string_equal(str_at(l, "Shards.0.HashKeyRange.EndingHashKey"),
                        "85070591730234615865843651857942052858");
    json_object_put(l);
    assert_lineage("ne");
}

static void test_update_shard_count_walk(void **state)
{
    (void)state;
    create("walk", 1);
    int open = 1;
    unsigned seed = 7;
    for (int step = 0; step < 25; step++) {
        seed = seed * 1103515245u + 12345u;
        int low = (open + 1) / 2, high = open * 2 > 40 ? 40 : open * 2;
        int target = low + (int)((seed >> 16) % (unsigned)(high - low + 1));
        size_t added = update_shard_count("walk", target);
        if (target == 2 * open || 2 * target == open)
            assert_int_equal(added, target);
        if (target == open)
            assert_int_equal(added, 0);
        open = target;
    }
    assert_lineage("walk");
}

int main(void)
{
    if (!model_get(MODEL_KINESIS))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_describe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_on_demand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_describe_paging_and_summary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_arn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transitions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_streams, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_shard_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_shard_count_steps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_shard_count_near_edge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_shard_count_walk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_shards, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention, setup, teardown),
        cmocka_unit_test_setup_teardown(test_monitoring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits_and_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_encryption_and_record_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resource_tags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resource_policy, setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    model_unload();
    return failed;
}
