/* test_lambda_esm_filter.c - event source mappings without a server: the event-filtering pattern
 * language (which patterns are valid, what each matcher matches, records whose data is not
 * JSON), the function's answers (batchItemFailures, tumbling-window state) and the event's
 * tumbling-window fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lambda/esm_event.h"
#include "lambda/esm_filter.h"

/* Whether data passes the one pattern. */
static bool passes(const char *pattern, const char *data)
{
    json_object *p = json_tokener_parse(pattern);
    assert_non_null(p);
    bool pass = esm_filter_record(&p, 1, data, strlen(data));
    json_object_put(p);
    return pass;
}

static void test_valid_patterns(void **state)
{
    (void)state;
    const char *valid[] = {
        "{\"data\": {\"kind\": [\"order\", \"refund\"]}}",
        "{\"data\": {\"n\": [{\"numeric\": [\">\", 0, \"<=\", 5]}]}}",
        "{\"data\": {\"n\": [{\"numeric\": [\"=\", 3]}]}}",
        "{\"data\": {\"tag\": [{\"prefix\": \"vip\"}, {\"suffix\": {\"equals-ignore-case\": "
        "\"X\"}}]}}",
        "{\"data\": {\"tag\": [{\"anything-but\": [\"a\", 1]}]}}",
        "{\"data\": {\"tag\": [{\"anything-but\": {\"prefix\": \"a\"}}]}}",
        "{\"data\": {\"tag\": [{\"anything-but\": {\"equals-ignore-case\": [\"a\", \"b\"]}}]}}",
        "{\"data\": {\"tag\": [{\"exists\": false}, null, true, 1.5]}}",
        "{\"data\": {\"$or\": [{\"a\": [1]}, {\"b\": [2]}]}}",
    };
    for (size_t i = 0; i < sizeof valid / sizeof *valid; i++)
        assert_true(esm_filter_valid(valid[i]));
    const char *invalid[] = {
        "",
        "not json",
        "[]",
        "{}",
        "{\"data\": 1}",
        "{\"data\": []}",
        "{\"data\": {}}",
        "{\"data\": {\"n\": [{\"numeric\": [\">\", \"a\"]}]}}",
        "{\"data\": {\"n\": [{\"numeric\": [\"<\", 5, \">\", 1]}]}}",
        "{\"data\": {\"n\": [{\"numeric\": [\">\", 5, \"<\", 1]}]}}",
        "{\"data\": {\"n\": [{\"wildcard\": \"a*\"}]}}",
        "{\"data\": {\"n\": [[1]]}}",
        "{\"data\": {\"n\": [{\"prefix\": 1}]}}",
        "{\"data\": {\"n\": [{\"exists\": \"yes\"}]}}",
        "{\"data\": {\"n\": [{\"prefix\": \"a\", \"suffix\": \"b\"}]}}",
        "{\"$or\": [{\"a\": [1]}]}",
        "{\"data\": {\"n\": [{\"anything-but\": []}]}}",
    };
    for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++)
        assert_false(esm_filter_valid(invalid[i]));
}

