/* test_store_concurrency.c - the store under several threads: tickets are reported only once
 * their bytes are written and readable; concurrent appenders and readers see every record once,
 * in order, across segment roll-overs. */
#include <stdatomic.h>

#include "store_fixture.h"

/* ---- tickets are reported only after the write ---- */

typedef struct issued {
    uint64_t ticket;
    uint64_t end_offset; /* offset after the append's last record */
} issued;

static struct {
    pthread_mutex_t mu;
    issued list[100000];
    size_t n, checked_from;
    shardlog *log;
    unsigned violations, checks;
} record = {.mu = PTHREAD_MUTEX_INITIALIZER};

static bool count_one(const log_record *rec, void *arg)
{
    (void)rec;
    ++*(int *)arg;
    return false;
}

/* on_durable: every recorded append holding a reported ticket must be committed and readable. */
static void check_durable(uint64_t ticket, void *arg)
{
    (void)arg;
    pthread_mutex_lock(&record.mu);
    for (size_t i = 0; i < record.n; i++) {
        issued *is = &record.list[i];
        if (is->ticket > ticket || is->end_offset == 0)
            continue;
        int seen = 0;
        uint64_t next;
        if (shardlog_committed(record.log) < is->end_offset ||
            shardlog_read(record.log, is->end_offset - 1, 1, SIZE_MAX, count_one, &seen, &next) ||
            seen != 1)
            record.violations++;
        record.checks++;
        is->end_offset = 0; /* checked */
    }
    pthread_mutex_unlock(&record.mu);
    on_durable(ticket, NULL);
}

static void *append_and_record(void *arg)
{
    shardlog *log = arg;
    char data[100];
    memset(data, 'd', sizeof data);
    log_record_in recs[4] = {
        {"k", 1, data, 100}, {"k", 1, data, 100}, {"k", 1, data, 100}, {"k", 1, data, 100}};
    for (int i = 0; i < 3000; i++) {
        uint64_t first, ticket;
        int64_t arrival;
        size_t n = 1 + (size_t)i % 4;
        assert_int_equal(shardlog_append(log, recs, n, 1, &first, &arrival, &ticket), 0);
        pthread_mutex_lock(&record.mu);
        if (record.n < 100000)
            record.list[record.n++] = (issued){ticket, first + n};
        pthread_mutex_unlock(&record.mu);
        if (i % 64 == 0)
            assert_true(wait_durable(ticket));
    }
    return NULL;
}

static void test_tickets_reported_after_write(void **state)
{
    (void)state;
    durability_mode modes[] = {DURABILITY_SYNC, DURABILITY_NONE};
    for (int m = 0; m < 2; m++) {
        waiter_reset();
        record.n = record.checks = record.violations = 0;
        store *st = store_open(dir, modes[m], 0, check_durable, NULL);
        assert_non_null(st);
        shardlog *log = shardlog_open(st, m ? "tickets-none" : "tickets-sync");
        assert_non_null(log);
        record.log = log;
        pthread_t t[2];
        for (int i = 0; i < 2; i++)
            pthread_create(&t[i], NULL, append_and_record, log);
        for (int i = 0; i < 2; i++)
            pthread_join(t[i], NULL);
        shardlog_close(log);
        store_close(st);
        printf("  mode %s: %u appends checked at report time, %u reports\n", m ? "none" : "sync",
               record.checks, waiter_reports());
        assert_int_equal(record.violations, 0);
        assert_true(record.checks > 1000);
    }
}

/* ---- appenders and readers together ---- */

#define WRITERS 3
#define APPENDS 2000
#define BATCH_MAX 5

static atomic_uint_fast64_t total_appended;

typedef struct writer {
    shardlog *log;
    int id;
    uint64_t records;
} writer;

