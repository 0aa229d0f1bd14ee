/* test_store_seal.c - sealed (encrypted) runs in shard logs: round trips mixed with plain
 * records, reads that start or stop inside a run, runs split at the count limit, no plain text
 * in the files, reopening (with and without the key), and a changed byte never served. */
#include <fcntl.h>
#include <unistd.h>

#include "store/frame.h"
#include "store/seal.h"
#include "store_fixture.h"

#define MARKER "secret-marker-7f3a"
#define KEY_ID 0x1234abcdULL

static store *st;
static const unsigned char secret[STORE_KEY_LEN] = "0123456789abcdef0123456789abcde";

/* Opens the store on the test's directory (closing it first if open), with the key or not. */
static void open_store(bool with_key)
{
    if (st)
        store_close(st);
    waiter_reset();
    st = store_open(dir, DURABILITY_SYNC, 0, on_durable, NULL);
    assert_non_null(st);
    if (with_key)
        store_add_key(st, KEY_ID, secret);
}

static int close_store(void **state)
{
    if (st)
        store_close(st);
    st = NULL;
    return teardown(state);
}

/* Appends n records "k<first+i>" = MARKER "-<first+i>" as one run; returns its first offset. */
static uint64_t append_run(shardlog *log, const store_key *key, size_t first, size_t n)
{
    log_record_in *recs = calloc(n, sizeof *recs);
    char(*keys)[16] = calloc(n, 16), (*data)[48] = calloc(n, 48);
    assert_true(recs && keys && data);
    for (size_t i = 0; i < n; i++) {
        snprintf(keys[i], 16, "k%zu", first + i);
        snprintf(data[i], 48, MARKER "-%zu", first + i);
        recs[i] = (log_record_in){keys[i], strlen(keys[i]), data[i], strlen(data[i])};
    }
    uint64_t offset, ticket;
    int64_t arrival;
    assert_int_equal(shardlog_append_sealed(log, key, recs, n, 1000, &offset, &arrival, &ticket),
                     0);
    assert_true(wait_durable(ticket));
    free(recs);
    free(keys);
    free(data);
    return offset;
}

typedef struct seen {
    size_t n;
    uint64_t first, last;
    size_t sealed;
    bool in_order, texts_ok;
} seen;

static bool check_visit(const log_record *rec, void *arg)
{
    seen *s = arg;
    char want[48];
    snprintf(want, sizeof want, MARKER "-%llu", (unsigned long long)rec->offset);
    if (!s->n)
        s->first = rec->offset;
    else if (rec->offset != s->last + 1)
        s->in_order = false;
    s->texts_ok &= rec->data_len == strlen(want) && memcmp(rec->data, want, rec->data_len) == 0;
    s->last = rec->offset;
    s->sealed += rec->sealed;
    s->n++;
    return true;
}

/* Reads from `from` to the end in calls of per_call records. */
static seen read_from(shardlog *log, uint64_t from, size_t per_call)
{
    seen s = {.in_order = true, .texts_ok = true};
    uint64_t next = from;
    for (;;) {
        size_t before = s.n;
        assert_int_equal(shardlog_read(log, next, per_call, SIZE_MAX, check_visit, &s, &next), 0);
        if (s.n == before)
            break;
    }
    return s;
}

/* A read from the start fails and visits nothing; closes the log. */
static void assert_read_refused(shardlog *log)
{
    uint64_t next;
    seen s = {.in_order = true, .texts_ok = true};
    assert_int_equal(shardlog_read(log, 0, 10, SIZE_MAX, check_visit, &s, &next), -1);
    assert_int_equal(s.n, 0);
    shardlog_close(log);
}

/* True when some file under dir holds `needle`. */
static bool files_hold(const char *needle)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "grep -rqa '%s' '%s'", needle, dir);
    return system(cmd) == 0;
}

/* ---- tests ---- */

