/* test_store_recovery.c - opening a shard log after damage: only a torn tail (bytes past the
 * synced end) is cut; damage below it, a truncated or missing segment is refused in strict mode
 * (nothing changed on disk) and quarantined in quarantine mode (files moved aside, the lost range
 * a gap, offsets never reused); reads check every frame's CRC; format 1 frames still read. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "store/crc32c.h"
#include "store/frame.h"
#include "store/le.h"
#include "store/logstate.h"
#include "store/shardlog_impl.h"
#include "store_fixture.h"

#define RECORD 100
#define FRAME (26 + 2 + RECORD) /* frame size of the records below (keys "k0".."k9") */

static store *st;

static int setup_store(void **state)
{
    setup(state);
    setenv("KINESD_SEGMENT_BYTES", "1024", 1);
    st = store_open(dir, DURABILITY_SYNC, 0, on_durable, NULL);
    unsetenv("KINESD_SEGMENT_BYTES");
    return st ? 0 : -1;
}

static int teardown_store(void **state)
{
    store_close(st);
    return teardown(state);
}

/* Appends records first .. first+n-1: key "k<i % 10>", data "r<i>" padded to RECORD bytes. */
static void append_records(shardlog *log, uint64_t first, size_t n)
{
    for (uint64_t i = first; i < first + n; i++) {
        char key[8], data[RECORD + 1];
        snprintf(key, sizeof key, "k%d", (int)(i % 10));
        snprintf(data, sizeof data, "r%-*llu", RECORD - 1, (unsigned long long)i);
        assert_int_equal(append_one(log, key, data, 1, NULL), i);
    }
}

/* A log "s" of n records, closed (so its state file says all of them are synced). */
static void make_log(size_t n)
{
    shardlog *log = shardlog_open(st, "s");
    assert_non_null(log);
    append_records(log, 0, n);
    shardlog_close(log);
}

static void seg_path(uint64_t first, const char *ext, char *out, size_t len)
{
    snprintf(out, len, "%s/s/%020llu.%s", dir, (unsigned long long)first, ext);
}

static void flip_byte(const char *path, off_t at)
{
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    char b;
    assert_int_equal(pread(fd, &b, 1, at), 1);
    b ^= 0x20;
    assert_int_equal(pwrite(fd, &b, 1, at), 1);
    close(fd);
}

static void append_bytes(const char *path, const void *bytes, size_t len)
{
    int fd = open(path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bytes, len), (ssize_t)len);
    close(fd);
}

/* Reads every record and checks each is record i of the expected list. */
static void expect_records(shardlog *log, const uint64_t *want, size_t n)
{
    collected c = {0};
    read_all(log, 0, 1000, &c);
    assert_int_equal(c.n, n);
    for (size_t i = 0; i < n; i++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "k%d=r%llu ", (int)(want[i] % 10),
                 (unsigned long long)want[i]);
        assert_int_equal(c.offsets[i], want[i]);
        assert_memory_equal(c.text[i], prefix, strlen(prefix));
    }
    collected_free(&c);
}