static void *write_numbered(void *arg)
{
    writer *w = arg;
    char keys[BATCH_MAX][16], data[BATCH_MAX][64];
    log_record_in recs[BATCH_MAX];
    unsigned seq = 0;
    for (int i = 0; i < APPENDS; i++) {
        size_t n = 1 + (size_t)(i * 7 + w->id) % BATCH_MAX;
        for (size_t j = 0; j < n; j++, seq++) {
            snprintf(keys[j], sizeof keys[j], "w%d", w->id);
            int len = snprintf(data[j], sizeof data[j], "%d:%u:%.*s", w->id, seq, (int)(seq % 40),
                               "........................................");
            recs[j] = (log_record_in){keys[j], strlen(keys[j]), data[j], (size_t)len};
        }
        uint64_t first, ticket;
        int64_t arrival;
        assert_int_equal(shardlog_append(w->log, recs, n, i, &first, &arrival, &ticket), 0);
        if (i % 16 == 0)
            assert_true(wait_durable(ticket));
        w->records += n;
    }
    atomic_fetch_add(&total_appended, w->records);
    return NULL;
}

typedef struct reader {
    shardlog *log;
    uint64_t expect_total;
    uint64_t next_offset;
    unsigned next_seq[WRITERS];
    int64_t last_arrival;
    unsigned errors;
} reader;

static bool check_record(const log_record *rec, void *arg)
{
    reader *r = arg;
    int id;
    unsigned seq;
    char text[64];
    snprintf(text, sizeof text, "%.*s", (int)rec->data_len, (const char *)rec->data);
    if (rec->offset != r->next_offset || rec->arrival_ms < r->last_arrival ||
        sscanf(text, "%d:%u:", &id, &seq) != 2 || id < 0 || id >= WRITERS ||
        seq != r->next_seq[id] ||
        rec->data_len != (size_t)snprintf(NULL, 0, "%d:%u:", id, seq) + seq % 40)
        r->errors++;
    else
        r->next_seq[id]++;
    r->next_offset = rec->offset + 1;
    r->last_arrival = rec->arrival_ms;
    return true;
}

static void *read_everything(void *arg)
{
    reader *r = arg;
    int64_t deadline = time(NULL) + 20;
    while (r->next_offset < r->expect_total && time(NULL) < deadline) {
        uint64_t next;
        if (shardlog_read(r->log, r->next_offset, 1 + r->next_offset % 700, SIZE_MAX, check_record,
                          r, &next) != 0)
            r->errors++;
    }
    return NULL;
}

static void test_appenders_and_readers(void **state)
{
    (void)state;
    setenv("KINESD_SEGMENT_BYTES", "65536", 1);
    waiter_reset();
    store *st = store_open(dir, DURABILITY_SYNC, 0, on_durable, NULL);
    unsetenv("KINESD_SEGMENT_BYTES");
    assert_non_null(st);
    shardlog *log = shardlog_open(st, "busy");
    assert_non_null(log);

    uint64_t expect = 0;
    for (int id = 0; id < WRITERS; id++)
        for (int i = 0; i < APPENDS; i++)
            expect += 1 + (uint64_t)(i * 7 + id) % BATCH_MAX;
    writer w[WRITERS];
    reader r[2];
    pthread_t wt[WRITERS], rt[2];
    for (int i = 0; i < 2; i++) {
        r[i] = (reader){.log = log, .expect_total = expect};
        pthread_create(&rt[i], NULL, read_everything, &r[i]);
    }
    for (int id = 0; id < WRITERS; id++) {
        w[id] = (writer){.log = log, .id = id};
        pthread_create(&wt[id], NULL, write_numbered, &w[id]);
    }
    for (int id = 0; id < WRITERS; id++)
        pthread_join(wt[id], NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(rt[i], NULL);
    assert_int_equal(atomic_load(&total_appended), expect);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(r[i].errors, 0);
        assert_int_equal(r[i].next_offset, expect);
        for (int id = 0; id < WRITERS; id++)
            assert_int_equal(r[i].next_seq[id], w[id].records);
    }
    shardlog_close(log);
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tickets_reported_after_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_appenders_and_readers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
