/* test_client_retry.c - the retry policy (backoff ceilings, full jitter, attempt and time budget),
 * which errors are retried, and the whole request path against a scripted loopback HTTP server:
 * throttling and 5xx answers are retried on the same keep-alive connection, other errors are not.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "client/retry.h"
#include "kines/kines.h"

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

/* ---- a scripted server ---------------------------------------------------------------------- */

typedef struct script {
    int listen_fd, port;
    const char *const *answers; /* "STATUS BODY" per request, in order; the last one repeats */
    int requests, connections;
    int saw_signature; /* every request carried a SigV4 Authorization and the target */
    pthread_t thread;
} script;

/* Reads one request (headers and Content-Length body); false at end of connection. */
static bool read_request(int fd, script *s)
{
    char buf[65536];
    size_t len = 0;
    char *end = NULL;
    while (!end) {
        ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
        if (n <= 0)
            return false;
        len += (size_t)n;
        buf[len] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    const char *cl = strcasestr(buf, "content-length:");
    size_t body = cl ? strtoul(cl + 15, NULL, 10) : 0, have = len - (size_t)(end + 4 - buf);
    while (have < body) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            return false;
        have += (size_t)n;
    }
    if (!strstr(buf, "AWS4-HMAC-SHA256 Credential=AKIDTEST/") ||
        !strcasestr(buf, "x-amz-target: Kinesis_20131202.ListStreams"))
        s->saw_signature = 0;
    return true;
}

static void answer(int fd, const char *spec)
{
    int status = atoi(spec);
    const char *body = strchr(spec, ' ') + 1;
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d X\r\nContent-Type: application/x-amz-json-1.1\r\n"
                     "Content-Length: %zu\r\n\r\n",
                     status, strlen(body));
    if (write(fd, head, (size_t)n) < 0 || write(fd, body, strlen(body)) < 0)
        return;
}

static void *serve(void *arg)
{
    script *s = arg;
    int fd;
    while ((fd = accept(s->listen_fd, NULL, NULL)) >= 0) {
        s->connections++;
        while (read_request(fd, s)) {
            int i = s->requests++;
            int last = 0;
            while (s->answers[last + 1])
                last++;
            answer(fd, s->answers[i < last ? i : last]);
        }
        close(fd);
    }
    return NULL;
}

static void script_start(script *s, const char *const *answers)
{
    memset(s, 0, sizeof *s);
    s->answers = answers;
    s->saw_signature = 1;
    s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s->listen_fd, 8), 0);
    getsockname(s->listen_fd, (struct sockaddr *)&a, &alen);
    s->port = ntohs(a.sin_port);
    pthread_create(&s->thread, NULL, serve, s);
}

static void script_stop(script *s)
{
    shutdown(s->listen_fd, SHUT_RDWR);
    close(s->listen_fd);
    pthread_join(s->thread, NULL);
}

static kines_client *client_for(const script *s, int max_attempts)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", s->port);
    kines_options o = {.endpoint_url = url,
                       .region = "us-east-1",
                       .access_key_id = "AKIDTEST",
                       .secret_access_key = "secret",
                       .max_attempts = max_attempts,
                       .retry_base_ms = 5,
                       .retry_cap_ms = 20};
    kines_client *c = kines_client_new(&o, NULL);
    assert_non_null(c);
    return c;
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
    script_start(&s, answers);
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
    assert_true(s.saw_signature);
}

static void test_client_errors_are_not_retried(void **state)
{
    (void)state;
    static const char *const answers[] = {
        "400 {\"__type\":\"ResourceNotFoundException\",\"message\":\"Stream x not found.\"}", NULL};
    script s;
    script_start(&s, answers);
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
    script_start(&s, answers);
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
    script_start(&s, (const char *const[]){"200 {}", NULL});
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
