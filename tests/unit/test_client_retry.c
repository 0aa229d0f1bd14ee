/* test_client_retry.c - the retry policy (backoff ceilings, full jitter, attempt and time budget),
 * which errors are retried, and the whole request path against a scripted loopback HTTP server:
 * throttling and 5xx answers are retried on the same keep-alive connection, other errors are not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "client/retry.h"
#include "kines/kines.h"
#include "scripted_server.h"

/* ---- the policy ----------------------------------------------------------------------------- */

static void test_ceilings_double_up_to_the_cap(void **state)
{
    (void)state;
    retry_policy p = {8, 50, 2000, 20000};
    assert_int_equal(retry_ceiling_ms(&p, 1), 50);
    assert_int_equal(retry_ceiling_ms(&p, 2), 100);
    assert_int_equal(retry_ceiling_ms(&p, 4), 400);
    assert_int_equal(retry_ceiling_ms(&p, 6), 1600);
    assert_int_equal(retry_ceiling_ms(&p, 7), 2000);
    assert_int_equal(retry_ceiling_ms(&p, 60), 2000);
}

static void test_full_jitter_stays_within_the_ceiling(void **state)
{
    (void)state;
    retry_policy p = {8, 50, 2000, 20000};
    for (int retry = 1; retry < 10; retry++) {
        int ceiling = retry_ceiling_ms(&p, retry), max_seen = 0;
        for (int i = 0; i < 2000; i++) {
            int d = retry_delay_ms(&p, retry, retry_random());
            assert_true(d >= 0 && d <= ceiling);
            max_seen = d > max_seen ? d : max_seen;
        }
        assert_true(max_seen > ceiling / 2); /* spread over the range, not stuck at 0 */
    }
    assert_int_equal(retry_delay_ms(&p, 3, 0), 0);
    assert_int_equal(retry_delay_ms(&p, 3, 200), 200);
    assert_int_equal(retry_delay_ms(&p, 3, 201), 0);
}

static void test_budget_bounds_attempts_and_time(void **state)
{
    (void)state;
    retry_policy p = {3, 50, 2000, 1000};
    assert_true(retry_allowed(&p, 1, 0, 100));
    assert_true(retry_allowed(&p, 2, 900, 100));
    assert_false(retry_allowed(&p, 3, 0, 0));     /* out of attempts */
    assert_false(retry_allowed(&p, 2, 950, 100)); /* out of time */
}

static void test_which_errors_are_retried(void **state)
{
    (void)state;
    kines_error e = {.status = KINES_ERR_SERVICE, .http_status = 400};
    strcpy(e.type, "ProvisionedThroughputExceededException");
    assert_true(kines_error_is_retryable(&e));
    strcpy(e.type, "LimitExceededException");
    assert_true(kines_error_is_retryable(&e));
    strcpy(e.type, "ThrottlingException");
    assert_true(kines_error_is_retryable(&e));
    strcpy(e.type, "ResourceNotFoundException");
    assert_false(kines_error_is_retryable(&e));
    e.http_status = 503;
    strcpy(e.type, "ServiceUnavailable");
    assert_true(kines_error_is_retryable(&e));
    e = (kines_error){.status = KINES_ERR_TRANSPORT};
    assert_true(kines_error_is_retryable(&e));
    e = (kines_error){.status = KINES_ERR_INVALID};
    assert_false(kines_error_is_retryable(&e));
}

/* ---- the request path, against a scripted server ----------------------------------------- */

/* What every ListStreams request of these tests carries. */
static const char *const signed_list_streams[] = {
    "AWS4-HMAC-SHA256 Credential=AKIDTEST/", "x-amz-target: Kinesis_20131202.ListStreams", NULL};

static kines_client *client_for(const script *s, int max_attempts)
{
    return script_client(s, max_attempts, "us-east-1");
}

static void test_throttling_and_5xx_are_retried(void **state)
{
    (void)state;
    static const char *const answers[] = {
        "500 {\"__type\":\"InternalFailure\",\"message\":\"boom\"}",
        "400 {\"__type\":\"com.amazonaws.kinesis#ProvisionedThroughputExceededException\","
        "\"message\":\"slow down\"}",
        "503 not json", "200 {\"StreamNames\":[\"a\"],\"HasMoreStreams\":false}", NULL};
    script s;
    script_start(&s, answers, signed_list_streams);
    kines_client *c = client_for(&s, 8);
    char *response = NULL;
    kines_error err;
    assert_int_equal(kines_call_json(c, "ListStreams", "{}", &response, &err), 0);
    assert_int_equal(err.attempts, 4);
    assert_non_null(strstr(response, "\"a\""));
    free(response);
    kines_client_free(c);
    script_stop(&s);
    assert_int_equal(s.requests, 4);
    assert_int_equal(s.connections, 1); /* one keep-alive connection for all attempts */
    assert_true(s.all_carried);
}

static void test_client_errors_are_not_retried(void **state)
{
    (void)state;
    static const char *const answers[] = {
        "400 {\"__type\":\"ResourceNotFoundException\",\"message\":\"Stream x not found.\"}", NULL};
    script s;
    script_start(&s, answers, signed_list_streams);
    kines_client *c = client_for(&s, 8);
    kines_error err;
    assert_int_equal(kines_call_json(c, "ListStreams", "{}", NULL, &err), -1);
    assert_int_equal(err.status, KINES_ERR_SERVICE);
    assert_int_equal(err.http_status, 400);
    assert_int_equal(err.attempts, 1);
    assert_string_equal(err.type, "ResourceNotFoundException");
    assert_string_equal(err.message, "Stream x not found.");
    kines_client_free(c);
    script_stop(&s);
}

static void test_attempts_are_bounded(void **state)
{
    (void)state;
    static const char *const answers[] = {
        "400 {\"__type\":\"LimitExceededException\",\"Message\":\"too many\"}", NULL};
    script s;
    script_start(&s, answers, signed_list_streams);
    kines_client *c = client_for(&s, 3);
    kines_error err;
    assert_int_equal(kines_call_json(c, "ListStreams", "{}", NULL, &err), -1);
    assert_int_equal(err.attempts, 3);
    assert_string_equal(err.type, "LimitExceededException");
    assert_string_equal(err.message, "too many"); /* "Message" is read too */
    kines_client_free(c);
    script_stop(&s);
    assert_int_equal(s.requests, 3);
}

static void test_unreachable_endpoint(void **state)
{
    (void)state;
    script s;
    script_start(&s, (const char *const[]){"200 {}", NULL}, NULL);
    script_stop(&s); /* the port is closed now */
    kines_client *c = client_for(&s, 2);
    kines_error err;
    assert_int_equal(kines_call_json(c, "ListStreams", "{}", NULL, &err), -1);
    assert_int_equal(err.status, KINES_ERR_TRANSPORT);
    assert_int_equal(err.attempts, 2);
    assert_non_null(strstr(err.message, "cannot reach"));
    kines_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ceilings_double_up_to_the_cap),
        cmocka_unit_test(test_full_jitter_stays_within_the_ceiling),
        cmocka_unit_test(test_budget_bounds_attempts_and_time),
        cmocka_unit_test(test_which_errors_are_retried),
        cmocka_unit_test(test_throttling_and_5xx_are_retried),
        cmocka_unit_test(test_client_errors_are_not_retried),
        cmocka_unit_test(test_attempts_are_bounded),
        cmocka_unit_test(test_unreachable_endpoint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
