/* test_client_producer_order.c - the producer's concurrent requests against a fake Kinesis: several
 * PutRecords in flight at once, never two holding the same partition key, every record delivered
 * once and in order per key although some fail and are retried, and a key whose records keep
 * failing holding back only itself while the other keys are delivered.
 *
 * The fake is a loopback HTTP/1.1 server (a thread per keep-alive connection) that answers every
 * request as PutRecords: it decodes each record's data ("KEY:SEQ"), rejects the records chosen by
 * the test with ProvisionedThroughputExceededException, and logs the accepted ones in order. */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/base64.h"
#include "common/clock.h"
#include "client_fixture.h"
#include "kines/producer.h"

#define MAX_KEYS 64
#define MAX_SEQ 256
#define MAX_CONNECTIONS 32
#define REQUEST_DELAY_US 3000 /* so that requests overlap */

/* ---- the fake Kinesis ------------------------------------------------------------------------ */

typedef struct fake_kinesis {
    int listen_fd, port;
    pthread_t acceptor, connections[MAX_CONNECTIONS];
    int connection_count;
    volatile bool stopping;

    pthread_mutex_t lock;
    /* the test's choices */
    int fail_every; /* reject every Nth record seen (0: none) */
    int hot_key;    /* records of this key fail until hot_until_ns (-1: none) */
    int64_t hot_until_ns;
    /* what happened */
    int accepted[MAX_KEYS][MAX_SEQ]; /* per key: the SEQs in the order accepted */
    int accepted_count[MAX_KEYS];
    int64_t first_accept_ns[MAX_KEYS], last_accept_ns[MAX_KEYS];
    int rejected_count[MAX_KEYS];
    int key_in_flight[MAX_KEYS];
    int overlaps; /* a key in two requests at once */
    int in_flight, max_in_flight, seen;
} fake_kinesis;

typedef struct parsed_record {
    int key, seq;
} parsed_record;

/* "k12:37" -> key 12, seq 37. */
static parsed_record parse_record(json_object *rec)
{
    json_object *data;
    parsed_record pr = {-1, -1};
    if (!json_object_object_get_ex(rec, "Data", &data))
        return pr;
    const char *b64 = json_object_get_string(data);
    char text[64] = {0};
    size_t len = 0, n = strlen(b64);
    if (n / 4 * 3 < sizeof text && base64_decode(b64, n, text, &len))
        sscanf(text, "k%d:%d", &pr.key, &pr.seq);
    if (pr.key < 0 || pr.key >= MAX_KEYS || pr.seq < 0 || pr.seq >= MAX_SEQ)
        pr.key = pr.seq = -1;
    return pr;
}

/* Under the lock: whether this record is rejected, else logs it as accepted. */
static bool reject_or_accept(fake_kinesis *f, parsed_record pr)
{
    f->seen++;
    bool hot = pr.key == f->hot_key && clock_mono_ns() < f->hot_until_ns;
    if (hot || (f->fail_every && f->seen % f->fail_every == 0)) {
        f->rejected_count[pr.key]++;
        return true;
    }
    if (f->accepted_count[pr.key] == 0)
        f->first_accept_ns[pr.key] = clock_mono_ns();
    f->last_accept_ns[pr.key] = clock_mono_ns();
    f->accepted[pr.key][f->accepted_count[pr.key]++] = pr.seq;
    return false;
}

static void mark_keys(fake_kinesis *f, const parsed_record *prs, size_t n, int delta)
{
    for (size_t i = 0; i < n; i++) {
        if (delta > 0 && f->key_in_flight[prs[i].key] > 0)
            f->overlaps++;
        f->key_in_flight[prs[i].key] += delta;
    }
}

