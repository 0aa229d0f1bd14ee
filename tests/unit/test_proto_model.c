/* test_proto_model.c - the embedded service models: operations, shapes, HTTP bindings, and every
 * pattern of every model compiling and matching as Java would (whole value). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "protocol/jregex.h"
#include "protocol/model.h"

#define KINESIS model_get(MODEL_KINESIS)

static int load(void **state)
{
    (void)state;
    return KINESIS ? 0 : -1;
}

static int unload(void **state)
{
    (void)state;
    model_unload();
    return 0;
}

static const char *model_result_wrapper_of(const service_model *m, const char *op)
{
    return model_op_result_wrapper(model_find_op(m, op));
}

static void finds_operations_and_their_shapes(void **state)
{
    (void)state;
    const model_op *op = model_find_op(KINESIS, "PutRecords");
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
    assert_null(model_find_op(KINESIS, "PutRecord2"));
    assert_null(model_find_op(KINESIS, NULL));
    assert_non_null(model_find_op(KINESIS, "SubscribeToShard"));
    assert_non_null(model_find_op(KINESIS, "ListStreams"));
}

static void reads_bounds_enums_and_maps(void **state)
{
    (void)state;
    const model_shape *name = model_find_shape(KINESIS, "StreamName");
    assert_true(name->has_min && name->has_max);
    assert_int_equal(name->min, 1);
    assert_int_equal(name->max, 128);
    assert_string_equal(name->pattern, "[a-zA-Z0-9_.-]+");
    const model_shape *mode = model_find_shape(KINESIS, "StreamMode");
    assert_int_equal(mode->n_enums, 2);
    assert_string_equal(mode->enums[0], "PROVISIONED");
    const model_shape *tags = model_find_shape(KINESIS, "TagMap");
    assert_int_equal(tags->type, SHAPE_MAP);
    assert_string_equal(tags->key->name, "TagKey");
    assert_string_equal(tags->value->name, "TagValue");
    /* AWS lists this enum in its own order, not the model's */
    const model_shape *it = model_find_shape(KINESIS, "ShardIteratorType");
    assert_string_equal(it->enums[0], "AFTER_SEQUENCE_NUMBER");
    assert_string_equal(it->enums[4], "TRIM_HORIZON");
}

static void every_model_loads_and_every_pattern_compiles(void **state)
{
    (void)state;
    size_t patterns = 0;
    for (model_id id = 0; id < MODEL_COUNT; id++) {
        const service_model *m = model_get(id);
        assert_non_null(m);
        assert_int_equal(model_which(m), id);
        for (size_t i = 0; i < model_shape_count(m); i++) {
            const model_shape *s = model_shape_at(m, i);
            if (!s->pattern)
                continue;
            patterns++;
            assert_non_null(s->regex);
        }
    }
    assert_true(patterns >= 150);
}

static void reads_metadata_and_http_bindings(void **state)
{
    (void)state;
    assert_int_equal(model_protocol(KINESIS), WIRE_JSON);
    assert_string_equal(model_target_prefix(KINESIS), "Kinesis_20131202");
    assert_string_equal(model_json_version(KINESIS), "1.1");
    assert_string_equal(model_signing_name(KINESIS), "kinesis");
    const service_model *iam = model_get(MODEL_IAM);
    assert_int_equal(model_protocol(iam), WIRE_QUERY);
    assert_string_equal(model_api_version(iam), "2010-05-08");
    assert_string_equal(model_result_wrapper_of(iam, "CreateUser"), "CreateUserResult");
    const model_shape *missing = model_find_shape(iam, "NoSuchEntityException");
    assert_true(missing->exception);
    assert_string_equal(missing->error_code, "NoSuchEntity");
    assert_int_equal(missing->error_status, 404);
    const service_model *lambda = model_get(MODEL_LAMBDA);
    assert_int_equal(model_protocol(lambda), WIRE_REST_JSON);
    const model_op *invoke = model_find_op(lambda, "Invoke");
    assert_string_equal(model_op_http_method(invoke), "POST");
    assert_string_equal(model_op_request_uri(invoke),
                        "/2015-03-31/functions/{FunctionName}/invocations");
    assert_ptr_equal(model_op_model(invoke), lambda);
    const model_member *fn = shape_find_member(model_op_input(invoke), "FunctionName", 12);
    assert_int_equal(fn->location, LOC_URI);
    assert_string_equal(fn->location_name, "FunctionName");
    const model_member *type = shape_find_member(model_op_input(invoke), "InvocationType", 14);
    assert_int_equal(type->location, LOC_HEADER);
    assert_string_equal(type->location_name, "X-Amz-Invocation-Type");
    assert_string_equal(model_op_input(invoke)->payload, "Payload");
    assert_int_equal(model_op_response_code(model_find_op(lambda, "CreateFunction")), 201);
    assert_int_equal(model_protocol(model_get(MODEL_CLOUDWATCH)), WIRE_RPCV2_CBOR);
    assert_string_equal(model_signing_name(model_get(MODEL_CLOUDWATCH)), "monitoring");
    assert_string_equal(model_target_prefix(model_get(MODEL_SQS)), "AmazonSQS");
    assert_string_equal(model_json_version(model_get(MODEL_SQS)), "1.0");
}

static bool matches_in(model_id id, const char *shape, const char *value)
{
    const model_shape *s = model_find_shape(model_get(id), shape);
    return jregex_match(s->regex, value, strlen(value));
}

static bool matches(const char *shape, const char *value)
{
    return matches_in(MODEL_KINESIS, shape, value);
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
    const model_shape *s = model_find_shape(KINESIS, "StreamName");
    assert_false(jregex_match(s->regex, "ab\0cd", 5));
}

/* Java syntax the other models use: \\uXXXX escapes, \\p{..} classes, look-ahead and -behind. */
static void runs_java_syntax(void **state)
{
    (void)state;
    assert_true(matches_in(MODEL_IAM, "userNameType", "bob+ci@example.com"));
    assert_false(matches_in(MODEL_IAM, "userNameType", "bob smith"));
    assert_true(matches_in(MODEL_IAM, "policyDocumentType", "{\"Version\": \"2012-10-17\"}"));
    assert_true(matches_in(MODEL_IAM, "policyDocumentType", "caf\xc3\xa9"));
    assert_false(matches_in(MODEL_IAM, "policyDocumentType", "bad\x01"));
    assert_false(matches_in(MODEL_IAM, "policyDocumentType", "\xff\xfe")); /* not UTF-8 */
    assert_true(matches_in(MODEL_IAM, "tagKeyType", "team:owner"));
    assert_true(matches_in(MODEL_IAM, "tagKeyType", "\xc3\xa9quipe"));
    assert_false(matches_in(MODEL_IAM, "tagKeyType", "a!b"));
    assert_true(matches_in(MODEL_LAMBDA, "FunctionName", "my-function"));
    assert_true(matches_in(MODEL_LAMBDA, "FunctionName",
                           "arn:aws:lambda:us-east-1:123456789012:function:my-function"));
    assert_false(matches_in(MODEL_LAMBDA, "FunctionName", "my function"));
    assert_true(matches_in(MODEL_LAMBDA, "Alias", "live"));
    assert_false(matches_in(MODEL_LAMBDA, "Alias", "123"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_operations_and_their_shapes),
        cmocka_unit_test(reads_bounds_enums_and_maps),
        cmocka_unit_test(every_model_loads_and_every_pattern_compiles),
        cmocka_unit_test(reads_metadata_and_http_bindings),
        cmocka_unit_test(model_patterns_match_whole_values),
        cmocka_unit_test(runs_java_syntax),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
