/* test_proto_decode.c - JSON 1.1 request bodies to typed kval trees, and AWS's
 * SerializationException texts for everything that cannot be read as the input shape. */
#include <stdio.h>

#include "common/clock.h"
#include "proto_fixture.h"

static const kval *decode(const char *op, const char *body)
{
    aws_error_free(&E);
    return decode_json(model_find_op(model_get(MODEL_KINESIS), op), body, strlen(body), &A, &E);
}

/* Decoding fails with a SerializationException carrying exactly `message`. */
static void fails(const char *op, const char *body, const char *message)
{
    if (decode(op, body))
        fail_msg("decoded %s", body);
    assert_client_error("SerializationException", message);
}

static void decodes_strings_ints_and_ignores_unknowns(void **state)
{
    (void)state;
    const kval *v =
        decode("CreateStream", "{\"StreamName\":\"s\\u00e9\\n\",\"ShardCount\":3,\"Bogus\":[1,{}],"
                               "\"StreamModeDetails\":null}");
    assert_non_null(v);
    assert_int_equal(v->type, KV_MAP);
    assert_int_equal(v->u.map.n, 2);
    assert_string_equal(kv_str(v, "StreamName"), "s\xc3\xa9\n");
    int64_t n = 0;
    assert_true(kv_int(v, "ShardCount", &n));
    assert_int_equal(n, 3);
    assert_null(kv_get(v, "Bogus"));
    assert_null(kv_get(v, "StreamModeDetails"));
}

static void decodes_empty_body_and_whitespace(void **state)
{
    (void)state;
    const kval *v = decode("ListStreams", "");
    assert_non_null(v);
    assert_int_equal(v->type, KV_MAP);
    assert_int_equal(v->u.map.n, 0);
    v = decode("ListStreams", " \n{ \"Limit\" : 5 } \r\n");
    assert_non_null(v);
    assert_true(kv_get(v, "Limit") != NULL);
}

static void truncates_fractional_integers(void **state)
{
    (void)state;
    const kval *v = decode("ListStreams", "{\"Limit\":5.9}");
    int64_t n = 0;
    assert_true(kv_int(v, "Limit", &n));
    assert_int_equal(n, 5);
}

/* A model "integer" is Java's 32-bit int: numbers beyond it read as its nearest end, so no
 * operation computes with a count it cannot hold (ShardCount 2^63 - 1 overflowed ops_util.c). */
static void holds_integers_to_their_java_range(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        int64_t want;
    } cases[] = {
        {"{\"ShardCount\":9223372036854775807}", INT32_MAX},
        {"{\"ShardCount\":18446744073709551615}", INT32_MAX},
        {"{\"ShardCount\":1e300}", INT32_MAX},
        {"{\"ShardCount\":2147483648}", INT32_MAX},
        {"{\"ShardCount\":2147483647}", INT32_MAX},
        {"{\"ShardCount\":-9223372036854775808}", INT32_MIN},
        {"{\"ShardCount\":-2147483649.5}", INT32_MIN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const kval *v = decode("CreateStream", cases[i].body);
        int64_t n = 0;
        assert_true(kv_int(v, "ShardCount", &n));
        assert_int_equal(n, cases[i].want);
    }
}

static void decodes_blobs_nested_lists_and_maps(void **state)
{
    (void)state;
    const kval *v =
        decode("PutRecords", "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"aGVsbG8=\","
                             "\"PartitionKey\":\"k\"},null,{\"Data\":\"\","
                             "\"PartitionKey\":\"k2\",\"ExplicitHashKey\":\"7\"}]}");
    assert_non_null(v);
    const kval *records = kv_get(v, "Records");
    assert_int_equal(records->type, KV_LIST);
    assert_int_equal(records->u.list.n, 3);
    const kval *data = kv_get(&records->u.list.items[0], "Data");
    assert_int_equal(data->type, KV_BLOB);
    assert_int_equal(data->u.s.len, 5);
    assert_memory_equal(data->u.s.ptr, "hello", 5);
    assert_int_equal(records->u.list.items[1].type, KV_NULL);
    assert_string_equal(kv_str(&records->u.list.items[2], "ExplicitHashKey"), "7");
    assert_int_equal(kv_get(&records->u.list.items[2], "Data")->u.s.len, 0);

    v = decode("AddTagsToStream", "{\"StreamName\":\"s\",\"Tags\":{\"a\":\"1\",\"b\":\"\"}}");
    const kval *tags = kv_get(v, "Tags");
    assert_int_equal(tags->type, KV_MAP);
    assert_int_equal(tags->u.map.n, 2);
    assert_string_equal(kv_str(tags, "a"), "1");
    assert_string_equal(kv_str(tags, "b"), "");
}

