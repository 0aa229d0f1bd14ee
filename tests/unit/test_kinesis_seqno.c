/* test_kinesis_seqno.c - sequence numbers: shape, round trips, ordering, strict parsing and
 * the shard's starting position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kinesis/seqno.h"

static void round_trip(int64_t created, int index, uint64_t offset)
{
    char s[SEQNO_LEN + 1];
    seqno_format(created, index, offset, s);
    assert_int_equal(strlen(s), SEQNO_LEN);
    int64_t c;
    int i;
    uint64_t o;
    assert_true(seqno_parse(s, strlen(s), &c, &i, &o));
    assert_int_equal(c, created);
    assert_int_equal(i, index);
    assert_true(o == offset);
}

static void test_round_trips(void **state)
{
    (void)state;
    round_trip(0, 0, 0);
    round_trip(1764140000123, 7, 42);
    round_trip(INT64_MAX, INT32_MAX, UINT64_MAX);
}

/* Setting the position of a formatted number gives the number formatted with that position. */
static void test_set_position(void **state)
{
    (void)state;
    const uint64_t positions[] = {0, 1, 9, 10, 123456789, UINT64_MAX, 7};
    char seq[SEQNO_LEN + 1], want[SEQNO_LEN + 1];
    seqno_format(1700000000123, 42, 99999, seq);
    for (size_t i = 0; i < sizeof positions / sizeof positions[0]; i++) {
        seqno_set_position(seq, positions[i]);
        seqno_format(1700000000123, 42, positions[i], want);
        assert_string_equal(seq, want);
    }
}

static void test_looks_like_aws(void **state)
{
    (void)state;
    char s[SEQNO_LEN + 1];
    seqno_format(1764140000123, 3, 9, s);
    assert_memory_equal(s, "49", 2);
    for (int i = 0; i < SEQNO_LEN; i++)
        assert_true(s[i] >= '0' && s[i] <= '9');
}

/* a < b both as strings and as the (created, index, offset) triples they encode. */
static void assert_before(int64_t c1, int i1, uint64_t o1, int64_t c2, int i2, uint64_t o2)
{
    char a[SEQNO_LEN + 1], b[SEQNO_LEN + 1];
    seqno_format(c1, i1, o1, a);
    seqno_format(c2, i2, o2, b);
    assert_true(strcmp(a, b) < 0);
}

static void test_ordering(void **state)
{
    (void)state;
    assert_before(1000, 0, 0, 1000, 0, 1);          /* within a shard */
    assert_before(1000, 0, 9, 1000, 0, 10);         /* no lexical surprises at digit rollover */
    assert_before(1000, 0, UINT64_MAX, 1001, 1, 0); /* child after parent, even a full parent */
    assert_before(1000, 0, 5, 1000, 1, 0);          /* same-millisecond child: higher index */
}

static void test_rejects(void **state)
{
    (void)state;
    char s[SEQNO_LEN + 1];
    int64_t c;
    int i;
    uint64_t o;
    seqno_format(5, 1, 2, s);

    assert_false(seqno_parse(s, SEQNO_LEN - 1, &c, &i, &o)); /* too short */
    assert_false(seqno_parse("0", 1, &c, &i, &o));

    char bad[SEQNO_LEN + 1];
    memcpy(bad, s, sizeof(bad));
    bad[0] = '5'; /* another version */
    assert_false(seqno_parse(bad, SEQNO_LEN, &c, &i, &o));

    memcpy(bad, s, sizeof(bad));
    bad[30] = 'x';
    assert_false(seqno_parse(bad, SEQNO_LEN, &c, &i, &o));
    bad[30] = '+'; /* each field is exactly its digits: no sign, no space */
    assert_false(seqno_parse(bad, SEQNO_LEN, &c, &i, &o));
    bad[30] = ' ';
    assert_false(seqno_parse(bad, SEQNO_LEN, &c, &i, &o));

    /* shard index field above INT_MAX */
    memcpy(bad, s, sizeof(bad));
    memcpy(bad + 22, "9999999999", 10);
    assert_false(seqno_parse(bad, SEQNO_LEN, &c, &i, &o));

    /* offset field above 2^64 - 1 */
    memcpy(bad, s, sizeof(bad));
    memcpy(bad + 32, "000018446744073709551616", 24);
    assert_false(seqno_parse(bad, SEQNO_LEN, &c, &i, &o));

    /* created field above INT64_MAX */
    memcpy(bad, s, sizeof(bad));
    memcpy(bad + 2, "09223372036854775808", 20);
    assert_false(seqno_parse(bad, SEQNO_LEN, &c, &i, &o));
}

/* The shard's starting number sorts before its first record's, and reading AFTER it (as a
 * subscription's continuation before any record asks) starts at that first record. */
static void test_shard_start_precedes_its_first_record(void **state)
{
    (void)state;
    char start[SEQNO_LEN + 1], first[SEQNO_LEN + 1];
    seqno_format(1000, 2, SEQNO_SHARD_START, start);
    seqno_format(1000, 2, seqno_record_position(0), first);
    assert_true(strcmp(start, first) < 0);

    int64_t c;
    int i;
    uint64_t pos;
    assert_true(seqno_parse(start, SEQNO_LEN, &c, &i, &pos));
    assert_int_equal(seqno_read_offset(pos, true), 0);
    assert_int_equal(seqno_read_offset(pos, false), 0);
    assert_true(seqno_parse(first, SEQNO_LEN, &c, &i, &pos));
    assert_int_equal(seqno_read_offset(pos, false), 0);
    assert_int_equal(seqno_read_offset(pos, true), 1);
    assert_int_equal(seqno_read_offset(seqno_record_position(41), false), 41);
    assert_int_equal(seqno_read_offset(seqno_record_position(41), true), 42);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_set_position),
        cmocka_unit_test(test_looks_like_aws),
        cmocka_unit_test(test_ordering),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_shard_start_precedes_its_first_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
