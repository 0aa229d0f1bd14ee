/* test_store_log.c - the shard log's behaviour: round trips, offsets and arrival times, read
 * limits, lookups by time, segment roll-over, reopening, retention, destroy (damage and torn
 * tails: test_store_recovery.c). */
#include <dirent.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/shardlog_impl.h"
#include "test_store_util.h"

#define SMALL_SEGMENT "4096"

static char dir[64];
static store *st;

static int setup(void **state)
{
    (void)state;
    tmpdir_make(dir);
    unsetenv("KINESD_SEGMENT_BYTES");
    waiter_reset();
    st = store_open(dir, DURABILITY_SYNC, 0, on_durable, NULL);
    return st ? 0 : -1;
}

static int setup_small_segments(void **state)
{
    (void)state;
    tmpdir_make(dir);
    setenv("KINESD_SEGMENT_BYTES", SMALL_SEGMENT, 1);
    waiter_reset();
    st = store_open(dir, DURABILITY_NONE, 0, on_durable, NULL);
    return st ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    if (st)
        store_close(st);
    st = NULL;
    waiter_reset();
    tmpdir_remove(dir);
    return 0;
}

static collected *collected_new(void)
{
    collected *c = calloc(1, sizeof *c);
    assert_non_null(c);
    return c;
}

static void collected_drop(collected *c)
{
    collected_free(c);
    free(c);
}

static size_t count_files(const char *path, const char *suffix);

/* Waits (10 s at most) until path holds at most `most` files ending in suffix: retention's unlinks
 * run on the store's deleting thread. */
static size_t wait_files_at_most(const char *path, const char *suffix, size_t most)
{
    size_t n;
    for (int i = 0; (n = count_files(path, suffix)) > most && i < 1000; i++)
        usleep(10000);
    return n;
}

static size_t count_files(const char *path, const char *suffix)
{
    DIR *d = opendir(path);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name), sl = strlen(suffix);
        n += len > sl && strcmp(e->d_name + len - sl, suffix) == 0;
    }
    closedir(d);
    return n;
}

/* Appends n records "k<i>" = "record-<i>" padded to about `size` bytes, at now_ms + i * step. */
static void append_numbered(shardlog *log, size_t first, size_t n, size_t size, int64_t now_ms,
                            int64_t step)
{
    for (size_t i = first; i < first + n; i++) {
        char key[32], data[512];
        snprintf(key, sizeof key, "k%zu", i);
        snprintf(data, sizeof data, "record-%zu-%0*d", i, (int)(size > 20 ? size - 20 : 1), 0);
        assert_int_equal(append_one(log, key, data, now_ms + (int64_t)(i * step), NULL), i);
    }
}

static void check_numbered(const collected *c, size_t first, size_t n)
{
    assert_int_equal(c->n, n);
    for (size_t i = 0; i < n; i++) {
        char prefix[48];
        snprintf(prefix, sizeof prefix, "k%zu=record-%zu-", first + i, first + i);
        assert_int_equal(c->offsets[i], first + i);
        assert_memory_equal(c->text[i], prefix, strlen(prefix));
    }
}

/* ---- tests ---- */

static void test_round_trip(void **state)
{
    (void)state;
    shardlog *log = shardlog_open(st, "streams/1/shard-0");
    assert_non_null(log);
    assert_int_equal(shardlog_committed(log), 0);
    assert_int_equal(shardlog_last_arrival_ms(log), 0);

    log_record_in recs[3] = {{"a", 1, "one", 3}, {"bb", 2, "", 0}, {"ccc", 3, "three", 5}};
    uint64_t first, ticket;
    int64_t arrival;
    assert_int_equal(shardlog_append(log, recs, 3, 5000, &first, &arrival, &ticket), 0);
    assert_int_equal(first, 0);
    assert_int_equal(arrival, 5000);
    assert_int_equal(shardlog_next_offset(log), 3);
    assert_true(wait_durable(ticket));
    assert_int_equal(shardlog_committed(log), 3);

    int64_t later;
    assert_int_equal(append_one(log, "d", "four", 4000, &later), 3); /* clock went back */
    assert_int_equal(later, 5000);                                   /* arrival did not */
    assert_int_equal(append_one(log, "e", "five", 6000, &later), 4);
    assert_int_equal(later, 6000);
    assert_int_equal(shardlog_last_arrival_ms(log), 6000);

    collected *c = collected_new();
    read_all(log, 0, 100, c);
    assert_int_equal(c->n, 5);
    const char *want[] = {"a=one", "bb=", "ccc=three", "d=four", "e=five"};
    const int64_t arrivals[] = {5000, 5000, 5000, 5000, 6000};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(c->offsets[i], i);
        assert_string_equal(c->text[i], want[i]);
        assert_int_equal(c->arrivals[i], arrivals[i]);
    }
    collected_drop(c);
    shardlog_close(log);
}

