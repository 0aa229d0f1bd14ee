/* test_store_bench.c - figures for the store, printed, never asserted: the cost of one
 * fdatasync here, append and read throughput (plain and sealed), and what group commit achieves
 * in mode sync. */
#include <fcntl.h>
#include <stdatomic.h>
#include <unistd.h>

#include <zlib.h>

#include "common/clock.h"
#include "store/crc32c.h"
#include "store_fixture.h"

#define RECORD_BYTES 100

static double seconds_since(int64_t start_ns)
{
    return (double)(clock_mono_ns() - start_ns) / 1e9;
}

static void test_fdatasync_cost(void **state)
{
    (void)state;
    char path[96];
    snprintf(path, sizeof path, "%s/sync-probe", dir);
    int fd = open(path, O_CREAT | O_RDWR, 0644);
    assert_true(fd >= 0);
    char page[4096];
    memset(page, 'x', sizeof page);
    for (int prealloc = 0; prealloc < 2; prealloc++) {
        if (prealloc)
            assert_int_equal(fallocate(fd, 0, 0, 64 << 20), 0);
        int64_t start = clock_mono_ns();
        int n = 40;
        for (int i = 0; i < n; i++) {
            assert_int_equal(pwrite(fd, page, sizeof page, (off_t)i * 4096 + (prealloc << 20)),
                             (ssize_t)sizeof page);
            assert_int_equal(fdatasync(fd), 0);
        }
        printf("  fdatasync after a 4 KiB write%s: %.3f ms\n",
               prealloc ? " into fallocated space" : " extending the file",
               seconds_since(start) * 1e3 / n);
    }
    close(fd);
}

static void fill_batch(log_record_in *recs, size_t n, char *data)
{
    memset(data, 'r', RECORD_BYTES);
    for (size_t i = 0; i < n; i++)
        recs[i] = (log_record_in){"partition-key", 13, data, RECORD_BYTES};
}

static bool count_visit(const log_record *rec, void *arg)
{
    (void)rec;
    ++*(uint64_t *)arg;
    return true;
}

static void test_append_and_read_throughput(void **state)
{
    (void)state;
    waiter_reset();
    store *st = store_open(dir, DURABILITY_NONE, 0, on_durable, NULL);
    shardlog *log = shardlog_open(st, "throughput");
    assert_non_null(log);
    char data[RECORD_BYTES];
    log_record_in recs[100];
    fill_batch(recs, 100, data);

    size_t total = 1000000, batch = 100;
    uint64_t first, ticket = 0;
    int64_t arrival;
    int64_t start = clock_mono_ns();
    for (size_t i = 0; i < total; i += batch)
        assert_int_equal(shardlog_append(log, recs, batch, 1, &first, &arrival, &ticket), 0);
    double append_s = seconds_since(start);
    assert_true(wait_durable(ticket));
    double written_s = seconds_since(start);
    printf("  append (mode none, batches of %zu x %d B): %.2f M records/s in the append call, "
           "%.2f M records/s written (%.0f MB/s)\n",
           batch, RECORD_BYTES, total / append_s / 1e6, total / written_s / 1e6,
           total * (26.0 + 13 + RECORD_BYTES) / written_s / 1e6);

    start = clock_mono_ns();
    for (size_t i = 0; i < 200000; i++)
        assert_int_equal(shardlog_append(log, recs, 1, 1, &first, &arrival, &ticket), 0);
    printf("  append (single records): %.2f M appends/s\n", 0.2 / seconds_since(start));
    assert_true(wait_durable(ticket));

    uint64_t seen = 0, next = 0;
    start = clock_mono_ns();
    while (next < total)
        assert_int_equal(shardlog_read(log, next, 10000, SIZE_MAX, count_visit, &seen, &next), 0);
    double read_s = seconds_since(start);
    printf("  read (calls of 10,000 records, page cache): %.2f M records/s\n", seen / read_s / 1e6);
    shardlog_close(log);

    start = clock_mono_ns();
    log = shardlog_open(st, "throughput");
    assert_non_null(log);
    printf("  reopen (%.0f MB: sealed segments from .idx, the tail scanned): %.1f ms\n",
           1.2e6 * (26.0 + 13 + RECORD_BYTES) / 1e6, seconds_since(start) * 1e3);
    assert_int_equal(shardlog_committed(log), 1200000);
    shardlog_close(log);
    store_close(st);
}

