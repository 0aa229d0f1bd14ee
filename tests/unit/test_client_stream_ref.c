/* test_client_stream_ref.c - the requests of the data and tag-by-stream calls
 * (src/client/records.c, settings.c) with the stream named by name, by ARN or both
 * (kines_stream_ref), checked against the Kinesis JSON shapes without a server; the by-name calls
 * send exactly these by-name requests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "client/records.h"
#include "client/settings.h"
#include "kines/kines.h"

#define ARN "arn:aws:kinesis:us-east-1:000000000000:stream/s"

static const kines_stream_ref by_name = {.name = "s"};
static const kines_stream_ref by_arn = {.arn = ARN};
static const kines_stream_ref by_both = {"s", ARN};

/* Checks that `built` (consumed) serialises to `expected` (slashes unescaped, for the ARN). */
static void assert_json(json_object *built, const char *expected)
{
    int flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;
    assert_string_equal(json_object_to_json_string_ext(built, flags), expected);
    json_object_put(built);
}

static void test_put_record(void **state)
{
    (void)state;
    kines_put_entry e = {.data = "hi", .len = 2, .partition_key = "pk"};
    assert_json(request_put_record(&by_name, &e),
                "{\"StreamName\":\"s\",\"Data\":\"aGk=\",\"PartitionKey\":\"pk\"}");
    e.explicit_hash_key = "7";
    assert_json(request_put_record(&by_arn, &e),
                "{\"StreamARN\":\"" ARN "\",\"Data\":\"aGk=\",\"PartitionKey\":\"pk\","
                "\"ExplicitHashKey\":\"7\"}");
}

static void test_put_records_name_the_stream_once(void **state)
{
    (void)state;
    kines_put_entry e[] = {{.data = "a", .len = 1, .partition_key = "k1"},
                           {.data = "", .len = 0, .partition_key = "k2"}};
    assert_json(request_put_records(&by_arn, e, 2),
                "{\"StreamARN\":\"" ARN "\",\"Records\":[{\"Data\":\"YQ==\",\"PartitionKey\":"
                "\"k1\"},{\"Data\":\"\",\"PartitionKey\":\"k2\"}]}");
    assert_json(request_put_records(&by_name, e, 1),
                "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"YQ==\",\"PartitionKey\":\"k1\"}]}");
}

static void test_get_shard_iterator(void **state)
{
    (void)state;
    kines_position after = {.type = KINES_AFTER_SEQUENCE_NUMBER, .sequence_number = "49"};
    assert_json(request_get_shard_iterator(&by_arn, "shardId-000000000000", &after),
                "{\"StreamARN\":\"" ARN "\",\"ShardId\":\"shardId-000000000000\","
                "\"ShardIteratorType\":\"AFTER_SEQUENCE_NUMBER\",\"StartingSequenceNumber\":"
                "\"49\"}");
    kines_position at = {.type = KINES_AT_TIMESTAMP, .timestamp = 1700000000.5};
    assert_json(request_get_shard_iterator(&by_both, "shardId-000000000001", &at),
                "{\"StreamName\":\"s\",\"StreamARN\":\"" ARN "\",\"ShardId\":"
                "\"shardId-000000000001\",\"ShardIteratorType\":\"AT_TIMESTAMP\",\"Timestamp\":"
                "1700000000.5}");
    kines_position latest = {.type = KINES_LATEST, .sequence_number = "ignored"};
    assert_json(request_get_shard_iterator(&by_name, "shardId-000000000000", &latest),
                "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\","
                "\"ShardIteratorType\":\"LATEST\"}");
}

static void test_stream_tags(void **state)
{
    (void)state;
    kines_tag tags[] = {{"team", "data"}, {"empty", NULL}};
    assert_json(request_add_tags(&by_arn, tags, 2),
                "{\"StreamARN\":\"" ARN "\",\"Tags\":{\"team\":\"data\",\"empty\":\"\"}}");
    const char *keys[] = {"team", "empty"};
    assert_json(request_remove_tags(&by_name, keys, 2),
                "{\"StreamName\":\"s\",\"TagKeys\":[\"team\",\"empty\"]}");
    assert_json(request_list_tags(&by_arn, NULL), "{\"StreamARN\":\"" ARN "\"}");
    assert_json(request_list_tags(&by_both, "team"),
                "{\"StreamName\":\"s\",\"StreamARN\":\"" ARN "\",\"ExclusiveStartTagKey\":"
                "\"team\"}");
}

/* Bad batches are refused before anything is sent (the client has no endpoint to send to). */
static void test_put_records_ref_checks_first(void **state)
{
    (void)state;
    kines_put_results out;
    kines_error err = {0};
    kines_put_entry keyless = {.data = "a", .len = 1};
    assert_int_equal(kines_put_records_ref(NULL, &by_arn, &keyless, 1, &out, &err), -1);
    assert_int_equal(err.status, KINES_ERR_INVALID);
    assert_int_equal(kines_put_records_ref(NULL, &by_arn, &keyless, 0, &out, &err), -1);
    assert_int_equal(kines_put_record_ref(NULL, &by_arn, &keyless, &out, &err), -1);
    assert_int_equal(out.count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_record),
        cmocka_unit_test(test_put_records_name_the_stream_once),
        cmocka_unit_test(test_get_shard_iterator),
        cmocka_unit_test(test_stream_tags),
        cmocka_unit_test(test_put_records_ref_checks_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
