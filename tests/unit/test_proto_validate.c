/* test_proto_validate.c - the model's constraints and AWS's ValidationException texts: single and
 * multiple violations, nested list members, enums, patterns, ranges, lists and maps of scalars. */
#include <stdio.h>

#include "common/clock.h"
#include "proto_fixture.h"
#include "protocol/validate.h"

static bool check(const char *op_name, const char *body)
{
    const model_op *op = model_find_op(model_get(MODEL_KINESIS), op_name);
    aws_error_free(&E);
    const kval *input = decode_json(op, body, strlen(body), &A, &E);
    assert_non_null(input);
    return validate_input(op, input, &E);
}

static void invalid(const char *op, const char *body, const char *message)
{
    assert_false(check(op, body));
    assert_client_error("ValidationException", message);
}

static void accepts_valid_input(void **state)
{
    (void)state;
    assert_true(check("ListStreams", "{}"));
    assert_true(check("CreateStream", "{\"StreamName\":\"s-1\",\"ShardCount\":2,"
                                      "\"StreamModeDetails\":{\"StreamMode\":\"ON_DEMAND\"},"
                                      "\"Tags\":{\"k\":\"\"}}"));
    assert_true(check("PutRecords", "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"\","
                                    "\"PartitionKey\":\"k\",\"ExplicitHashKey\":\"0\"}]}"));
    assert_true(
        check("GetShardIterator",
              "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\","
              "\"ShardIteratorType\":\"AT_SEQUENCE_NUMBER\",\"StartingSequenceNumber\":\"1\"}"));
    assert_true(check("RemoveTagsFromStream", "{\"StreamName\":\"s\",\"TagKeys\":[\"a\",\"b\"]}"));
}

static void reports_missing_required_members(void **state)
{
    (void)state;
    invalid("PutRecords", "{}",
            "1 validation error detected: Value null at 'records' failed to satisfy constraint: "
            "Member must not be null");
    invalid("GetShardIterator", "{\"StreamName\":\"s\"}",
            "2 validation errors detected: Value null at 'shardId' failed to satisfy constraint: "
            "Member must not be null; Value null at 'shardIteratorType' failed to satisfy "
            "constraint: Member must not be null");
    invalid("CreateStream", "{\"StreamModeDetails\":{}}",
            "2 validation errors detected: Value null at 'streamName' failed to satisfy "
            "constraint: Member must not be null; Value null at 'streamModeDetails.streamMode' "
            "failed to satisfy constraint: Member must not be null");
}

static void reports_lengths_patterns_and_ranges(void **state)
{
    (void)state;
    invalid("CreateStream", "{\"StreamName\":\"\",\"ShardCount\":0}",
            "3 validation errors detected: "
            "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular "
            "expression pattern: [a-zA-Z0-9_.-]+; "
            "Value '' at 'streamName' failed to satisfy constraint: Member must have length "
            "greater than or equal to 1; "
            "Value '0' at 'shardCount' failed to satisfy constraint: Member must have value "
            "greater than or equal to 1");
    char body[256], message[512], name[130];
    memset(name, 'a', 129);
    name[129] = '\0';
    snprintf(body, sizeof body, "{\"StreamName\":\"%s\",\"ShardCount\":1}", name);
    snprintf(message, sizeof message,
             "1 validation error detected: Value '%s' at 'streamName' failed to satisfy "
             "constraint: Member must have length less than or equal to 128",
             name);
    invalid("CreateStream", body, message);
    invalid("ListStreams", "{\"Limit\":10001}",
            "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: "
            "Member must have value less than or equal to 10000");
}

/* A NUL inside a value is quoted like any character: the message is not cut at it. */
static void quotes_values_holding_nuls(void **state)
{
    (void)state;
    assert_false(check("CreateStream", "{\"StreamName\":\"a\\u0000b\",\"ShardCount\":1}"));
    static const char want[] = "1 validation error detected: Value 'a\0b' at 'streamName' failed "
                               "to satisfy constraint: Member must satisfy regular expression "
                               "pattern: [a-zA-Z0-9_.-]+";
    assert_int_equal(E.message.len, sizeof want - 1);
    assert_memory_equal(E.message.data, want, sizeof want - 1);
}

