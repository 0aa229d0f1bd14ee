/* test_client_api.c - the request builders and result readers of libkines's typed calls
 * (src/client/ops_shapes.h), checked against the Kinesis JSON shapes without a server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "client/ops_shapes.h"
#include "kines/kines.h"

/* Checks that `built` (consumed) serialises to `expected`. */
static void assert_json(json_object *built, const char *expected)
{
    assert_string_equal(json_object_to_json_string_ext(built, JSON_C_TO_STRING_PLAIN), expected);
    json_object_put(built);
}

/* Parses `text` and runs `read` on it into out. */
static void read_text(result_reader *read, const char *text, void *out, size_t size)
{
    json_object *j = json_tokener_parse(text);
    assert_non_null(j);
    memset(out, 0, size);
    read(j, out);
    json_object_put(j);
}

/* ---- requests ------------------------------------------------------------------------------- */

static void test_stream_names_by_name_arn_or_both(void **state)
{
    (void)state;
    assert_json(request_for_stream(&(kines_stream_ref){.name = "s"}), "{\"StreamName\":\"s\"}");
    assert_json(request_for_stream(&(kines_stream_ref){.arn = "arn:x"}),
                "{\"StreamARN\":\"arn:x\"}");
    assert_json(request_for_stream(&(kines_stream_ref){"s", "arn:x"}),
                "{\"StreamName\":\"s\",\"StreamARN\":\"arn:x\"}");
}

static void test_consumer_and_resource_requests(void **state)
{
    (void)state;
    assert_json(request_for_resource("arn:r"), "{\"ResourceARN\":\"arn:r\"}");
    assert_json(request_for_consumer(&(kines_consumer_ref){.consumer_arn = "arn:c"}),
                "{\"ConsumerARN\":\"arn:c\"}");
    assert_json(request_for_consumer(&(kines_consumer_ref){"arn:s", "app", NULL}),
                "{\"StreamARN\":\"arn:s\",\"ConsumerName\":\"app\"}");
}

static void test_list_shards_request_leaves_out_what_a_token_forbids(void **state)
{
    (void)state;
    kines_list_shards_request first = {.stream = {.name = "s"},
                                       .exclusive_start_shard_id = "shardId-000000000001",
                                       .max_results = 2,
                                       .filter_type = "AT_TIMESTAMP",
                                       .filter_timestamp = 1700000000.5};
    assert_json(request_list_shards(&first),
                "{\"StreamName\":\"s\",\"ExclusiveStartShardId\":\"shardId-000000000001\","
                "\"ShardFilter\":{\"Type\":\"AT_TIMESTAMP\",\"Timestamp\":1700000000.5},"
                "\"MaxResults\":2}");
    kines_list_shards_request next = first;
    next.next_token = "tok";
    assert_json(request_list_shards(&next), "{\"NextToken\":\"tok\",\"MaxResults\":2}");
}

static void test_string_arrays_and_tag_maps(void **state)
{
    (void)state;
    const char *metrics[] = {"IncomingBytes", "ALL"};
    assert_json(json_string_array(metrics, 2), "[\"IncomingBytes\",\"ALL\"]");
    assert_json(json_string_array(NULL, 0), "[]");
    kines_tag tags[] = {{"team", "data"}, {"empty", NULL}};
    assert_json(json_tag_map(tags, 2), "{\"team\":\"data\",\"empty\":\"\"}");
}

/* ---- results -------------------------------------------------------------------------------- */

static void test_shard_page(void **state)
{
    (void)state;
    kines_shard_page p;
    read_text(read_shard_page,
              "{\"Shards\":[{\"ShardId\":\"shardId-000000000002\","
              "\"ParentShardId\":\"shardId-000000000000\","
              "\"HashKeyRange\":{\"StartingHashKey\":\"0\",\"EndingHashKey\":\"99\"},"
              "\"SequenceNumberRange\":{\"StartingSequenceNumber\":\"49\"}}],"
              "\"NextToken\":\"more\"}",
              &p, sizeof p);
    assert_int_equal(p.count, 1);
    assert_string_equal(p.shards[0].shard_id, "shardId-000000000002");
    assert_string_equal(p.shards[0].parent_shard_id, "shardId-000000000000");
    assert_null(p.shards[0].adjacent_parent_shard_id);
    assert_string_equal(p.shards[0].ending_hash_key, "99");
    assert_string_equal(p.shards[0].starting_sequence_number, "49");
    assert_null(p.shards[0].ending_sequence_number);
    assert_string_equal(p.next_token, "more");
    kines_shard_page_free(&p);
    read_text(read_shard_page, "{\"Shards\":[]}", &p, sizeof p);
    assert_int_equal(p.count, 0);
    assert_null(p.next_token);
    kines_shard_page_free(&p);
}

