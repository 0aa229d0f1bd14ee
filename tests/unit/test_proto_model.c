/* test_proto_model.c - the embedded service model: operations, shapes, and every pattern compiling
 * and matching as Java would (whole value). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "protocol/jregex.h"
#include "protocol/model.h"

static int load(void **state)
{
    (void)state;
    return model_load();
}

static int unload(void **state)
{
    (void)state;
    model_unload();
    return 0;
}

static void finds_operations_and_their_shapes(void **state)
{
    (void)state;
    const model_op *op = model_find_op("PutRecords");
    assert_non_null(op);
    assert_string_equal(model_op_name(op), "PutRecords");
    const model_shape *in = model_op_input(op);
    assert_string_equal(in->name, "PutRecordsInput");
    const model_member *records = shape_find_member(in, "Records", 7);
    assert_non_null(records);
    assert_true(records->required);
    assert_string_equal(records->path_name, "records");
    assert_int_equal(records->shape->type, SHAPE_LIST);
    assert_int_equal(records->shape->max, 500);
    assert_int_equal(records->shape->member->type, SHAPE_STRUCTURE);
    assert_null(model_find_op("PutRecord2"));
    assert_null(model_find_op(NULL));
    assert_non_null(model_find_op("SubscribeToShard"));
    assert_non_null(model_find_op("ListStreams"));
}

static void reads_bounds_enums_and_maps(void **state)
{
    (void)state;
    const model_shape *name = model_find_shape("StreamName");
    assert_true(name->has_min && name->has_max);
    assert_int_equal(name->min, 1);
    assert_int_equal(name->max, 128);
    assert_string_equal(name->pattern, "[a-zA-Z0-9_.-]+");
    const model_shape *mode = model_find_shape("StreamMode");
    assert_int_equal(mode->n_enums, 2);
    assert_string_equal(mode->enums[0], "PROVISIONED");
    const model_shape *tags = model_find_shape("TagMap");
    assert_int_equal(tags->type, SHAPE_MAP);
    assert_string_equal(tags->key->name, "TagKey");
    assert_string_equal(tags->value->name, "TagValue");
    /* AWS lists this enum in its own order, not the model's */
    const model_shape *it = model_find_shape("ShardIteratorType");
    assert_string_equal(it->enums[0], "AFTER_SEQUENCE_NUMBER");
    assert_string_equal(it->enums[4], "TRIM_HORIZON");
}

static void every_pattern_compiles(void **state)
{
    (void)state;
    size_t patterns = 0;
    for (size_t i = 0; i < model_shape_count(); i++) {
        const model_shape *s = model_shape_at(i);
        if (!s->pattern)
            continue;
        patterns++;
        assert_non_null(s->regex);
    }
    assert_true(patterns >= 9);
}

static bool matches(const char *shape, const char *value)
{
    const model_shape *s = model_find_shape(shape);
    return jregex_match(s->regex, value, strlen(value));
}

static void model_patterns_match_whole_values(void **state)
{
    (void)state;
    assert_true(matches("StreamName", "my_stream-1.0"));
    assert_false(matches("StreamName", ""));
    assert_false(matches("StreamName", "bad name"));
    assert_false(matches("StreamName", "a/b"));
    assert_true(matches("HashKey", "0"));
    assert_true(matches("HashKey", "340282366920938463463374607431768211455"));
    assert_false(matches("HashKey", "01"));
    assert_false(matches("HashKey", "-1"));
    assert_false(matches("HashKey", "1234567890123456789012345678901234567890")); /* 40 digits */
    assert_true(
        matches("SequenceNumber", "49590338271490256608559692538361571095921575989136588898"));
    assert_false(matches("SequenceNumber", "12a"));
    assert_true(matches("StreamARN", "arn:aws:kinesis:us-east-1:123456789012:stream/s1"));
    assert_false(matches("StreamARN", "arn:aws:kinesis:us-east-1:12345678901:stream/s1"));
    assert_false(matches("StreamARN", "arn:aws:kinesis:us-east-1:123456789012:stream/a b"));
    assert_true(matches("ConsumerARN",
                        "arn:aws:kinesis:us-east-1:123456789012:stream/s1/consumer/c1:1700000000"));
    assert_false(
        matches("ConsumerARN", "arn:aws:kinesis:us-east-1:123456789012:stream/s1/consumer/c1"));
    assert_true(matches("StreamId", "abcdefghij0123456789-abc"));
    assert_false(matches("StreamId", "ABCDEFGHIJ0123456789-abc"));
    /* a NUL inside the value is part of it, not its end */
    const model_shape *s = model_find_shape("StreamName");
    assert_false(jregex_match(s->regex, "ab\0cd", 5));
}

static void translate(const char *java, const char *want)
{
    kbuf out = KBUF_INIT;
    assert_true(jregex_translate(java, &out));
    assert_string_equal(out.data, want);
    kbuf_free(&out);
}

static void translates_java_syntax(void **state)
{
    (void)state;
    translate("[a-zA-Z0-9_.-]+", "^([a-zA-Z0-9_.-]+)$");
    translate("0|([1-9]\\d{0,38})", "^(0|([1-9][0-9]{0,38}))$");
    translate("^(arn):aws.*:\\d{12}:stream\\/\\S+$",
              "^((arn):aws.*:[0-9]{12}:stream/[^[:space:]]+)$");
    translate("[\\w\\-\\]]+", "^([]A-Za-z0-9_-]+)$");
    translate("(?:ab)+?c", "^((ab)+c)$");
    translate("a\\.b\\$", "^(a\\.b\\$)$");
    kbuf out = KBUF_INIT;
    assert_false(jregex_translate("(?=a)b", &out));
    assert_false(jregex_translate("\\p{L}+", &out));
    assert_false(jregex_translate("[a[b]]", &out));
    assert_false(jregex_translate("a++", &out));
    assert_false(jregex_translate("[abc", &out));
    kbuf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_operations_and_their_shapes),
        cmocka_unit_test(reads_bounds_enums_and_maps),
        cmocka_unit_test(every_pattern_compiles),
        cmocka_unit_test(model_patterns_match_whole_values),
        cmocka_unit_test(translates_java_syntax),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
