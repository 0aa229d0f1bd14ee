/* test_client_producer.c - the producer's guarantees that need no server: bounded memory with
 * failing or blocking back-pressure, records dropped only after their TTL, every record reported
 * exactly once, close returning with nothing left behind, and the schema hook refusing records. The
 * endpoint is a closed loopback port, so every send fails with a (retryable) connection error. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/clock.h"
#include "client_fixture.h"
#include "kines/producer.h"

#define RECORD_BYTES 100

typedef struct tally {
    pthread_mutex_t lock;
    int reported[64];
    int failed;
    char last_type[128];
} tally;

static void on_result(void *user, void *record_ctx, const char *shard, const char *seq,
                      const kines_error *err)
{
    tally *t = user;
    pthread_mutex_lock(&t->lock);
    t->reported[(intptr_t)record_ctx]++;
    if (err) {
        t->failed++;
        snprintf(t->last_type, sizeof t->last_type, "%d", err->status);
    }
    (void)shard, (void)seq;
    pthread_mutex_unlock(&t->lock);
}

/* A loopback URL where nothing listens. */
static void closed_endpoint(char url[64])
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    snprintf(url, 64, "http://127.0.0.1:%d", ntohs(a.sin_port));
}

static kines_producer *new_producer(tally *t, bool fail_when_full, int ttl_ms)
{
    static char url[64];
    closed_endpoint(url);
    kines_producer_options o = {.linger_ms = 1,
                                .max_buffered_bytes = 10 * (RECORD_BYTES + 1),
                                .fail_when_full = fail_when_full,
                                .record_ttl_ms = ttl_ms,
                                .on_result = on_result,
                                .user = t};
    memset(t, 0, sizeof *t);
    pthread_mutex_init(&t->lock, NULL);
    return fixture_producer(url, &o);
}

static int put(kines_producer *p, intptr_t id, kines_error *err)
{
    static const char data[RECORD_BYTES] = {0};
    return kines_producer_put(p, data, sizeof data, "k", NULL, (void *)id, err);
}

static void test_full_buffer_fails_when_asked_to(void **state)
{
    (void)state;
    tally t;
    kines_producer *p = new_producer(&t, true, 1000);
    kines_error err;
    int accepted = 0;
    while (accepted < 64 && put(p, accepted, &err) == 0)
        accepted++;
    assert_int_equal(accepted, 10); /* 10 records of 101 bytes fill the 1010-byte buffer */
    assert_int_equal(err.status, KINES_ERR_FULL);
    kines_producer_stats s;
    kines_producer_stats_get(p, &s);
    assert_int_equal(s.records_put, 10);
    assert_int_equal(s.buffered_records, 10);
    assert_int_equal(s.records_delivered, 0);

    pthread_mutex_lock(&t.lock);
    assert_int_equal(t.failed, 0); /* still being retried: within their TTL */
    pthread_mutex_unlock(&t.lock);
    kines_producer_close(p); /* waits for their outcome: dropped after the TTL */
    assert_int_equal(t.failed, 10);
}

static void test_records_fail_only_after_their_ttl(void **state)
{
    (void)state;
    tally t;
    kines_producer *p = new_producer(&t, true, 300);
    kines_error err;
    int64_t start = clock_mono_ns();
    for (int i = 0; i < 5; i++)
        assert_int_equal(put(p, i, &err), 0);
    kines_producer_flush(p); /* returns once every record has its outcome */
    assert_true(clock_mono_ns() - start >= 300 * 1000000LL);
    kines_producer_close(p);
    assert_int_equal(t.failed, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(t.reported[i], 1);
    char transport[8];
    snprintf(transport, sizeof transport, "%d", KINES_ERR_TRANSPORT);
    assert_string_equal(t.last_type, transport);
}

typedef struct blocked_put {
    kines_producer *p;
    int rc;
    int64_t returned_ns;
} blocked_put;

static void *put_in_thread(void *arg)
{
    blocked_put *b = arg;
    kines_error err;
    b->rc = put(b->p, 10, &err);
    b->returned_ns = clock_mono_ns();
    return NULL;
}

static void test_full_buffer_blocks_until_room(void **state)
{
    (void)state;
    tally t;
    kines_producer *p = new_producer(&t, false, 400);
    kines_error err;
    int64_t start = clock_mono_ns();
    for (int i = 0; i < 10; i++)
        assert_int_equal(put(p, i, &err), 0);
    blocked_put b = {p, -2, 0};
    pthread_t thread;
    pthread_create(&thread, NULL, put_in_thread, &b);
    pthread_join(thread, NULL);
    assert_int_equal(b.rc, 0);
    /* It waited until the first records ran out of TTL and freed their room. */
    assert_true(b.returned_ns - start >= 400 * 1000000LL);
    kines_producer_close(p);
    for (int i = 0; i <= 10; i++)
        assert_int_equal(t.reported[i], 1);
    assert_int_equal(t.failed, 11);
}

static void test_invalid_records_are_refused_at_put(void **state)
{
    (void)state;
    tally t;
    kines_producer *p = new_producer(&t, true, 300);
    kines_error err;
    assert_int_equal(kines_producer_put(p, "x", 1, "", NULL, NULL, &err), -1);
    assert_int_equal(err.status, KINES_ERR_INVALID);
    kines_producer_close(p);
    assert_int_equal(t.failed, 0);
}

static void test_records_not_matching_the_schema_are_refused(void **state)
{
    (void)state;
    const char *schema_text = "{\"required\": [\"id\"], \"properties\": {\"id\": "
                              "{\"type\": \"integer\"}}}";
    kines_error err;
    kines_schema *schema = kines_schema_compile(schema_text, strlen(schema_text), NULL, &err);
    assert_non_null(schema);
    tally t = {0};
    pthread_mutex_init(&t.lock, NULL);
    static char url[64];
    closed_endpoint(url);
    kines_producer_options o = {
        .linger_ms = 1, .record_ttl_ms = 200, .on_result = on_result, .user = &t, .schema = schema};
    kines_producer *p = fixture_producer(url, &o);
    assert_int_equal(kines_producer_put(p, "{\"id\": \"a\"}", 11, "k", NULL, (void *)1, &err), -1);
    assert_int_equal(err.status, KINES_ERR_INVALID);
    assert_string_equal(err.message, "record does not match the schema: /id: expected integer, "
                                     "got string (schema #/properties/id/type)");
    assert_int_equal(kines_producer_put(p, "{}", 2, "k", NULL, (void *)2, &err), -1);
    assert_non_null(strstr(err.message, "/id: required property missing"));
    assert_int_equal(kines_producer_put(p, "{\"id\": 7}", 9, "k", NULL, (void *)3, &err), 0);
    kines_producer_close(p);
    assert_int_equal(t.reported[1] + t.reported[2], 0); /* refused ones are never reported */
    assert_int_equal(t.reported[3], 1);                 /* the valid one was buffered */
    kines_schema_free(schema);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_buffer_fails_when_asked_to),
        cmocka_unit_test(test_records_fail_only_after_their_ttl),
        cmocka_unit_test(test_full_buffer_blocks_until_room),
        cmocka_unit_test(test_invalid_records_are_refused_at_put),
        cmocka_unit_test(test_records_not_matching_the_schema_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