static void decodes_timestamps_and_booleans(void **state)
{
    (void)state;
    const kval *v = decode("GetShardIterator", "{\"Timestamp\":1700000000.123}");
    const kval *ts = kv_get(v, "Timestamp");
    assert_int_equal(ts->type, KV_TIMESTAMP);
    assert_int_equal(ts->u.i, 1700000000123LL);
    v = decode("GetShardIterator", "{\"Timestamp\":1700000000}");
    assert_int_equal(kv_get(v, "Timestamp")->u.i, 1700000000000LL);
    v = decode("DeleteStream", "{\"EnforceConsumerDeletion\":true}");
    assert_true(kv_bool(v, "EnforceConsumerDeletion", false));
    v = decode("DeleteStream", "{\"EnforceConsumerDeletion\":\"FALSE\"}");
    assert_false(kv_bool(v, "EnforceConsumerDeletion", true));
    fails("GetShardIterator", "{\"Timestamp\":1e300}", "Timestamp value 1e300 is out of range");
    fails("GetShardIterator", "{\"Timestamp\":\"2023-01-01\"}",
          "class java.lang.String can not be converted to a Timestamp");
    fails("DeleteStream", "{\"EnforceConsumerDeletion\":\"yes\"}",
          "'YES' can not be converted to an Boolean");
    fails("DeleteStream", "{\"EnforceConsumerDeletion\":1}",
          "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to "
          "an Boolean");
}

static void refuses_unreadable_bodies(void **state)
{
    (void)state;
    fails("ListStreams", "hello", "");
    fails("ListStreams", "{\"Limit\":1} x", "");
    fails("ListStreams", "{\"Limit\":1}{}", "");
    fails("ListStreams", "{\"Limit\":1", "");
    fails("ListStreams", "{\"Limit\":NaN}", "");
    fails("ListStreams", "{\"Limit\":-Infinity}", "");
    fails("ListStreams", " ", "");
    fails("ListStreams", "{\"a\":\"\xff\"}", "");
    /* bytes no UTF-8 has, which json-c's own check let through (found by fuzz_proto_json): in a
     * string value, a map key, an unknown member's name; an overlong form, a surrogate */
    fails("PutRecord", "{\"PartitionKey\":\"\xf6\xac\x8b\x92\"}", "");
    fails("AddTagsToStream", "{\"Tags\":{\"\xf8\x88\x80\x80\x80\":\"v\"}}", "");
    fails("ListStreams", "{\"\xfe\":1}", "");
    fails("DeleteStream", "{\"StreamName\":\"\xc0\xaf\"}", "");
    fails("DeleteStream", "{\"StreamName\":\"\xed\xa0\x80\"}", "");
    /* the length given is the body: a NUL ends nothing */
    assert_null(
        decode_json(model_find_op(model_get(MODEL_KINESIS), "ListStreams"), "{}\0{", 4, &A, &E));
    assert_non_null(
        decode_json(model_find_op(model_get(MODEL_KINESIS), "ListStreams"), "{}xyz", 2, &A, &E));
}

static void reports_wrong_types_as_aws_does(void **state)
{
    (void)state;
    const char *number = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be "
                         "converted to an String";
    fails("CreateStream", "{\"StreamName\":true}",
          "class java.lang.Boolean can not be converted to an String");
    fails("CreateStream", "{\"StreamName\":23}", number);
    fails("CreateStream", "{\"StreamName\":34.56}", number);
    fails("CreateStream", "{\"StreamName\":[]}", "Start of list found where not expected");
    fails("CreateStream", "{\"StreamName\":{}}",
          "Start of structure or map found where not expected.");
    fails("CreateStream", "{\"ShardCount\":\"1\"}",
          "class java.lang.String can not be converted to an Integer");
    fails("CreateStream", "{\"ShardCount\":false}",
          "class java.lang.Boolean can not be converted to an Integer");
    fails("PutRecords", "{\"Records\":\"x\"}", "Expected list or null");
    fails("PutRecords", "{\"Records\":{}}", "Start of structure or map found where not expected.");
    fails("PutRecords", "{\"Records\":[3]}", "Expected null");
    fails("PutRecords", "{\"Records\":[[]]}", "Start of list found where not expected");
    fails("PutRecords", "{\"Records\":[{\"Data\":true}]}",
          "class java.lang.Boolean can not be converted to a Blob");
    fails("AddTagsToStream", "{\"Tags\":5}", "Expected map or null");
    fails("AddTagsToStream", "{\"Tags\":[]}", "Start of list found where not expected");
    fails("AddTagsToStream", "{\"Tags\":{\"a\":1}}", number);
    fails("ListStreams", "[]", "Start of list found where not expected");
    fails("ListStreams", "\"x\"", "Expected null");
}

