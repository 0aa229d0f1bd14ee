/* test_store_race.c - races between a shard log's writers, readers and retention: segments are
 * rolled, sealed and deleted by retention while readers walk them and look records up by time.
 * Also: closing a log right after appends from other threads, and a failed write becoming
 * visible to other threads (store_failed). Meant to run under ThreadSanitizer and ASan too (a
 * deleted segment must stay readable for a reader holding it, and no reader may ever see a torn,
 * missing or misnumbered record). */
#include <fcntl.h>
#include <stdatomic.h>
#include <unistd.h>

#include "store/shardlog_impl.h"
#include "store_fixture.h"

#define RECORDS 20000
#define READERS 2
#define DATA_PAD "................................................................"

typedef struct race {
    shardlog *log;
    atomic_bool writing;
    atomic_uint trims;
} race;

/* One writer: record k (offset k) carries "k:" and a k-dependent padding, arrival time k / 16. */
static void *write_numbered(void *arg)
{
    race *r = arg;
    char data[96];
    for (uint64_t k = 0; k < RECORDS; k++) {
        int len = snprintf(data, sizeof data, "%llu:%.*s", (unsigned long long)k, (int)(k % 60),
                           DATA_PAD);
        log_record_in rec = {"key", 3, data, (size_t)len};
        uint64_t offset, ticket;
        int64_t arrival;
        assert_int_equal(
            shardlog_append(r->log, &rec, 1, (int64_t)(k / 16), &offset, &arrival, &ticket), 0);
        assert_int_equal(offset, k);
        if (k % 512 == 0 || k == RECORDS - 1) /* the last: all are committed once it returns */
            assert_true(wait_durable(ticket));
    }
    atomic_store(&r->writing, false);
    return NULL;
}

/* Retention as registry_tick applies it: every sealed segment is old enough to go. */
static void *trim_repeatedly(void *arg)
{
    race *r = arg;
    while (atomic_load(&r->writing)) {
        shardlog_trim_before(r->log, INT64_MAX);
        atomic_fetch_add(&r->trims, 1);
    }
    return NULL;
}

typedef struct reader {
    race *r;
    uint64_t expect; /* offset of the next record of this read call */
    bool first_of_call;
    uint64_t seen;
    unsigned errors;
} reader;

static bool check_numbered(const log_record *rec, void *arg)
{
    reader *rd = arg;
    char text[96], want[96];
    snprintf(text, sizeof text, "%.*s", (int)rec->data_len, (const char *)rec->data);
    snprintf(want, sizeof want, "%llu:%.*s", (unsigned long long)rec->offset,
             (int)(rec->offset % 60), DATA_PAD);
    bool in_order = rd->first_of_call ? rec->offset >= rd->expect : rec->offset == rd->expect;
    if (!in_order || strcmp(text, want) != 0 || rec->arrival_ms != (int64_t)(rec->offset / 16))
        rd->errors++;
    rd->first_of_call = false;
    rd->expect = rec->offset + 1;
    rd->seen++;
    return true;
}

/* Reads forward from the horizon (a trimmed offset may jump ahead, never back), and looks an
 * arrival time up now and then. */
static void *read_while_trimmed(void *arg)
{
    reader *rd = arg;
    shardlog *log = rd->r->log;
    int64_t deadline = time(NULL) + 30;
    uint64_t next = 0;
    while ((atomic_load(&rd->r->writing) || next < shardlog_committed(log)) &&
           time(NULL) < deadline) {
        rd->first_of_call = true;
        rd->expect = next;
        if (shardlog_read(log, next, 1 + next % 300, SIZE_MAX, check_numbered, rd, &next) != 0)
            rd->errors++;
        uint64_t at = shardlog_offset_at_time(log, (int64_t)(next / 16));
        if (at > shardlog_committed(log))
            rd->errors++;
    }
    return NULL;
}