/* The PutRecords answer for a request body. */
static char *answer(fake_kinesis *f, const char *body)
{
    json_object *req = json_tokener_parse(body), *records = NULL;
    assert_non_null(req);
    assert_true(json_object_object_get_ex(req, "Records", &records));
    size_t n = json_object_array_length(records);
    parsed_record prs[500];
    assert_true(n <= 500);
    for (size_t i = 0; i < n; i++) {
        prs[i] = parse_record(json_object_array_get_idx(records, i));
        assert_true(prs[i].key >= 0);
    }
    pthread_mutex_lock(&f->lock);
    mark_keys(f, prs, n, 1);
    if (++f->in_flight > f->max_in_flight)
        f->max_in_flight = f->in_flight;
    pthread_mutex_unlock(&f->lock);
    usleep(REQUEST_DELAY_US);

    json_object *res = json_object_new_object(), *out = json_object_new_array();
    int failed = 0;
    pthread_mutex_lock(&f->lock);
    for (size_t i = 0; i < n; i++) {
        json_object *r = json_object_new_object();
        if (reject_or_accept(f, prs[i])) {
            failed++;
            json_object_object_add(
                r, "ErrorCode", json_object_new_string("ProvisionedThroughputExceededException"));
            json_object_object_add(r, "ErrorMessage", json_object_new_string("slow down"));
        } else {
            json_object_object_add(r, "SequenceNumber", json_object_new_string("1"));
            json_object_object_add(r, "ShardId", json_object_new_string("shardId-000000000000"));
        }
        json_object_array_add(out, r);
    }
    mark_keys(f, prs, n, -1);
    f->in_flight--;
    pthread_mutex_unlock(&f->lock);
    json_object_object_add(res, "FailedRecordCount", json_object_new_int(failed));
    json_object_object_add(res, "Records", out);
    char *text = strdup(json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN));
    json_object_put(res);
    json_object_put(req);
    return text;
}

/* Appends what arrives on fd to buf[have..cap); the count, or -1 when the peer left or the
 * fake stops. */
static ssize_t read_more(fake_kinesis *f, int fd, char *buf, size_t have, size_t cap)
{
    while (!f->stopping) {
        struct pollfd pfd = {fd, POLLIN, 0};
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        ssize_t got = recv(fd, buf + have, cap - have, 0);
        return got > 0 ? got : -1;
    }
    return -1;
}

static void serve_one(fake_kinesis *f, int fd)
{
    size_t cap = 8 << 20, have = 0;
    char *buf = malloc(cap + 1);
    assert_non_null(buf);
    for (;;) {
        char *end;
        buf[have] = 0;
        while (!(end = strstr(buf, "\r\n\r\n"))) {
            ssize_t got = read_more(f, fd, buf, have, cap);
            if (got < 0)
                goto done;
            have += (size_t)got;
            buf[have] = 0;
        }
        size_t head = (size_t)(end + 4 - buf), body_len = 0;
        for (char *line = buf; line < end; line = strstr(line, "\r\n") + 2)
            if (strncasecmp(line, "Content-Length:", 15) == 0)
                body_len = strtoul(line + 15, NULL, 10);
        while (have < head + body_len) {
            ssize_t got = read_more(f, fd, buf, have, cap);
            if (got < 0)
                goto done;
            have += (size_t)got;
        }
        char saved = buf[head + body_len];
        buf[head + body_len] = 0;
        char *body = answer(f, buf + head);
        buf[head + body_len] = saved;
        char *reply; /* in one send: two would meet Nagle and delayed ACKs (40 ms) */
        int n = asprintf(&reply,
                         "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
                         "Content-Length: %zu\r\n\r\n%s",
                         strlen(body), body);
        assert_true(n > 0);
        assert_int_equal(send(fd, reply, (size_t)n, MSG_NOSIGNAL), n);
        free(reply);
        free(body);
        memmove(buf, buf + head + body_len, have - head - body_len);
        have -= head + body_len;
    }
done:
    free(buf);
    close(fd);
}

typedef struct connection {
    fake_kinesis *f;
    int fd;
} connection;

static void *connection_thread(void *arg)
{
    connection c = *(connection *)arg;
    free(arg);
    serve_one(c.f, c.fd);
    return NULL;
}

static void *acceptor_thread(void *arg)
{
    fake_kinesis *f = arg;
    while (!f->stopping) {
        struct pollfd pfd = {f->listen_fd, POLLIN, 0};
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        int fd = accept(f->listen_fd, NULL, NULL);
        if (fd < 0 || f->connection_count == MAX_CONNECTIONS) {
            if (fd >= 0)
                close(fd);
            continue;
        }
        connection *c = malloc(sizeof *c);
        assert_non_null(c);
        *c = (connection){f, fd};
        pthread_create(&f->connections[f->connection_count++], NULL, connection_thread, c);
    }
    return NULL;
}

static void fake_start(fake_kinesis *f)
{
    memset(f, 0, sizeof *f);
    f->hot_key = -1;
    pthread_mutex_init(&f->lock, NULL);
    f->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(f->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(f->listen_fd, 64), 0);
    getsockname(f->listen_fd, (struct sockaddr *)&a, &len);
    f->port = ntohs(a.sin_port);
    pthread_create(&f->acceptor, NULL, acceptor_thread, f);
}