static void test_matchers(void **state)
{
    (void)state;
    assert_true(passes("{\"data\": {\"kind\": [\"order\"]}}", "{\"kind\": \"order\"}"));
    assert_false(passes("{\"data\": {\"kind\": [\"order\"]}}", "{\"kind\": \"Order\"}"));
    assert_true(passes("{\"data\": {\"kind\": [{\"equals-ignore-case\": \"ORDER\"}]}}",
                       "{\"kind\": \"order\"}"));
    assert_true(passes("{\"data\": {\"n\": [3]}}", "{\"n\": 3.0}"));
    assert_true(
        passes("{\"data\": {\"n\": [{\"numeric\": [\">\", 0, \"<=\", 5]}]}}", "{\"n\": 5}"));
    assert_false(
        passes("{\"data\": {\"n\": [{\"numeric\": [\">\", 0, \"<=\", 5]}]}}", "{\"n\": 5.5}"));
    assert_false(passes("{\"data\": {\"n\": [{\"numeric\": [\">\", 0]}]}}", "{\"n\": \"7\"}"));
    assert_true(passes("{\"data\": {\"t\": [{\"prefix\": \"vip-\"}]}}", "{\"t\": \"vip-9\"}"));
    assert_true(passes("{\"data\": {\"t\": [{\"suffix\": {\"equals-ignore-case\": \".PNG\"}}]}}",
                       "{\"t\": \"a.png\"}"));
    assert_false(passes("{\"data\": {\"t\": [{\"suffix\": \".png\"}]}}", "{\"t\": \"png\"}"));
    assert_true(
        passes("{\"data\": {\"t\": [{\"anything-but\": [\"a\", \"b\"]}]}}", "{\"t\": \"c\"}"));
    assert_false(passes("{\"data\": {\"t\": [{\"anything-but\": \"a\"}]}}", "{\"t\": \"a\"}"));
    assert_false(passes("{\"data\": {\"t\": [{\"anything-but\": \"a\"}]}}", "{}"));
    assert_false(passes("{\"data\": {\"t\": [{\"anything-but\": {\"prefix\": \"x\"}}]}}",
                        "{\"t\": \"xy\"}"));
    assert_true(passes("{\"data\": {\"t\": [{\"exists\": true}]}}", "{\"t\": null}"));
    assert_true(passes("{\"data\": {\"t\": [{\"exists\": false}]}}", "{\"u\": 1}"));
    assert_false(passes("{\"data\": {\"t\": [{\"exists\": false}]}}", "{\"t\": 1}"));
    assert_true(passes("{\"data\": {\"t\": [null]}}", "{\"t\": null}"));
    assert_true(passes("{\"data\": {\"t\": [true]}}", "{\"t\": true}"));
    assert_true(passes("{\"data\": {\"tags\": [\"b\"]}}", "{\"tags\": [\"a\", \"b\"]}"));
    assert_true(passes("{\"data\": {\"a\": {\"b\": [1]}}}", "{\"a\": {\"b\": 1}}"));
    assert_false(passes("{\"data\": {\"a\": {\"b\": [1]}}}", "{\"a\": 1}"));
    assert_true(passes("{\"data\": {\"a\": {\"b\": [{\"exists\": false}]}}}", "{}"));
}

static void test_and_or(void **state)
{
    (void)state;
    const char *both = "{\"data\": {\"k\": [\"x\"], \"n\": [{\"numeric\": [\">\", 1]}]}}";
    assert_true(passes(both, "{\"k\": \"x\", \"n\": 2}"));
    assert_false(passes(both, "{\"k\": \"x\", \"n\": 1}"));
    const char *either = "{\"data\": {\"$or\": [{\"k\": [\"x\"]}, {\"n\": [2]}]}}";
    assert_true(passes(either, "{\"k\": \"y\", \"n\": 2}"));
    assert_false(passes(either, "{\"k\": \"y\", \"n\": 3}"));
    json_object *filters[2] = {json_tokener_parse("{\"data\": {\"k\": [\"x\"]}}"),
                               json_tokener_parse("{\"data\": {\"k\": [\"y\"]}}")};
    assert_true(esm_filter_record(filters, 2, "{\"k\": \"y\"}", 10));
    assert_false(esm_filter_record(filters, 2, "{\"k\": \"z\"}", 10));
    assert_true(esm_filter_record(filters, 0, "anything", 8));
    json_object_put(filters[0]);
    json_object_put(filters[1]);
}

static void test_data_that_is_not_json(void **state)
{
    (void)state;
    assert_false(passes("{\"data\": {\"k\": [\"x\"]}}", "plain text"));
    assert_false(passes("{\"data\": [{\"exists\": true}]}", "{\"k\": "));
    assert_true(passes("{\"data\": [{\"exists\": false}]}", "plain text"));
    assert_true(passes("{\"data\": [{\"numeric\": [\">\", 10]}]}", "42"));
    assert_true(passes("{\"data\": [\"hi\"]}", "\"hi\"\n"));
    assert_false(passes("{\"data\": [12]}", "12 3"));
}

