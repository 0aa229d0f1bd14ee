/* test_core_rest.c - the REST-JSON protocol of the core (src/core/rest.c) on the Lambda model:
 * which operation a method and path name (the most specific template wins, literal queries
 * count), and how labels (percent-decoded), query parameters, headers and the body (a blob
 * payload raw, else JSON) are bound into the input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/core_internal.h"

static pthread_rwlock_t test_lock = PTHREAD_RWLOCK_INITIALIZER;
static service lambda_like = {.name = "lambda", .model = MODEL_LAMBDA, .lock = &test_lock};

static int setup(void **state)
{
    (void)state;
    return service_register(&lambda_like);
}

static int teardown(void **state)
{
    (void)state;
    service_stop_all();
    model_unload();
    return 0;
}

static http_request request(const char *method, const char *url, const http_header *headers,
                            size_t n, const char *body)
{
    return (http_request){.method = method,
                          .url = url,
                          .headers = headers,
                          .header_count = n,
                          .body = body,
                          .body_len = body ? strlen(body) : 0};
}

/* Routes req; the operation's name, or NULL. */
static const char *routed(core_request *r, const http_request *req)
{
    memset(r, 0, sizeof *r);
    arena_init(&r->mem);
    aws_error_init(&r->err);
    r->op = rest_route(r, req);
    return r->op ? model_op_name(r->op) : NULL;
}

static void done(core_request *r)
{
    aws_error_free(&r->err);
    arena_free(&r->mem);
}

static void test_routes_by_method_and_template(void **state)
{
    (void)state;
    core_request r;
    const struct {
        const char *method, *url, *op;
    } cases[] = {
        {"GET", "/2015-03-31/functions", "ListFunctions"},
        {"GET", "/2015-03-31/functions/?MaxItems=3", NULL},
        {"POST", "/2015-03-31/functions", "CreateFunction"},
        {"GET", "/2015-03-31/functions/f", "GetFunction"},
        {"GET", "/2015-03-31/functions/f/configuration", "GetFunctionConfiguration"},
        {"PUT", "/2015-03-31/functions/f/configuration", "UpdateFunctionConfiguration"},
        {"DELETE", "/2015-03-31/functions/f", "DeleteFunction"},
        {"POST", "/2015-03-31/functions/f/invocations", "Invoke"},
        {"GET", "/2019-09-30/functions/f/provisioned-concurrency?List=ALL",
         "ListProvisionedConcurrencyConfigs"},
        {"GET", "/2019-09-30/functions/f/provisioned-concurrency?Qualifier=1",
         "GetProvisionedConcurrencyConfig"},
        {"PATCH", "/2015-03-31/functions/f", NULL},
        {"GET", "/2015-03-31/functions/f/nothing-here", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        http_request req = request(cases[i].method, cases[i].url, NULL, 0, NULL);
        const char *op = routed(&r, &req);
        if (cases[i].op)
            assert_string_equal(op, cases[i].op);
        else
            assert_null(op);
        done(&r);
    }
}

static void test_binds_labels_query_headers_and_payload(void **state)
{
    (void)state;
    core_request r;
    const http_header headers[] = {{"x-amz-invocation-type", "Event"}, {"x-amz-log-type", "Tail"}};
    http_request req =
        request("POST",
                "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af"
                "/invocations?Qualifier=%24LATEST",
                headers, 2, "{\"raw\": true}");
    assert_string_equal(routed(&r, &req), "Invoke");
    kval *in = rest_decode(&r, &req);
    assert_non_null(in);
    assert_string_equal(kv_str(in, "FunctionName"),
                        "arn:aws:lambda:us-east-1:000000000000:function:f");
    assert_string_equal(kv_str(in, "Qualifier"), "$LATEST");
    assert_string_equal(kv_str(in, "InvocationType"), "Event");
    assert_string_equal(kv_str(in, "LogType"), "Tail");
    const kval *payload = kv_get(in, "Payload");
    assert_int_equal(payload->type, KV_BLOB);
    assert_int_equal(payload->u.s.len, strlen("{\"raw\": true}"));
    done(&r);
}

static void test_binds_json_body_and_typed_query(void **state)
{
    (void)state;
    core_request r;
    http_request list =
        request("GET", "/2015-03-31/functions?MaxItems=7&Marker=abc", NULL, 0, NULL);
    assert_string_equal(routed(&r, &list), "ListFunctions");
    kval *in = rest_decode(&r, &list);
    int64_t max = 0;
    assert_true(kv_int(in, "MaxItems", &max));
    assert_int_equal(max, 7);
    assert_string_equal(kv_str(in, "Marker"), "abc");
    done(&r);

    http_request bad = request("GET", "/2015-03-31/functions?MaxItems=seven", NULL, 0, NULL);
    routed(&r, &bad);
    assert_null(rest_decode(&r, &bad));
    assert_string_equal(r.err.type, "SerializationException");
    done(&r);

    http_request put = request("PUT", "/2015-03-31/functions/g/configuration", NULL, 0,
                               "{\"Timeout\": 9, \"FunctionName\": \"ignored\"}");
    routed(&r, &put);
    in = rest_decode(&r, &put);
    assert_true(kv_int(in, "Timeout", &max));
    assert_int_equal(max, 9);
    assert_string_equal(kv_str(in, "FunctionName"), "g"); /* the label, not the body */
    done(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes_by_method_and_template),
        cmocka_unit_test(test_binds_labels_query_headers_and_payload),
        cmocka_unit_test(test_binds_json_body_and_typed_query),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