/* An 11 MB StreamName is quoted cut at AWS_QUOTE_MAX bytes, followed by "...". */
static void quotes_huge_values_cut(void **state)
{
    (void)state;
    size_t n = 11 * 1024 * 1024;
    kbuf body = KBUF_INIT;
    kbuf_puts(&body, "{\"StreamName\":\"");
    kbuf_reserve(&body, n);
    memset(body.data + body.len, 'a', n);
    body.len += n;
    kbuf_puts(&body, "\"}");
    assert_false(check("DeleteStream", body.data));
    static const char head[] = "1 validation error detected: Value '";
    const char *quoted = E.message.data + sizeof head - 1;
    assert_memory_equal(E.message.data, head, sizeof head - 1);
    assert_int_equal(strspn(quoted, "a"), AWS_QUOTE_MAX);
    assert_string_equal(quoted + AWS_QUOTE_MAX,
                        "...' at 'streamName' failed to satisfy constraint: Member must have "
                        "length less than or equal to 128");
    kbuf_free(&body);
}

static void counts_string_length_in_utf16_units(void **state)
{
    (void)state;
    /* 128 characters of two UTF-8 bytes each are 128 UTF-16 units: within the limit */
    kbuf body = KBUF_INIT;
    kbuf_puts(&body, "{\"ShardIterator\":\"");
    for (int i = 0; i < 256; i++)
        kbuf_puts(&body, "\xc3\xa9");
    kbuf_puts(&body, "\"}");
    assert_true(check("GetRecords", body.data));
    kbuf_reset(&body);
    /* 257 emoji are 514 units: beyond 512 */
    kbuf_puts(&body, "{\"ShardIterator\":\"");
    for (int i = 0; i < 257; i++)
        kbuf_puts(&body, "\xf0\x9f\x98\x80");
    kbuf_puts(&body, "\"}");
    assert_false(check("GetRecords", body.data));
    assert_non_null(strstr(E.message.data, "Member must have length less than or equal to 512"));
    kbuf_free(&body);
}

static void reports_enums_in_aws_order(void **state)
{
    (void)state;
    invalid("GetShardIterator", "{\"ShardId\":\"s\",\"ShardIteratorType\":\"\"}",
            "1 validation error detected: Value '' at 'shardIteratorType' failed to satisfy "
            "constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, "
            "AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]");
    invalid("CreateStream", "{\"StreamName\":\"s\",\"StreamModeDetails\":{\"StreamMode\":\"X\"}}",
            "1 validation error detected: Value 'X' at 'streamModeDetails.streamMode' failed to "
            "satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]");
}

static void reports_nested_list_members(void **state)
{
    (void)state;
    char body[256];
    snprintf(body, sizeof body,
             "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"k\"},"
             "{\"Data\":\"AAAA\",\"PartitionKey\":\"\",\"ExplicitHashKey\":\"x\"},null]}");
    invalid("PutRecords", body,
            "3 validation errors detected: "
            "Value 'x' at 'records.2.member.explicitHashKey' failed to satisfy constraint: Member "
            "must satisfy regular expression pattern: 0|([1-9]\\d{0,38}); "
            "Value '' at 'records.2.member.partitionKey' failed to satisfy constraint: Member must "
            "have length greater than or equal to 1; "
            "Value null at 'records.3.member' failed to satisfy constraint: Member must not be "
            "null");
    invalid("PutRecords", "{\"Records\":[]}",
            "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1");
}

static void prints_blobs_as_java_byte_buffers(void **state)
{
    (void)state;
    kbuf body = KBUF_INIT;
    size_t n = 10485761; /* one byte over 10 MiB */
    kbuf_puts(&body, "{\"Data\":\"");
    for (size_t i = 0; i < (n + 2) / 3; i++)
        kbuf_puts(&body, "AAAA");
    body.len -= 2, body.data[body.len] = '\0'; /* n = 3k + 2: the last group has one pad */
    kbuf_puts(&body, "A=\",\"PartitionKey\":\"k\"}");
    invalid("PutRecord", body.data,
            "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=10485761 "
            "cap=10485761]' at 'data' failed to satisfy constraint: Member must have length less "
            "than or equal to 10485760");
    kbuf_free(&body);
}