static void reports_bad_base64_as_aws_does(void **state)
{
    (void)state;
    fails("PutRecord", "{\"Data\":\"23456\"}",
          "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple "
          "of 4 bytes but found: 5");
    fails("PutRecord", "{\"Data\":\"=+/=\"}",
          "'=+/=' can not be converted to a Blob: Invalid Base64 character: '='");
    fails("PutRecord", "{\"Data\":\"ab!d\"}",
          "'ab!d' can not be converted to a Blob: Invalid Base64 character: '!'");
    fails("PutRecord", "{\"Data\":\"+/+=\"}",
          "'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected");
    /* the bad character is quoted whole, not its first byte ('\xc3'); lengths are counted in
     * Java's UTF-16 units (a surrogate pair is two) */
    fails("PutRecord", "{\"Data\":\"ab\\u00e9d\"}",
          "'ab\xc3\xa9"
          "d' can not be converted to a Blob: Invalid Base64 character: '\xc3\xa9'");
    fails("PutRecord",
          "{\"Data\":\"a\xc3\xa9"
          "d\"}",
          "'a\xc3\xa9"
          "d' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 "
          "bytes but found: 3");
    fails("PutRecord", "{\"Data\":\"a\\ud83d\\ude00=\"}",
          "'a\xf0\x9f\x98\x80=' can not be converted to a Blob: Invalid Base64 character: "
          "'\xf0\x9f\x98\x80'");
}

/* A value longer than any the model allows is quoted cut at AWS_QUOTE_MAX bytes, between two
 * characters, and marked with "...": an 11 MB value is not sent back. */
static void quotes_long_values_cut(void **state)
{
    (void)state;
    size_t n = 3 * AWS_QUOTE_MAX; /* "é" repeated: the cut must not split one */
    kbuf body = KBUF_INIT;
    kbuf_puts(&body, "{\"Data\":\"!");
    for (size_t i = 0; i < n / 2; i++)
        kbuf_puts(&body, "\xc3\xa9");
    kbuf_puts(&body, "\"}");
    assert_null(decode("PutRecord", body.data));
    assert_string_equal(E.type, "SerializationException");
    const char *quoted = E.message.data + 1, *end = strstr(quoted, "...'");
    assert_non_null(end);
    assert_in_range((size_t)(end - quoted), AWS_QUOTE_MAX - 1, AWS_QUOTE_MAX);
    assert_true((end - quoted) % 2 == 1); /* "!" then whole two-byte characters */
    kbuf_free(&body);
}

/* A 500-record PutRecords with 100-byte records: printed, not asserted. */
static void times_a_full_put_records(void **state)
{
    (void)state;
    kbuf body = KBUF_INIT;
    kbuf_puts(&body, "{\"StreamName\":\"bench\",\"Records\":[");
    for (int i = 0; i < 500; i++)
        kbuf_printf(&body, "%s{\"Data\":\"%0136d\",\"PartitionKey\":\"key-%d\"}", i ? "," : "", 0,
                    i);
    kbuf_puts(&body, "]}");
    const model_op *op = model_find_op(model_get(MODEL_KINESIS), "PutRecords");
    int rounds = 200;
    int64_t start = clock_mono_ns();
    for (int i = 0; i < rounds; i++) {
        arena a;
        arena_init(&a);
        assert_non_null(decode_json(op, body.data, body.len, &a, &E));
        arena_free(&a);
    }
    double us = (double)(clock_mono_ns() - start) / rounds / 1000.0;
    printf("decode_json: PutRecords of 500 x 100-byte records (%zu bytes): %.1f us\n", body.len,
           us);
    kbuf_free(&body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decodes_strings_ints_and_ignores_unknowns),
        cmocka_unit_test(decodes_empty_body_and_whitespace),
        cmocka_unit_test(truncates_fractional_integers),
        cmocka_unit_test(holds_integers_to_their_java_range),
        cmocka_unit_test(quotes_long_values_cut),
        cmocka_unit_test(decodes_blobs_nested_lists_and_maps),
        cmocka_unit_test(decodes_timestamps_and_booleans),
        cmocka_unit_test(refuses_unreadable_bodies),
        cmocka_unit_test(reports_wrong_types_as_aws_does),
        cmocka_unit_test(reports_bad_base64_as_aws_does),
        cmocka_unit_test(times_a_full_put_records),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