static size_t quarantined_files(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/quarantine/s", dir);
    DIR *d = opendir(path);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* Opening in strict mode fails, names the file, and leaves it as it was. */
static void expect_refused(const char *damaged_file)
{
    struct stat before, after;
    assert_int_equal(stat(damaged_file, &before), 0);
    assert_null(shardlog_open(st, "s"));
    assert_non_null(strstr(store_damage_report(st), damaged_file));
    assert_int_equal(stat(damaged_file, &after), 0);
    assert_int_equal(before.st_size, after.st_size);
    assert_int_equal(quarantined_files(), 0);
}

/* ---- torn tails ---------------------------------------------------------------------------- */

static void test_torn_tail_is_cut(void **state)
{
    (void)state;
    make_log(5);
    char path[128];
    seg_path(0, "log", path, sizeof path);
    char half[FRAME / 2];
    memset(half, 0x5a, sizeof half);
    append_bytes(path, half, sizeof half); /* a write past the synced end, torn */
    shardlog *log = shardlog_open(st, "s");
    assert_non_null(log);
    assert_int_equal(shardlog_committed(log), 5);
    append_records(log, 5, 1);
    expect_records(log, (const uint64_t[]){0, 1, 2, 3, 4, 5}, 6);
    assert_int_equal(quarantined_files(), 0); /* nothing intact was cut */
    shardlog_close(log);
}

static void test_frames_after_a_hole_are_never_reissued(void **state)
{
    (void)state;
    make_log(3);
    char path[128];
    seg_path(0, "log", path, sizeof path);
    /* Past the synced end: a torn frame, then an intact one (offset 7) written before it. */
    char bytes[FRAME * 2];
    memset(bytes, 0, sizeof bytes);
    memset(bytes, 0x33, 40);
    char data[RECORD];
    memset(data, 'z', sizeof data);
    frame_encode(bytes + FRAME, 7, 1, "k7", 2, data, sizeof data);
    append_bytes(path, bytes, sizeof bytes);
    shardlog *log = shardlog_open(st, "s");
    assert_non_null(log);
    assert_int_equal(shardlog_committed(log), 8); /* above the intact frame's offset */
    assert_int_equal(quarantined_files(), 1);     /* the cut bytes, kept */
    append_records(log, 8, 1);
    expect_records(log, (const uint64_t[]){0, 1, 2, 8}, 4);
    shardlog_close(log);
    log = shardlog_open(st, "s"); /* the gap [3, 8) is recorded: no damage */
    assert_non_null(log);
    expect_records(log, (const uint64_t[]){0, 1, 2, 8}, 4);
    shardlog_close(log);
}

/* A power cut while rolling: the new segment's frames reached the disk, the end of the previous
 * one (past the synced end) did not. The log ends where the old segment's frames stop. */
static void test_reordered_roll_is_a_torn_tail(void **state)
{
    (void)state;
    make_log(20); /* segments [0, 8) [8, 16) [16, 20) */
    char dirpath[128], path[128];
    snprintf(dirpath, sizeof dirpath, "%s/s", dir);
    logstate ls;
    assert_int_equal(logstate_read(dirpath, &ls), LOGSTATE_LOADED);
    ls.synced_end = 10;
    assert_int_equal(logstate_write(&ls, dirpath, true), 0);
    logstate_close(&ls);
    seg_path(8, "idx", path, sizeof path);
    assert_int_equal(unlink(path), 0); /* never sealed */
    seg_path(8, "log", path, sizeof path);
    char zeros[2 * FRAME] = {0};
    int fd = open(path, O_WRONLY);
    assert_int_equal(pwrite(fd, zeros, sizeof zeros, 6 * FRAME), (ssize_t)sizeof zeros);
    close(fd);

    shardlog *log = shardlog_open(st, "s"); /* strict: no damage here */
    assert_non_null(log);
    assert_int_equal(shardlog_committed(log), 20); /* above the frames of the torn leftover */
    assert_int_equal(quarantined_files(), 1);
    uint64_t want[14];
    for (uint64_t i = 0; i < 14; i++)
        want[i] = i;
    expect_records(log, want, 14);
    shardlog_close(log);
}

/* ---- damage below the synced end ----------------------------------------------------------- */

static void test_bit_flip_in_last_segment(void **state)
{
    (void)state;
    make_log(6);
    char path[128];
    seg_path(0, "log", path, sizeof path);
    flip_byte(path, 2 * FRAME + 50); /* inside record 2 */
    expect_refused(path);

    store_set_recovery(st, RECOVER_QUARANTINE);
    shardlog *log = shardlog_open(st, "s");
    assert_non_null(log);
    assert_int_equal(quarantined_files(), 1);
    assert_int_equal(shardlog_committed(log), 6); /* 2..5 lost, never reissued */
    append_records(log, 6, 1);
    expect_records(log, (const uint64_t[]){0, 1, 6}, 3);
    shardlog_close(log);
    store_set_recovery(st, RECOVER_STRICT);
    log = shardlog_open(st, "s"); /* recorded: opens in strict mode now */
    assert_non_null(log);
    expect_records(log, (const uint64_t[]){0, 1, 6}, 3);
    shardlog_close(log);
}

/* Segment files of "s", sorted by first offset; returns how many. */
static size_t segment_firsts(uint64_t *out, size_t cap)
{
    char path[128];
    snprintf(path, sizeof path, "%s/s", dir);
    DIR *d = opendir(path);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".log") && n < cap)
            out[n++] = strtoull(e->d_name, NULL, 10);
    closedir(d);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
            uint64_t t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return n;
}