static void reports_scalar_lists_and_maps_once(void **state)
{
    (void)state;
    invalid("RemoveTagsFromStream", "{\"TagKeys\":[\"a\",\"\",\"\"]}",
            "1 validation error detected: Value '[a, , ]' at 'tagKeys' failed to satisfy "
            "constraint: Member must satisfy constraint: [Member must have length less than or "
            "equal to 128, Member must have length greater than or equal to 1]");
    invalid("EnableEnhancedMonitoring", "{\"ShardLevelMetrics\":[\"ALL\",\"Nope\"]}",
            "1 validation error detected: Value '[ALL, Nope]' at 'shardLevelMetrics' failed to "
            "satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value "
            "set: [IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords, "
            "WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, "
            "IteratorAgeMilliseconds, ALL]]");
    invalid("AddTagsToStream", "{\"Tags\":{}}",
            "1 validation error detected: Value '{}' at 'tags' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1");
    invalid("AddTagsToStream", "{\"Tags\":{\"\":\"v\"}}",
            "1 validation error detected: Value '{=v}' at 'tags' failed to satisfy constraint: "
            "Map keys must satisfy constraint: [Member must have length less than or equal to "
            "128, Member must have length greater than or equal to 1]");
}

static void lists_at_most_ten_violations(void **state)
{
    (void)state;
    kbuf body = KBUF_INIT;
    kbuf_puts(&body, "{\"StreamName\":\"\",\"Records\":[");
    for (int i = 0; i < 501; i++)
        kbuf_printf(&body, "%s{\"Data\":\"\",\"PartitionKey\":\"\"}", i ? "," : "");
    kbuf_puts(&body, "]}");
    assert_false(check("PutRecords", body.data));
    const char *m = E.message.data;
    assert_true(strncmp(m,
                        "10 validation errors detected: Value '[com.amazonaws.kinesis.v20131202."
                        "PutRecordsRequestEntry@",
                        91) == 0);
    assert_non_null(strstr(m, "at 'records' failed to satisfy constraint: Member must have length "
                              "less than or equal to 500; "));
    assert_non_null(strstr(m, "'records.9.member.partitionKey'"));
    assert_null(strstr(m, "'records.10.member.partitionKey'"));
    assert_null(strstr(m, "streamName"));
    kbuf_free(&body);
}

/* Validation of a valid 500-record PutRecords with hash keys: printed, not asserted. */
static void times_a_full_put_records(void **state)
{
    (void)state;
    kbuf body = KBUF_INIT;
    kbuf_puts(&body, "{\"StreamName\":\"bench\",\"Records\":[");
    for (int i = 0; i < 500; i++)
        kbuf_printf(&body,
                    "%s{\"Data\":\"AAAA\",\"PartitionKey\":\"key-%d\",\"ExplicitHashKey\":\"%d\"}",
                    i ? "," : "", i, i * 7919);
    kbuf_puts(&body, "]}");
    const model_op *op = model_find_op(model_get(MODEL_KINESIS), "PutRecords");
    const kval *input = decode_json(op, body.data, body.len, &A, &E);
    int rounds = 200;
    int64_t start = clock_mono_ns();
    for (int i = 0; i < rounds; i++)
        assert_true(validate_input(op, input, &E));
    double us = (double)(clock_mono_ns() - start) / rounds / 1000.0;
    printf("validate_input: PutRecords of 500 records with hash keys: %.1f us\n", us);
    kbuf_free(&body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_valid_input),
        cmocka_unit_test(reports_missing_required_members),
        cmocka_unit_test(reports_lengths_patterns_and_ranges),
        cmocka_unit_test(quotes_values_holding_nuls),
        cmocka_unit_test(quotes_huge_values_cut),
        cmocka_unit_test(counts_string_length_in_utf16_units),
        cmocka_unit_test(reports_enums_in_aws_order),
        cmocka_unit_test(reports_nested_list_members),
        cmocka_unit_test(prints_blobs_as_java_byte_buffers),
        cmocka_unit_test(reports_scalar_lists_and_maps_once),
        cmocka_unit_test(lists_at_most_ten_violations),
        cmocka_unit_test(times_a_full_put_records),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