static int64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* CPU of this thread per record for appends (PutRecords' batches of 500) and reads, plain and
 * sealed (encrypted at rest): CPU time is steadier than throughput on a shared machine. */
static void test_sealed_cost(void **state)
{
    (void)state;
    waiter_reset();
    store *st = store_open(dir, DURABILITY_NONE, 0, on_durable, NULL);
    static const unsigned char secret[STORE_KEY_LEN] = "kinesd bench data key 0123456789";
    const store_key *key = store_add_key(st, 1, secret);
    char data[RECORD_BYTES];
    log_record_in recs[500];
    fill_batch(recs, 500, data);
    size_t total = 500000;
    for (int sealed = 0; sealed < 2; sealed++) {
        shardlog *log = shardlog_open(st, sealed ? "sealed" : "plain");
        uint64_t first, ticket = 0, seen = 0, next = 0;
        int64_t arrival, cpu = thread_cpu_ns();
        for (size_t i = 0; i < total; i += 500)
            assert_int_equal(shardlog_append_sealed(log, sealed ? key : NULL, recs, 500, 1, &first,
                                                    &arrival, &ticket),
                             0);
        double append_ns = (double)(thread_cpu_ns() - cpu) / (double)total;
        assert_true(wait_durable(ticket));
        cpu = thread_cpu_ns();
        while (next < total)
            assert_int_equal(shardlog_read(log, next, 10000, SIZE_MAX, count_visit, &seen, &next),
                             0);
        printf("  %s, batches of 500 x %d B: append %.0f ns/record, read %.0f ns/record (CPU)\n",
               sealed ? "sealed (AES-256-GCM)" : "plain", RECORD_BYTES, append_ns,
               (double)(thread_cpu_ns() - cpu) / (double)seen);
        shardlog_close(log);
    }
    store_close(st);
}

#define COMMITTERS 8
#define COMMIT_BATCH 10

typedef struct committer {
    shardlog *log;
    int64_t until_ns;
    uint64_t acks, records;
    int64_t max_wait_ns;
} committer;

static void *commit_loop(void *arg)
{
    committer *c = arg;
    char data[RECORD_BYTES];
    log_record_in recs[COMMIT_BATCH];
    fill_batch(recs, COMMIT_BATCH, data);
    while (clock_mono_ns() < c->until_ns) {
        uint64_t first, ticket;
        int64_t arrival, t0 = clock_mono_ns();
        assert_int_equal(shardlog_append(c->log, recs, COMMIT_BATCH, 1, &first, &arrival, &ticket),
                         0);
        assert_true(wait_durable(ticket));
        int64_t waited = clock_mono_ns() - t0;
        c->max_wait_ns = waited > c->max_wait_ns ? waited : c->max_wait_ns;
        c->acks++;
        c->records += COMMIT_BATCH;
    }
    return NULL;
}

static void test_group_commit(void **state)
{
    (void)state;
    waiter_reset();
    store *st = store_open(dir, DURABILITY_SYNC, 0, on_durable, NULL);
    shardlog *log = shardlog_open(st, "group");
    assert_non_null(log);
    committer c[COMMITTERS];
    pthread_t t[COMMITTERS];
    int64_t start = clock_mono_ns();
    for (int i = 0; i < COMMITTERS; i++) {
        c[i] = (committer){.log = log, .until_ns = start + 1000000000};
        pthread_create(&t[i], NULL, commit_loop, &c[i]);
    }
    uint64_t acks = 0, records = 0;
    int64_t max_wait = 0;
    for (int i = 0; i < COMMITTERS; i++) {
        pthread_join(t[i], NULL);
        acks += c[i].acks;
        records += c[i].records;
        max_wait = c[i].max_wait_ns > max_wait ? c[i].max_wait_ns : max_wait;
    }
    double s = seconds_since(start);
    printf("  group commit (mode sync, %d appenders waiting for each ack): %.0f acks/s, "
           "%.0f records/s, %u cycles reported, %.1f ms max ack wait\n",
           COMMITTERS, acks / s, records / s, waiter_reports(), max_wait / 1e6);
    shardlog_close(log);
    store_close(st);
}

/* GB/s of one checksum over 128-byte records (a frame's size here) and over 64 KiB. */
static double checksum_rate(uint32_t (*sum)(uint32_t, const void *, size_t), size_t len)
{
    static char buf[1 << 16];
    memset(buf, 'c', sizeof buf);
    size_t total = 256u << 20, rounds = total / len;
    volatile uint32_t sink = 0;
    int64_t start = clock_mono_ns();
    for (size_t i = 0; i < rounds; i++)
        sink += sum(0, buf + (i * 64) % (sizeof buf - len + 1), len);
    (void)sink;
    return (double)total / seconds_since(start) / 1e9;
}

static uint32_t zlib_crc(uint32_t crc, const void *p, size_t len)
{
    return (uint32_t)crc32(crc, p, (uInt)len);
}

static void test_checksum_speed(void **state)
{
    (void)state;
    for (size_t len = 128; len <= 65536; len *= 512)
        printf("  checksum of %zu-byte buffers: zlib crc32 %.2f GB/s, CRC-32C portable %.2f GB/s, "
               "CRC-32C %s %.2f GB/s\n",
               len, checksum_rate(zlib_crc, len), checksum_rate(crc32c_portable, len),
               crc32c_hardware() ? "SSE4.2" : "(portable)", checksum_rate(crc32c, len));
}

#define HOT_SHARDS 200

/* One record to each of 200 shards, then a wait for all of them: each cycle syncs 200 segments. */
static double hot_shard_rounds(int sync_threads)
{
    char n[16];
    snprintf(n, sizeof n, "%d", sync_threads);
    setenv("KINESD_SYNC_THREADS", n, 1);
    waiter_reset();
    store *st = store_open(dir, DURABILITY_SYNC, 0, on_durable, NULL);
    unsetenv("KINESD_SYNC_THREADS");
    shardlog *logs[HOT_SHARDS];
    for (int i = 0; i < HOT_SHARDS; i++) {
        char name[32];
        snprintf(name, sizeof name, "hot%d/%d", sync_threads, i);
        assert_non_null(logs[i] = shardlog_open(st, name));
    }
    char data[RECORD_BYTES];
    log_record_in rec;
    fill_batch(&rec, 1, data);
    int rounds = 0;
    int64_t start = clock_mono_ns();
    while (clock_mono_ns() - start < 1500000000LL) {
        uint64_t first, ticket = 0;
        int64_t arrival;
        for (int i = 0; i < HOT_SHARDS; i++)
            assert_int_equal(shardlog_append(logs[i], &rec, 1, 1, &first, &arrival, &ticket), 0);
        assert_true(wait_durable(ticket));
        rounds++;
    }
    double per_s = rounds / seconds_since(start);
    for (int i = 0; i < HOT_SHARDS; i++)
        shardlog_close(logs[i]);
    store_close(st);
    return per_s;
}

static void test_many_hot_shards(void **state)
{
    (void)state;
    for (int threads = 0; threads <= 8; threads += 4) {
        double rounds = hot_shard_rounds(threads);
        printf("  %d hot shards, a record to each then a wait (mode sync), %d sync threads: "
               "%.1f rounds/s (%.0f records/s)\n",
               HOT_SHARDS, threads, rounds, rounds * HOT_SHARDS);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fdatasync_cost, setup, teardown),
        cmocka_unit_test(test_checksum_speed),
        cmocka_unit_test_setup_teardown(test_append_and_read_throughput, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sealed_cost, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_hot_shards, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