static void test_describe_stream_page(void **state)
{
    (void)state;
    json_object *j = json_tokener_parse(
        "{\"StreamDescription\":{\"StreamName\":\"s\",\"StreamARN\":\"arn:s\","
        "\"StreamStatus\":\"ACTIVE\",\"StreamModeDetails\":{\"StreamMode\":\"PROVISIONED\"},"
        "\"RetentionPeriodHours\":24,\"StreamCreationTimestamp\":1700000000.25,"
        "\"HasMoreShards\":true,\"Shards\":[{\"ShardId\":\"a\"},{\"ShardId\":\"b\"}]}}");
    kines_stream s = {0};
    bool more = false;
    read_stream_description(j, &s, &more);
    json_object_put(j);
    assert_true(more);
    assert_string_equal(s.arn, "arn:s");
    assert_string_equal(s.mode, "PROVISIONED");
    assert_int_equal(s.retention_hours, 24);
    assert_true(s.creation_timestamp == 1700000000.25);
    assert_int_equal(s.shard_count, 2);
    assert_string_equal(s.shards[1].shard_id, "b");
    kines_stream_free(&s);
}

static void test_stream_page_with_and_without_summaries(void **state)
{
    (void)state;
    kines_stream_page p;
    read_text(
        read_stream_page,
        "{\"StreamNames\":[\"a\"],\"HasMoreStreams\":true,\"NextToken\":\"t\","
        "\"StreamSummaries\":[{\"StreamName\":\"a\",\"StreamARN\":\"arn:a\","
        "\"StreamStatus\":\"CREATING\",\"StreamModeDetails\":{\"StreamMode\":\"ON_DEMAND\"}}]}",
        &p, sizeof p);
    assert_int_equal(p.count, 1);
    assert_true(p.has_more);
    assert_string_equal(p.next_token, "t");
    assert_string_equal(p.streams[0].arn, "arn:a");
    assert_string_equal(p.streams[0].mode, "ON_DEMAND");
    kines_stream_page_free(&p);
    read_text(read_stream_page, "{\"StreamNames\":[\"x\",\"y\"],\"HasMoreStreams\":false}", &p,
              sizeof p);
    assert_int_equal(p.count, 2);
    assert_false(p.has_more);
    assert_string_equal(p.streams[1].name, "y");
    assert_null(p.streams[1].arn);
    kines_stream_page_free(&p);
}

static void test_monitoring_and_warm_throughput(void **state)
{
    (void)state;
    kines_monitoring m;
    read_text(read_monitoring,
              "{\"StreamName\":\"s\",\"StreamARN\":\"arn:s\",\"CurrentShardLevelMetrics\":[],"
              "\"DesiredShardLevelMetrics\":[\"IncomingBytes\",\"OutgoingBytes\"]}",
              &m, sizeof m);
    assert_string_equal(m.stream_name, "s");
    assert_int_equal(m.current_count, 0);
    assert_int_equal(m.desired_count, 2);
    assert_string_equal(m.desired[1], "OutgoingBytes");
    kines_monitoring_free(&m);
    kines_warm_throughput w;
    read_text(
        read_warm_throughput,
        "{\"StreamARN\":\"arn:s\",\"WarmThroughput\":{\"TargetMiBps\":50,\"CurrentMiBps\":1}}", &w,
        sizeof w);
    assert_null(w.stream_name);
    assert_int_equal(w.target_mibps, 50);
    assert_int_equal(w.current_mibps, 1);
    kines_warm_throughput_free(&w);
}