static bool stop_after_two(const log_record *rec, void *arg)
{
    (void)rec;
    return ++*(int *)arg < 2;
}

static void test_read_limits(void **state)
{
    (void)state;
    shardlog *log = shardlog_open(st, "limits");
    assert_non_null(log);
    log_record_in recs[100];
    char data[100][16];
    for (int i = 0; i < 100; i++) {
        snprintf(data[i], sizeof data[i], "d%09d", i); /* 10 bytes, key 2: 12 bytes a record */
        recs[i] = (log_record_in){"pk", 2, data[i], 10};
    }
    uint64_t first, ticket, next;
    int64_t arrival;
    assert_int_equal(shardlog_append(log, recs, 100, 1, &first, &arrival, &ticket), 0);
    assert_true(wait_durable(ticket));

    collected *c = collected_new();
    assert_int_equal(shardlog_read(log, 10, 7, SIZE_MAX, collect_visit, c, &next), 0);
    assert_int_equal(c->n, 7);
    assert_int_equal(c->offsets[0], 10);
    assert_int_equal(next, 17);
    collected_free(c);

    assert_int_equal(shardlog_read(log, 0, 100, 36, collect_visit, c, &next), 0);
    assert_int_equal(c->n, 3); /* 3 x 12 bytes fit exactly */
    assert_int_equal(next, 3);
    collected_free(c);
    assert_int_equal(shardlog_read(log, 0, 100, 35, collect_visit, c, &next), 0);
    assert_int_equal(c->n, 2);
    collected_free(c);
    assert_int_equal(shardlog_read(log, 99, 100, 1, collect_visit, c, &next), 0);
    assert_int_equal(c->n, 1); /* at least one record */
    assert_int_equal(next, 100);
    collected_free(c);

    assert_int_equal(shardlog_read(log, 100, 100, SIZE_MAX, collect_visit, c, &next), 0);
    assert_int_equal(c->n, 0); /* at the tip */
    assert_int_equal(next, 100);
    assert_int_equal(shardlog_read(log, 5000, 100, SIZE_MAX, collect_visit, c, &next), 0);
    assert_int_equal(c->n, 0);
    assert_int_equal(next, 5000);

    int seen = 0;
    assert_int_equal(shardlog_read(log, 50, 100, SIZE_MAX, stop_after_two, &seen, &next), 0);
    assert_int_equal(seen, 2);
    assert_int_equal(next, 52);
    collected_drop(c);
    shardlog_close(log);
}

static void test_offset_at_time(void **state)
{
    (void)state;
    shardlog *log = shardlog_open(st, "time");
    assert_non_null(log);
    assert_int_equal(shardlog_offset_at_time(log, 0), 0); /* empty: committed */
    append_numbered(log, 0, 600, 100, 10000, 10);         /* records i at 10000 + 10 i */
    assert_int_equal(shardlog_offset_at_time(log, 0), 0);
    assert_int_equal(shardlog_offset_at_time(log, 10000), 0);
    assert_int_equal(shardlog_offset_at_time(log, 10001), 1);
    assert_int_equal(shardlog_offset_at_time(log, 12345), 235);
    assert_int_equal(shardlog_offset_at_time(log, 10000 + 5990), 599);
    assert_int_equal(shardlog_offset_at_time(log, 10000 + 5991), 600); /* none: committed */
    shardlog_close(log);
}

