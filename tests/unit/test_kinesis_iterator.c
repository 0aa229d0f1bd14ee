/* test_kinesis_iterator.c - shard iterators: round trip, key persistence, tampering, expiry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "kinesis/iterator.h"

#define NOW 1764140000000LL

static char dir[64];
static char why[512]; /* iterator_init's reason for a failure */

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/kinesd-iter-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return iterator_init(dir, why, sizeof(why));
}

static int remove_dir(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/iterator.key", dir);
    unlink(path);
    rmdir(dir);
    return 0;
}

static shard_iterator sample(void)
{
    shard_iterator it = {
        .stream_uid = 0x0123456789abcdefULL, .shard_index = 7, .offset = 1234567, .issued_ms = NOW};
    strcpy(it.stream_name, "orders");
    return it;
}

static bool decode(const char *s, int64_t now, shard_iterator *it, aws_error *err)
{
    aws_error_init(err);
    return iterator_decode(s, strlen(s), now, it, err);
}

static void test_round_trip(void **state)
{
    (void)state;
    shard_iterator in = sample(), out;
    char text[ITERATOR_MAX_LEN + 1];
    size_t n = iterator_encode(&in, text);
    assert_int_equal(n, strlen(text));
    aws_error err;
    assert_true(decode(text, NOW + 1000, &out, &err));
    assert_true(out.stream_uid == in.stream_uid);
    assert_int_equal(out.shard_index, 7);
    assert_true(out.offset == 1234567);
    assert_int_equal(out.issued_ms, NOW);
    assert_string_equal(out.stream_name, "orders");
    aws_error_free(&err);
}

static void test_longest_name_fits(void **state)
{
    (void)state;
    shard_iterator in = sample(), out;
    memset(in.stream_name, 'n', ITERATOR_NAME_MAX);
    in.stream_name[ITERATOR_NAME_MAX] = '\0';
    char text[ITERATOR_MAX_LEN + 1];
    assert_int_equal(iterator_encode(&in, text), ITERATOR_MAX_LEN);
    aws_error err;
    assert_true(decode(text, NOW, &out, &err));
    assert_string_equal(out.stream_name, in.stream_name);
    aws_error_free(&err);
}

static void test_key_file(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/iterator.key", dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 32);
}

static void assert_invalid(const char *text)
{
    shard_iterator out;
    aws_error err;
    assert_false(decode(text, NOW, &out, &err));
    assert_string_equal(err.type, "InvalidArgumentException");
    assert_string_equal(err.message.data, "Invalid ShardIterator.");
    assert_int_equal(err.status, 400);
    aws_error_free(&err);
}

static void test_tampered_and_garbage(void **state)
{
    (void)state;
    shard_iterator in = sample();
    char text[ITERATOR_MAX_LEN + 1];
    size_t n = iterator_encode(&in, text);
    for (size_t i = 0; i < n; i++) {
        char copy[ITERATOR_MAX_LEN + 1];
        memcpy(copy, text, n + 1);
        if (copy[i] == '=')
            continue;
        copy[i] = copy[i] == 'A' ? 'B' : 'A';
        assert_invalid(copy);
    }
    text[n - 4] = '\0'; /* truncated */
    assert_invalid(text);
    assert_invalid("");
    assert_invalid("not base64!");
    assert_invalid("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
}

static void test_expiry(void **state)
{
    (void)state;
    shard_iterator in = sample(), out;
    in.issued_ms = 1449712779000LL; /* Thu Dec 10 01:59:39 UTC 2015 */
    char text[ITERATOR_MAX_LEN + 1];
    iterator_encode(&in, text);
    aws_error err;
    assert_true(decode(text, in.issued_ms + ITERATOR_TTL_MS, &out, &err));
    aws_error_free(&err);
    assert_false(decode(text, 1449713175000LL, &out, &err));
    assert_string_equal(err.type, "ExpiredIteratorException");
    assert_string_equal(err.message.data,
                        "Iterator expired. The iterator was created at time Thu Dec 10 01:59:39 "
                        "UTC 2015 while right now it is Thu Dec 10 02:06:15 UTC 2015 which is "
                        "further in the future than the tolerated delay of 300000 milliseconds.");
    aws_error_free(&err);
}

/* Issue times at the ends of int64 (an iterator signed by a key that a foreign or damaged server
 * wrote): expired or not, never an overflowed subtraction (UBSan aborts the ASan build on one). */
static void test_expiry_at_the_extremes(void **state)
{
    (void)state;
    shard_iterator in = sample(), out;
    char text[ITERATOR_MAX_LEN + 1];
    aws_error err;
    in.issued_ms = INT64_MIN;
    iterator_encode(&in, text);
    assert_false(decode(text, NOW, &out, &err));
    assert_string_equal(err.type, "ExpiredIteratorException");
    aws_error_free(&err);
    in.issued_ms = INT64_MAX; /* from the future: not expired */
    iterator_encode(&in, text);
    assert_true(decode(text, NOW, &out, &err));
    aws_error_free(&err);
}

/* The key survives a restart (same directory); another data directory has another key. */
static void test_key_persists(void **state)
{
    (void)state;
    shard_iterator in = sample(), out;
    char text[ITERATOR_MAX_LEN + 1];
    iterator_encode(&in, text);
    aws_error err;

    assert_int_equal(iterator_init(dir, why, sizeof(why)), 0);
    assert_true(decode(text, NOW, &out, &err));
    aws_error_free(&err);

    char other[64] = "/tmp/kinesd-iter-XXXXXX";
    assert_non_null(mkdtemp(other));
    assert_int_equal(iterator_init(other, why, sizeof(why)), 0);
    assert_invalid(text);
    char path[128];
    snprintf(path, sizeof(path), "%s/iterator.key", other);
    unlink(path);
    rmdir(other);
    assert_int_equal(iterator_init(dir, why, sizeof(why)), 0);
}

static void test_bad_key_file(void **state)
{
    (void)state;
    char other[64] = "/tmp/kinesd-iter-XXXXXX";
    assert_non_null(mkdtemp(other));
    char path[128];
    snprintf(path, sizeof(path), "%s/iterator.key", other);
    FILE *f = fopen(path, "w");
    fputs("short", f);
    fclose(f);
    assert_int_equal(iterator_init(other, why, sizeof(why)), -1);
    assert_non_null(strstr(why, path)); /* the reason names the file, not "the metadata" */
    assert_non_null(strstr(why, "is not the 32 bytes"));
    unlink(path);
    rmdir(other);
    assert_int_equal(iterator_init(dir, why, sizeof(why)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),   cmocka_unit_test(test_longest_name_fits),
        cmocka_unit_test(test_key_file),     cmocka_unit_test(test_tampered_and_garbage),
        cmocka_unit_test(test_expiry),       cmocka_unit_test(test_key_persists),
        cmocka_unit_test(test_bad_key_file), cmocka_unit_test(test_expiry_at_the_extremes),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