static void test_sealed_round_trip(void **state)
{
    (void)state;
    open_store(false);
    const store_key *key = store_add_key(st, KEY_ID, secret);
    assert_ptr_equal(store_add_key(st, KEY_ID, secret), key);
    shardlog *log = shardlog_open(st, "streams/1/0");
    assert_non_null(log);
    assert_int_equal(append_run(log, NULL, 0, 3), 0);  /* plain 0-2 */
    assert_int_equal(append_run(log, key, 3, 500), 3); /* sealed 3-502 */
    assert_int_equal(append_run(log, NULL, 503, 2), 503);
    assert_int_equal(append_run(log, key, 505, 1), 505);
    assert_int_equal(shardlog_committed(log), 506);

    seen all = read_from(log, 0, 10000);
    assert_int_equal(all.n, 506);
    assert_true(all.in_order && all.texts_ok);
    assert_int_equal(all.sealed, 501);

    seen middle = read_from(log, 250, 7); /* starts inside a run, stops inside it */
    assert_int_equal(middle.first, 250);
    assert_int_equal(middle.n, 256);
    assert_true(middle.in_order && middle.texts_ok);

    uint64_t next;
    seen one = {.in_order = true, .texts_ok = true};
    assert_int_equal(shardlog_read(log, 4, 1, SIZE_MAX, check_visit, &one, &next), 0);
    assert_int_equal(one.n, 1);
    assert_int_equal(next, 5);
    assert_int_equal(shardlog_offset_at_time(log, 1000), 0);
    shardlog_close(log);
}

static void test_long_run_is_split(void **state)
{
    (void)state;
    open_store(false);
    const store_key *key = store_add_key(st, KEY_ID, secret);
    shardlog *log = shardlog_open(st, "streams/1/0");
    size_t n = FRAME_SEALED_MAX_COUNT + 10;
    assert_int_equal(append_run(log, key, 0, n), 0);
    seen all = read_from(log, FRAME_SEALED_MAX_COUNT - 3, 10000);
    assert_int_equal(all.n, 13);
    assert_true(all.in_order && all.texts_ok);
    shardlog_close(log);
    open_store(true);
    log = shardlog_open(st, "streams/1/0");
    assert_int_equal(shardlog_committed(log), n);
    shardlog_close(log);
}

static void test_no_plain_text_and_reopen(void **state)
{
    (void)state;
    open_store(false);
    const store_key *key = store_add_key(st, KEY_ID, secret);
    shardlog *log = shardlog_open(st, "streams/1/0");
    append_run(log, key, 0, 50);
    shardlog_close(log);
    assert_false(files_hold(MARKER));

    open_store(false); /* the key not given back: the records are not served */
    log = shardlog_open(st, "streams/1/0");
    assert_non_null(log);
    assert_int_equal(shardlog_committed(log), 50); /* recovery needs no key */
    assert_read_refused(log);

    open_store(true);
    log = shardlog_open(st, "streams/1/0");
    seen all = read_from(log, 0, 100);
    assert_int_equal(all.n, 50);
    assert_true(all.in_order && all.texts_ok);
    shardlog_close(log);
}

/* A byte of ciphertext changed, and the CRC made to match: GCM's tag refuses it. */
static void test_changed_byte_is_not_served(void **state)
{
    (void)state;
    open_store(false);
    const store_key *key = store_add_key(st, KEY_ID, secret);
    shardlog *log = shardlog_open(st, "streams/1/0");
    append_run(log, key, 0, 20);
    shardlog_close(log);

    char path[128];
    snprintf(path, sizeof path, "%s/streams/1/0/%020d.log", dir, 0);
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    char head[FRAME_HEADER];
    assert_int_equal(pread(fd, head, sizeof head, 0), (ssize_t)sizeof head);
    frame_view f;
    assert_int_equal(frame_decode(head, sizeof head, &f), FRAME_SHORT);
    char *frame = malloc(f.len);
    assert_int_equal(pread(fd, frame, f.len, 0), (ssize_t)f.len);
    assert_int_equal(frame_decode(frame, f.len, &f), FRAME_OK);
    assert_true(f.sealed);
    assert_int_equal(f.count, 20);
    frame[FRAME_SEALED_HEADER + 5] ^= 1;
    frame_put_crc(frame, f.len);
    assert_int_equal(pwrite(fd, frame, f.len, 0), (ssize_t)f.len);
    close(fd);
    free(frame);

    open_store(true);
    log = shardlog_open(st, "streams/1/0");
    assert_non_null(log);
    assert_read_refused(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sealed_round_trip, setup, close_store),
        cmocka_unit_test_setup_teardown(test_long_run_is_split, setup, close_store),
        cmocka_unit_test_setup_teardown(test_no_plain_text_and_reopen, setup, close_store),
        cmocka_unit_test_setup_teardown(test_changed_byte_is_not_served, setup, close_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