static void test_roll_over_and_reopen(void **state)
{
    (void)state;
    shardlog *log = shardlog_open(st, "roll");
    assert_non_null(log);
    append_numbered(log, 0, 300, 150, 1000, 1);
    char path[128];
    snprintf(path, sizeof path, "%s/roll", dir);
    size_t logs = count_files(path, ".log");
    assert_true(logs >= 10); /* 300 x ~176 bytes in 4 KiB segments */
    assert_int_equal(count_files(path, ".idx"), logs - 1);

    collected *c = collected_new();
    read_all(log, 0, 7, c); /* small calls cross segment ends */
    check_numbered(c, 0, 300);
    collected_free(c);
    read_all(log, 0, 1000, c);
    check_numbered(c, 0, 300);
    collected_free(c);
    assert_int_equal(shardlog_offset_at_time(log, 1000 + 123), 123);
    shardlog_close(log);

    log = shardlog_open(st, "roll");
    assert_non_null(log);
    assert_int_equal(shardlog_committed(log), 300);
    assert_int_equal(shardlog_next_offset(log), 300);
    assert_int_equal(shardlog_last_arrival_ms(log), 1000 + 299);
    read_all(log, 0, 1000, c);
    check_numbered(c, 0, 300);
    collected_free(c);
    append_numbered(log, 300, 50, 150, 2000, 1);
    read_all(log, 250, 1000, c);
    check_numbered(c, 250, 100);
    collected_drop(c);
    assert_int_equal(shardlog_offset_at_time(log, 1000 + 299), 299);
    assert_int_equal(shardlog_offset_at_time(log, 1000 + 300), 300);
    shardlog_close(log);
}

static void test_big_record_gets_own_segment(void **state)
{
    (void)state;
    shardlog *log = shardlog_open(st, "big");
    assert_non_null(log);
    append_numbered(log, 0, 3, 100, 1, 0);
    size_t big = 20000; /* larger than a whole segment */
    char *data = malloc(big + 1);
    memset(data, 'x', big);
    data[big] = '\0';
    assert_int_equal(append_one(log, "big", data, 1, NULL), 3);
    append_numbered(log, 4, 3, 100, 1, 0);
    shardlog_close(log);
    log = shardlog_open(st, "big");
    assert_non_null(log);
    collected *c = collected_new();
    read_all(log, 0, 1, c);
    assert_int_equal(c->n, 7);
    assert_int_equal(strlen(c->text[3]), big + 4);
    collected_drop(c);
    free(data);
    shardlog_close(log);
}

static void test_retention(void **state)
{
    (void)state;
    shardlog *log = shardlog_open(st, "retain");
    assert_non_null(log);
    append_numbered(log, 0, 200, 150, 100000, 100); /* record i arrives at 100000 + 100 i */
    char path[128];
    snprintf(path, sizeof path, "%s/retain", dir);
    size_t before = count_files(path, ".log");

    uint64_t end;
    shardlog_trim_before(log, 100000);                 /* nothing is that old */
    assert_int_equal(shardlog_sync_end(log, &end), 0); /* retention runs on the storage thread */
    assert_int_equal(shardlog_trim_horizon(log), 0);
    shardlog_trim_before(log, 100000 + 100 * 100); /* about half */
    assert_int_equal(shardlog_sync_end(log, &end), 0);
    uint64_t horizon = shardlog_trim_horizon(log);
    assert_true(horizon > 50 && horizon <= 100);
    assert_true(wait_files_at_most(path, ".log", before - 1) < before);

    collected *c = collected_new();
    uint64_t next;
    assert_int_equal(shardlog_read(log, 0, 1, SIZE_MAX, collect_visit, c, &next), 0);
    assert_int_equal(c->offsets[0], horizon); /* below the horizon reads start at it */
    collected_free(c);
    assert_int_equal(shardlog_offset_at_time(log, 0), horizon);

    shardlog_trim_before(log, INT64_MAX); /* the tail segment always stays */
    assert_int_equal(shardlog_sync_end(log, &end), 0);
    assert_int_equal(wait_files_at_most(path, ".log", 1), 1);
    horizon = shardlog_trim_horizon(log);
    assert_true(horizon > 100 && horizon < 200);
    read_all(log, 0, 1000, c);
    check_numbered(c, horizon, 200 - horizon);
    collected_free(c);
    shardlog_close(log);

    log = shardlog_open(st, "retain"); /* the horizon survives reopening */
    assert_non_null(log);
    assert_int_equal(shardlog_trim_horizon(log), horizon);
    read_all(log, 0, 1000, c);
    check_numbered(c, horizon, 200 - horizon);
    collected_drop(c);
    shardlog_close(log);
}