static void test_truncated_sealed_segment_keeps_later_ones(void **state)
{
    (void)state;
    make_log(30); /* 1024-byte segments of 7 records */
    uint64_t firsts[16];
    size_t n = segment_firsts(firsts, 16);
    assert_true(n >= 4);
    char path[128];
    seg_path(firsts[1], "log", path, sizeof path);
    assert_int_equal(truncate(path, FRAME + 10), 0);
    expect_refused(path);

    store_set_recovery(st, RECOVER_QUARANTINE);
    shardlog *log = shardlog_open(st, "s");
    assert_non_null(log);
    assert_int_equal(shardlog_committed(log), 30);
    uint64_t want[30];
    size_t k = 0;
    for (uint64_t i = 0; i < 30; i++)
        if (i < firsts[1] + 1 || i >= firsts[2])
            want[k++] = i;
    expect_records(log, want, k);
    assert_int_equal(segment_firsts(firsts, 16), n); /* no later segment deleted */
    shardlog_close(log);
}

static void test_missing_segments(void **state)
{
    (void)state;
    make_log(30);
    uint64_t firsts[16];
    size_t n = segment_firsts(firsts, 16);
    char path[128];
    seg_path(firsts[2], "log", path, sizeof path);
    assert_int_equal(unlink(path), 0); /* a middle one */
    assert_null(shardlog_open(st, "s"));
    assert_non_null(strstr(store_damage_report(st), "missing"));
    seg_path(firsts[0], "log", path, sizeof path);
    assert_int_equal(unlink(path), 0); /* and the first */
    assert_null(shardlog_open(st, "s"));

    store_set_recovery(st, RECOVER_QUARANTINE);
    shardlog *log = shardlog_open(st, "s");
    assert_non_null(log);
    assert_int_equal(shardlog_trim_horizon(log), firsts[1]);
    assert_int_equal(shardlog_committed(log), 30);
    collected c = {0};
    read_all(log, 0, 1000, &c);
    assert_int_equal(c.n, 30 - firsts[1] - (firsts[3] - firsts[2]));
    collected_free(&c);
    assert_int_equal(segment_firsts(firsts, 16), n - 2);
    shardlog_close(log);
}

static void test_damaged_index_is_rebuilt(void **state)
{
    (void)state;
    make_log(20);
    uint64_t firsts[16];
    segment_firsts(firsts, 16);
    char path[128];
    seg_path(firsts[0], "idx", path, sizeof path);
    flip_byte(path, 30);
    shardlog *log = shardlog_open(st, "s");
    assert_non_null(log);
    assert_int_equal(shardlog_committed(log), 20);
    collected c = {0};
    read_all(log, 0, 1000, &c);
    assert_int_equal(c.n, 20);
    collected_free(&c);
    shardlog_close(log);
}

/* ---- reads --------------------------------------------------------------------------------- */

static bool count_visit(const log_record *rec, void *arg)
{
    (void)rec;
    ++*(size_t *)arg;
    return true;
}