static void fake_stop(fake_kinesis *f)
{
    f->stopping = true;
    pthread_join(f->acceptor, NULL);
    for (int i = 0; i < f->connection_count; i++)
        pthread_join(f->connections[i], NULL);
    close(f->listen_fd);
    pthread_mutex_destroy(&f->lock);
}

/* ---- the producer under test ---------------------------------------------------------------- */

static kines_producer *new_producer(const fake_kinesis *f, int max_in_flight)
{
    static char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", f->port);
    kines_producer_options o = {.max_batch_records = 50,
                                .linger_ms = 2,
                                .record_ttl_ms = 20000,
                                .max_in_flight = max_in_flight};
    return fixture_producer(url, &o);
}

static void put(kines_producer *p, int key, int seq)
{
    char pk[16], data[32];
    snprintf(pk, sizeof pk, "k%d", key);
    int n = snprintf(data, sizeof data, "k%d:%d", key, seq);
    kines_error err;
    assert_int_equal(kines_producer_put(p, data, (size_t)n, pk, NULL, NULL, &err), 0);
}

/* Every key's records were accepted once each, in the order they were put. */
static void assert_in_order(const fake_kinesis *f, int keys, int per_key)
{
    for (int k = 0; k < keys; k++) {
        assert_int_equal(f->accepted_count[k], per_key);
        for (int s = 0; s < per_key; s++)
            assert_int_equal(f->accepted[k][s], s);
    }
}

static void test_concurrent_batches_keep_order_per_key_through_retries(void **state)
{
    (void)state;
    enum { KEYS = 40, PER_KEY = 60 };
    fake_kinesis f;
    fake_start(&f);
    f.fail_every = 7;
    kines_producer *p = new_producer(&f, 4);
    for (int s = 0; s < PER_KEY; s++)
        for (int k = 0; k < KEYS; k++)
            put(p, k, s);
    kines_producer_flush(p);
    kines_producer_stats st;
    kines_producer_stats_get(p, &st);
    kines_producer_close(p);
    fake_stop(&f);

    assert_int_equal(st.records_delivered, KEYS * PER_KEY);
    assert_int_equal(st.records_failed, 0);
    assert_true(st.retried_records > 0);
    assert_in_order(&f, KEYS, PER_KEY);
    assert_true(f.max_in_flight > 1);
    assert_true(f.max_in_flight <= 4);
    assert_int_equal(f.overlaps, 0);
}

static void test_one_request_at_a_time_when_asked(void **state)
{
    (void)state;
    fake_kinesis f;
    fake_start(&f);
    kines_producer *p = new_producer(&f, 1);
    for (int s = 0; s < 20; s++)
        for (int k = 0; k < 30; k++)
            put(p, k, s);
    kines_producer_close(p); /* delivers everything first */
    fake_stop(&f);
    assert_int_equal(f.max_in_flight, 1);
    assert_in_order(&f, 30, 20);
}

static void test_failing_key_holds_back_only_itself(void **state)
{
    (void)state;
    enum { HOT = 0, COLD_KEYS = 30, PER_KEY = 10 };
    fake_kinesis f;
    fake_start(&f);
    f.hot_key = HOT;
    f.hot_until_ns = clock_mono_ns() + 400 * 1000000LL;
    kines_producer *p = new_producer(&f, 4);
    for (int s = 0; s < PER_KEY; s++)
        for (int k = 0; k <= COLD_KEYS; k++)
            put(p, k, s);
    kines_producer_flush(p);
    kines_producer_close(p);
    fake_stop(&f);

    assert_in_order(&f, COLD_KEYS + 1, PER_KEY);
    assert_true(f.rejected_count[HOT] >= 2); /* retried more than once while failing */
    assert_true(f.first_accept_ns[HOT] >= f.hot_until_ns);
    /* All the other keys, in the hot key's lane too, went through while it was being retried. */
    for (int k = 1; k <= COLD_KEYS; k++)
        assert_true(f.last_accept_ns[k] < f.hot_until_ns);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_batches_keep_order_per_key_through_retries),
        cmocka_unit_test(test_one_request_at_a_time_when_asked),
        cmocka_unit_test(test_failing_key_holds_back_only_itself),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