static void test_destroy_and_double_open(void **state)
{
    (void)state;
    shardlog *log = shardlog_open(st, "gone/shard");
    assert_non_null(log);
    assert_null(shardlog_open(st, "gone/shard"));
    append_numbered(log, 0, 3, 10, 1, 0);
    assert_int_equal(shardlog_destroy(st, "gone/shard"), 0); /* closes it too */
    char path[128];
    snprintf(path, sizeof path, "%s/gone/shard", dir);
    struct stat sb;
    assert_int_equal(stat(path, &sb), -1);
    log = shardlog_open(st, "gone/shard");
    assert_non_null(log);
    assert_int_equal(shardlog_committed(log), 0);
    shardlog_close(log);
    assert_int_equal(shardlog_destroy(st, "never/was"), 0);
}

static void test_modes_report_tickets(void **state)
{
    (void)state;
    durability_mode modes[] = {DURABILITY_SYNC, DURABILITY_INTERVAL, DURABILITY_NONE};
    store_close(st);
    for (size_t m = 0; m < 3; m++) {
        waiter_reset();
        st = store_open(dir, modes[m], 5, on_durable, NULL);
        assert_non_null(st);
        shardlog *log = shardlog_open(st, "modes");
        assert_non_null(log);
        append_numbered(log, m * 20, 20, 50, 1, 0);
        shardlog_close(log);
        store_close(st);
    }
    waiter_reset();
    st = store_open(dir, DURABILITY_SYNC, 0, on_durable, NULL);
    shardlog *log = shardlog_open(st, "modes");
    collected *c = collected_new();
    read_all(log, 0, 1000, c);
    check_numbered(c, 0, 60);
    collected_drop(c);
    shardlog_close(log);
}

static void test_write_failure_is_never_acknowledged(void **state)
{
    (void)state;
    shardlog *log = shardlog_open(st, "failing");
    assert_non_null(log);
    append_numbered(log, 0, 2, 10, 1, 0);
    int readonly = open("/dev/null", O_RDONLY);
    assert_int_equal(dup2(readonly, log->tail->fd), log->tail->fd); /* writes now fail */
    close(readonly);

    log_record_in rec = {"k", 1, "lost", 4};
    uint64_t first, ticket;
    int64_t arrival;
    assert_int_equal(shardlog_append(log, &rec, 1, 1, &first, &arrival, &ticket), 0);
    assert_false(wait_durable_for(ticket, 300));
    assert_int_equal(shardlog_committed(log), 2);
    assert_int_equal(shardlog_append(log, &rec, 1, 1, &first, &arrival, &ticket), -1);
    shardlog_close(log);
}

static void mark_done(void *arg)
{
    atomic_store((atomic_bool *)arg, true);
}

static bool wait_flag(atomic_bool *flag)
{
    for (int i = 0; !atomic_load(flag) && i < 1000; i++)
        usleep(10000);
    return atomic_load(flag);
}

/* The asynchronous close keeps what was appended; the asynchronous destroy deletes the directory;
 * neither blocks its caller, both report when done. */
static void test_close_and_destroy_async(void **state)
{
    (void)state;
    shardlog *log = shardlog_open(st, "async");
    assert_non_null(log);
    append_numbered(log, 0, 5, 100, 1, 0);
    log_record_in rec = {"k5", 2, "record-5-unwaited", 17};
    uint64_t first, ticket;
    int64_t arrival;
    assert_int_equal(shardlog_append(log, &rec, 1, 1, &first, &arrival, &ticket), 0);
    atomic_bool closed = false, destroyed = false;
    shardlog_close_async(log, mark_done, &closed);
    assert_true(wait_flag(&closed));
    log = shardlog_open(st, "async");
    assert_non_null(log);
    assert_int_equal(shardlog_committed(log), 6); /* the one appended just before the close too */
    shardlog_destroy_async(log, mark_done, &destroyed);
    assert_true(wait_flag(&destroyed));
    char path[128];
    snprintf(path, sizeof path, "%s/async", dir);
    assert_int_equal(access(path, F_OK), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_offset_at_time, setup_small_segments, teardown),
        cmocka_unit_test_setup_teardown(test_roll_over_and_reopen, setup_small_segments, teardown),
        cmocka_unit_test_setup_teardown(test_big_record_gets_own_segment, setup_small_segments,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_retention, setup_small_segments, teardown),
        cmocka_unit_test_setup_teardown(test_destroy_and_double_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_and_destroy_async, setup, teardown),
        cmocka_unit_test_setup_teardown(test_modes_report_tickets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_failure_is_never_acknowledged, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