static void test_resource_tags(void **state)
{
    (void)state;
    kines_tag_list l;
    read_text(read_resource_tags, "{\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"},{\"Key\":\"bare\"}]}",
              &l, sizeof l);
    assert_int_equal(l.count, 2);
    assert_string_equal(l.tags[0].value, "v");
    assert_string_equal(l.tags[1].key, "bare");
    assert_string_equal(l.tags[1].value, "");
    kines_tag_list_free(&l);
}

static void test_consumers_one_or_a_page(void **state)
{
    (void)state;
    static const char description[] =
        "{\"ConsumerDescription\":{\"ConsumerName\":\"app\",\"ConsumerARN\":\"arn:c\","
        "\"ConsumerStatus\":\"ACTIVE\",\"ConsumerCreationTimestamp\":1700000000,"
        "\"StreamARN\":\"arn:s\"}}";
    kines_stream_consumer_list l;
    read_text(read_consumers, description, &l, sizeof l);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.consumers[0].status, "ACTIVE");
    assert_string_equal(l.consumers[0].stream_arn, "arn:s");
    assert_true(l.consumers[0].creation_timestamp == 1700000000);
    kines_stream_consumer_list_free(&l);
    read_text(read_consumers, "{\"Consumer\":{\"ConsumerName\":\"new\"}}", &l, sizeof l);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.consumers[0].name, "new");
    assert_null(l.consumers[0].stream_arn);
    kines_stream_consumer_list_free(&l);
    read_text(read_consumers,
              "{\"Consumers\":[{\"ConsumerName\":\"a\"},{\"ConsumerName\":\"b\"}],"
              "\"NextToken\":\"n\"}",
              &l, sizeof l);
    assert_int_equal(l.count, 2);
    assert_string_equal(l.consumers[1].name, "b");
    assert_string_equal(l.next_token, "n");
    kines_stream_consumer_list_free(&l);
}

static void test_account_settings(void **state)
{
    (void)state;
    kines_account_settings s;
    read_text(read_account_settings,
              "{\"MinimumThroughputBillingCommitment\":{\"Status\":\"ENABLED\","
              "\"StartedAt\":1700000000,\"EarliestAllowedEndAt\":1700086400}}",
              &s, sizeof s);
    assert_string_equal(s.status, "ENABLED");
    assert_true(s.started_at == 1700000000);
    assert_true(s.ended_at == 0);
    assert_true(s.earliest_allowed_end_at == 1700086400);
    kines_account_settings_free(&s);
}

/* A failed call leaves its result zeroed, so freeing it is harmless. */
static void test_failed_call_leaves_result_free_safe(void **state)
{
    (void)state;
    kines_options o = {.endpoint_url = "http://127.0.0.1:1",
                       .region = "us-east-1",
                       .access_key_id = "AKID",
                       .secret_access_key = "secret",
                       .max_attempts = 1,
                       .timeout_ms = 1000};
    kines_error err;
    kines_client *c = kines_client_new(&o, &err);
    assert_non_null(c);
    kines_stream_consumer_list l;
    memset(&l, 0xff, sizeof l);
    assert_int_equal(kines_list_stream_consumers(c, "arn:s", 0, NULL, &l, &err), -1);
    assert_int_equal(err.status, KINES_ERR_TRANSPORT);
    assert_null(l.mem);
    kines_stream_consumer_list_free(&l);
    kines_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_names_by_name_arn_or_both),
        cmocka_unit_test(test_consumer_and_resource_requests),
        cmocka_unit_test(test_list_shards_request_leaves_out_what_a_token_forbids),
        cmocka_unit_test(test_string_arrays_and_tag_maps),
        cmocka_unit_test(test_shard_page),
        cmocka_unit_test(test_describe_stream_page),
        cmocka_unit_test(test_stream_page_with_and_without_summaries),
        cmocka_unit_test(test_monitoring_and_warm_throughput),
        cmocka_unit_test(test_resource_tags),
        cmocka_unit_test(test_consumers_one_or_a_page),
        cmocka_unit_test(test_account_settings),
        cmocka_unit_test(test_failed_call_leaves_result_free_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