/* Three records "a", "b", "c" with sequence numbers 1, 2, 3 (padded). */
static esm_record *three_records(void)
{
    esm_record *first = NULL, **at = &first;
    for (int i = 0; i < 3; i++) {
        kinesis_record rec = {.offset = (uint64_t)i,
                              .arrival_ms = 1000 * (i + 1),
                              .partition_key = "k",
                              .partition_key_len = 1,
                              .data = "abc" + i,
                              .data_len = 1};
        snprintf(rec.sequence_number, sizeof rec.sequence_number, "%056d", i + 1);
        *at = esm_record_new(&rec, 0);
        at = &(*at)->next;
    }
    return first;
}

static void free_records(esm_record *r)
{
    while (r) {
        esm_record *next = r->next;
        esm_record_free(r);
        r = next;
    }
}

static esm_answer answer_of(const char *body, const esm_record *records)
{
    esm_answer a;
    esm_answer_read(body, strlen(body), true, true, false, records, 3, &a);
    return a;
}

static void test_batch_item_failures(void **state)
{
    (void)state;
    esm_record *r = three_records();
    char body[300];
    assert_true(answer_of("", r).ok);
    assert_true(answer_of("null", r).ok);
    assert_true(answer_of("{}", r).ok);
    assert_true(answer_of("{\"batchItemFailures\": []}", r).ok);
    assert_true(answer_of("{\"batchItemFailures\": null}", r).ok);
    snprintf(body, sizeof body,
             "{\"batchItemFailures\": [{\"itemIdentifier\": \"%s\"}, "
             "{\"itemIdentifier\": \"%s\"}]}",
             r->next->next->sequence_number, r->next->sequence_number);
    esm_answer a = answer_of(body, r);
    assert_false(a.ok);
    assert_int_equal(a.failed_at, 1);
    a = answer_of("{\"batchItemFailures\": [{\"itemIdentifier\": \"\"}]}", r);
    assert_false(a.ok);
    assert_int_equal(a.failed_at, -1);
    assert_int_equal(answer_of("{\"batchItemFailures\": [{\"id\": \"1\"}]}", r).failed_at, -1);
    assert_false(answer_of("{not json", r).ok);
    esm_answer_read("{}", 2, false, true, false, r, 3, &a);
    assert_false(a.ok);
    assert_int_equal(a.failed_at, -1);
    free_records(r);
}

static void test_tumbling_window_event(void **state)
{
    (void)state;
    esm_record *r = three_records();
    esm_answer a;
    esm_answer_read("{\"state\": {\"n\": 2}}", 19, true, false, true, r, 3, &a);
    assert_true(a.ok);
    assert_string_equal(a.state, "{\"n\":2}");
    esm_event_source src = {"shardId-000000000000", "arn:aws:kinesis:r:1:stream/s", "r",
                            "arn:aws:iam::1:role/x"};
    esm_window w = {60000, 120000, a.state, true, false};
    size_t len;
    char *event = esm_event_build(&src, r, 2, &w, &len);
    json_object *o = json_tokener_parse(event);
    assert_non_null(o);
    json_object *v;
    assert_true(json_object_object_get_ex(o, "Records", &v));
    assert_int_equal(json_object_array_length(v), 2);
    assert_true(json_object_object_get_ex(o, "window", &v));
    assert_string_equal(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
                        "{\"start\":\"1970-01-01T00:01:00Z\",\"end\":\"1970-01-01T00:02:00Z\"}");
    assert_true(json_object_object_get_ex(o, "state", &v));
    assert_int_equal(json_object_get_int(json_object_object_get(v, "n")), 2);
    assert_true(json_object_get_boolean(json_object_object_get(o, "isFinalInvokeForWindow")));
    assert_false(json_object_get_boolean(json_object_object_get(o, "isWindowTerminatedEarly")));
    assert_string_equal(json_object_get_string(json_object_object_get(o, "shardId")),
                        "shardId-000000000000");
    json_object_put(o);
    free(event);
    free(a.state);
    free_records(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_patterns),
        cmocka_unit_test(test_matchers),
        cmocka_unit_test(test_and_or),
        cmocka_unit_test(test_data_that_is_not_json),
        cmocka_unit_test(test_batch_item_failures),
        cmocka_unit_test(test_tumbling_window_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