static void test_readers_while_retention_deletes(void **state)
{
    (void)state;
    setenv("KINESD_SEGMENT_BYTES", "2048", 1);
    store *st = store_open(dir, DURABILITY_NONE, 0, on_durable, NULL);
    unsetenv("KINESD_SEGMENT_BYTES");
    assert_non_null(st);
    race r = {.log = shardlog_open(st, "trimmed")};
    assert_non_null(r.log);
    atomic_init(&r.writing, true);
    atomic_init(&r.trims, 0);

    pthread_t writer, trimmer, readers[READERS];
    reader rd[READERS];
    for (int i = 0; i < READERS; i++) {
        rd[i] = (reader){.r = &r};
        pthread_create(&readers[i], NULL, read_while_trimmed, &rd[i]);
    }
    pthread_create(&trimmer, NULL, trim_repeatedly, &r);
    pthread_create(&writer, NULL, write_numbered, &r);
    pthread_join(writer, NULL);
    pthread_join(trimmer, NULL);
    for (int i = 0; i < READERS; i++)
        pthread_join(readers[i], NULL);

    printf("  %u trims; horizon %llu of %d; readers saw %llu and %llu records\n",
           atomic_load(&r.trims), (unsigned long long)shardlog_trim_horizon(r.log), RECORDS,
           (unsigned long long)rd[0].seen, (unsigned long long)rd[1].seen);
    for (int i = 0; i < READERS; i++) {
        assert_int_equal(rd[i].errors, 0);
        assert_true(rd[i].seen > 0);
    }
    assert_true(shardlog_trim_horizon(r.log) > 0);
    assert_int_equal(shardlog_committed(r.log), RECORDS);
    shardlog_close(r.log);
    store_close(st);
}

/* A log closed (and destroyed) right after appends from other threads: store_close's order is
 * shard logs first, then the store; everything appended before the close is on disk after it. */
static void *append_burst(void *arg)
{
    shardlog *log = arg;
    char data[64];
    memset(data, 'b', sizeof data);
    log_record_in recs[8];
    for (int i = 0; i < 8; i++)
        recs[i] = (log_record_in){"k", 1, data, sizeof data};
    for (int i = 0; i < 200; i++) {
        uint64_t first, ticket;
        int64_t arrival;
        assert_int_equal(
            shardlog_append(log, recs, 1 + (size_t)i % 8, i, &first, &arrival, &ticket), 0);
    }
    return NULL;
}

static void test_close_right_after_appends(void **state)
{
    (void)state;
    setenv("KINESD_SEGMENT_BYTES", "4096", 1);
    for (int round = 0; round < 20; round++) {
        waiter_reset();
        store *st = store_open(dir, round % 2 ? DURABILITY_SYNC : DURABILITY_INTERVAL, 50,
                               on_durable, NULL);
        assert_non_null(st);
        shardlog *log = shardlog_open(st, "burst");
        assert_non_null(log);
        pthread_t t[3];
        for (int i = 0; i < 3; i++)
            pthread_create(&t[i], NULL, append_burst, log);
        for (int i = 0; i < 3; i++)
            pthread_join(t[i], NULL);
        uint64_t appended = shardlog_next_offset(log);
        shardlog_close(log);
        log = shardlog_open(st, "burst");
        assert_non_null(log);
        assert_int_equal(shardlog_committed(log), appended);
        shardlog_close(log);
        assert_int_equal(shardlog_destroy(st, "burst"), 0);
        store_close(st);
    }
    unsetenv("KINESD_SEGMENT_BYTES");
}

/* After a failed write no ticket is reported for any shard of the store, and other threads (the
 * server's loops) learn it from store_failed, so that they stop waiting. */
static void *poll_failed(void *arg)
{
    store *st = arg;
    for (int i = 0; i < 5000 && !store_failed(st); i++)
        usleep(1000);
    return (void *)(intptr_t)store_failed(st);
}

static void test_failure_is_seen_by_other_threads(void **state)
{
    (void)state;
    store *st = store_open(dir, DURABILITY_SYNC, 0, on_durable, NULL);
    assert_non_null(st);
    shardlog *broken = shardlog_open(st, "broken"), *healthy = shardlog_open(st, "healthy");
    assert_non_null(broken);
    assert_non_null(healthy);
    assert_false(store_failed(st));
    pthread_t poller;
    pthread_create(&poller, NULL, poll_failed, st);

    int readonly = open("/dev/null", O_RDONLY);
    assert_int_equal(dup2(readonly, broken->tail->fd), broken->tail->fd); /* writes now fail */
    close(readonly);
    log_record_in rec = {"k", 1, "data", 4};
    uint64_t first, lost_ticket, healthy_ticket;
    int64_t arrival;
    assert_int_equal(shardlog_append(broken, &rec, 1, 1, &first, &arrival, &lost_ticket), 0);
    void *seen;
    pthread_join(poller, &seen);
    assert_true(seen);
    assert_int_equal(shardlog_append(healthy, &rec, 1, 1, &first, &arrival, &healthy_ticket), 0);
    assert_false(wait_durable_for(healthy_ticket, 200));
    shardlog_close(broken);
    shardlog_close(healthy);
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_readers_while_retention_deletes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_right_after_appends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_is_seen_by_other_threads, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