static void test_read_checks_crc(void **state)
{
    (void)state;
    make_log(20);
    uint64_t firsts[16];
    segment_firsts(firsts, 16);
    char path[128];
    seg_path(firsts[0], "log", path, sizeof path);
    flip_byte(path, FRAME + 60); /* record 1 of a sealed segment: not scanned at open */
    shardlog *log = shardlog_open(st, "s");
    assert_non_null(log);
    size_t seen = 0;
    uint64_t next;
    assert_int_equal(shardlog_read(log, 0, 100, SIZE_MAX, count_visit, &seen, &next), -1);
    assert_int_equal(seen, 1); /* record 0 only: the damaged one is never served */
    shardlog_close(log);
}

static void test_format1_frames_still_read(void **state)
{
    (void)state;
    /* A segment as kinesd wrote it before CRC-32C: zlib crc32 over the bytes after the CRC. */
    char path[128];
    snprintf(path, sizeof path, "%s/s", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    char frames[2 * FRAME];
    char data[RECORD + 1];
    for (int i = 0; i < 2; i++) {
        char *f = frames + i * FRAME;
        snprintf(data, sizeof data, "r%-*d", RECORD - 1, i);
        frame_encode(f, (uint64_t)i, 1, i ? "k1" : "k0", 2, data, RECORD);
        le_put32(f, FRAME);
        le_put32(f + 4, (uint32_t)crc32(0, (const unsigned char *)f + 8, FRAME - 8));
    }
    seg_path(0, "log", path, sizeof path);
    int fd = open(path, O_CREAT | O_WRONLY, 0644);
    assert_int_equal(write(fd, frames, sizeof frames), (ssize_t)sizeof frames);
    close(fd);
    shardlog *log = shardlog_open(st, "s");
    assert_non_null(log);
    append_records(log, 2, 1); /* a format 2 frame after them */
    expect_records(log, (const uint64_t[]){0, 1, 2}, 3);
    shardlog_close(log);
}

/* More gaps than the state file holds: the closest ones merge, every recorded range stays covered.
 */
static void test_gap_table_merges_when_full(void **state)
{
    (void)state;
    logstate ls = {.fd = -1};
    for (uint64_t i = 0; i < 3 * LOGSTATE_MAX_GAPS; i++)
        logstate_add_gap(&ls, i * 100 + (i % 7), i * 100 + 50);
    assert_int_equal(ls.ngaps, LOGSTATE_MAX_GAPS);
    for (size_t i = 0; i + 1 < ls.ngaps; i++)
        assert_true(ls.gaps[i].to < ls.gaps[i + 1].from);
    for (uint64_t i = 0; i < 3 * LOGSTATE_MAX_GAPS; i++)
        assert_true(logstate_has_gap(&ls, i * 100 + (i % 7), i * 100 + 50));
    assert_false(logstate_has_gap(&ls, 0, 3 * LOGSTATE_MAX_GAPS * 100));
}

static void test_crc32c_values(void **state)
{
    (void)state;
    assert_int_equal(crc32c(0, "123456789", 9), 0xe3069283);
    assert_int_equal(crc32c_portable(0, "123456789", 9), 0xe3069283);
    char buf[1000];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)(i * 7);
    for (size_t len = 0; len < sizeof buf; len += 37)
        assert_int_equal(crc32c(0, buf, len), crc32c_portable(0, buf, len));
    assert_int_equal(crc32c(crc32c(0, buf, 10), buf + 10, 90), crc32c(0, buf, 100));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_torn_tail_is_cut, setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(test_frames_after_a_hole_are_never_reissued, setup_store,
                                        teardown_store),
        cmocka_unit_test_setup_teardown(test_reordered_roll_is_a_torn_tail, setup_store,
                                        teardown_store),
        cmocka_unit_test_setup_teardown(test_bit_flip_in_last_segment, setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(test_truncated_sealed_segment_keeps_later_ones, setup_store,
                                        teardown_store),
        cmocka_unit_test_setup_teardown(test_missing_segments, setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(test_damaged_index_is_rebuilt, setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(test_read_checks_crc, setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(test_format1_frames_still_read, setup_store,
                                        teardown_store),
        cmocka_unit_test(test_gap_table_merges_when_full),
        cmocka_unit_test(test_crc32c_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
