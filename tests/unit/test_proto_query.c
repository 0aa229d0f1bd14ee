/* test_proto_query.c - form-encoded bodies of the query protocols (decode_query): what the fuzzer
 * found (fuzz_proto_query) and its neighbours - text that is not UTF-8 once percent-decoded,
 * integers past their Java type, timestamps past any year, and long values quoted back. */
#include "proto_fixture.h"

static const kval *decode(model_id model, const char *op, const char *form)
{
    query_form f = {0};
    query_form_parse(&f, form, strlen(form), &A);
    aws_error_free(&E);
    return decode_query(model_find_op(model_get(model), op), &f, &A, &E);
}

static void fails(model_id model, const char *op, const char *form, const char *message)
{
    if (decode(model, op, form))
        fail_msg("decoded %s", form);
    assert_client_error("ValidationError", message);
}

/* A raw 0xFF byte or a %FF was stored as an IAM name (and answered in XML); a value that is not
 * UTF-8 is refused without being quoted. */
static void refuses_text_that_is_not_utf8(void **state)
{
    (void)state;
    fails(MODEL_IAM, "CreateUser", "UserName=a%FFb",
          "Value for parameter UserName is not valid UTF-8");
    fails(MODEL_IAM, "CreateUser", "UserName=bob&Tags.member.1.Key=t&Tags.member.1.Value=\xc0\xaf",
          "Value for parameter Tags.member.1.Value is not valid UTF-8");
    fails(MODEL_IAM, "CreateUser", "UserName=%ED%A0%80", /* a surrogate */
          "Value for parameter UserName is not valid UTF-8");
    const kval *in = decode(MODEL_IAM, "CreateUser", "UserName=b%C3%A9b");
    assert_non_null(in);
    assert_string_equal(kv_str(in, "UserName"), "b\xc3\xa9"
                                                "b");
}

/* As in JSON and CBOR: an integer reads within Java's int, a timestamp within +-10^11 seconds
 * (a larger one overflowed the conversion to milliseconds). */
static void holds_numbers_to_their_types(void **state)
{
    (void)state;
    int64_t n = 0;
    const kval *in = decode(MODEL_STS, "AssumeRole", "DurationSeconds=9223372036854775807");
    assert_true(kv_int(in, "DurationSeconds", &n));
    assert_int_equal(n, INT32_MAX);
    fails(MODEL_CLOUDWATCH, "GetMetricStatistics", "StartTime=1e300",
          "Value '1e300' for parameter StartTime is not a timestamp");
    fails(MODEL_CLOUDWATCH, "GetMetricStatistics", "StartTime=2025-01-01T00:00:00.9e999Z",
          "Value '2025-01-01T00:00:00.9e999Z' for parameter StartTime is not a timestamp");
}

/* A mistyped value is quoted cut at AWS_QUOTE_MAX bytes. */
static void quotes_long_values_cut(void **state)
{
    (void)state;
    kbuf form = KBUF_INIT;
    kbuf_puts(&form, "DurationSeconds=");
    for (int i = 0; i < 2 * AWS_QUOTE_MAX; i++)
        kbuf_putc(&form, 'x');
    assert_null(decode(MODEL_STS, "AssumeRole", form.data));
    assert_non_null(strstr(E.message.data, "...' for parameter DurationSeconds"));
    assert_true(E.message.len < AWS_QUOTE_MAX + 100);
    kbuf_free(&form);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refuses_text_that_is_not_utf8),
        cmocka_unit_test(holds_numbers_to_their_types),
        cmocka_unit_test(quotes_long_values_cut),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
