/* test_client_aggregation.c - KPL aggregated records: encoding byte-for-byte as aws-kinesis-agg
 * does, decoding its output, round trips, and rejection of damaged aggregates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/base64.h"
#include "kines/aggregation.h"

/* Computed once with aws-kinesis-agg 4.2.8 (tests/js):
 *   printf '{"partitionKey":"k1","data":"aGVsbG8="}\n{"partitionKey":"k2","data":"d29ybGQ="}\n' \
 *     | node tests/js/kpl_agg.js aggregate */
static const char npm_aggregate_b64[] =
    "84mawgoCazEKAmsyGgkIABoFaGVsbG8aCQgBGgV3b3JsZMSyNMEhZQ9FEtIr9n3KneI=";

static unsigned char *decode_b64(const char *s, size_t *len)
{
    unsigned char *out = malloc(strlen(s));
    assert_true(base64_decode(s, strlen(s), out, len));
    return out;
}

static void test_encoding_matches_aws_kinesis_agg(void **state)
{
    (void)state;
    const kines_put_entry records[] = {{"hello", 5, "k1", NULL}, {"world", 5, "k2", NULL}};
    unsigned char *agg;
    size_t agg_len, expected_len;
    kines_agg_encode(records, 2, &agg, &agg_len);
    unsigned char *expected = decode_b64(npm_aggregate_b64, &expected_len);
    assert_int_equal(agg_len, expected_len);
    assert_memory_equal(agg, expected, agg_len);
    free(agg);
    free(expected);
}

static void test_decoding_aws_kinesis_agg_output(void **state)
{
    (void)state;
    size_t len;
    unsigned char *data = decode_b64(npm_aggregate_b64, &len);
    kines_user_record *users;
    assert_int_equal(kines_agg_decode(data, len, &users), 2);
    assert_int_equal(users[0].partition_key_len, 2);
    assert_memory_equal(users[0].partition_key, "k1", 2);
    assert_int_equal(users[0].len, 5);
    assert_memory_equal(users[0].data, "hello", 5);
    assert_memory_equal(users[1].partition_key, "k2", 2);
    assert_memory_equal(users[1].data, "world", 5);
    assert_null(users[1].explicit_hash_key);
    free(users);
    free(data);
}

static void test_round_trip(void **state)
{
    (void)state;
    enum { N = 300 };
    kines_put_entry records[N];
    char keys[N][16];
    unsigned char *big = calloc(1, 70000);
    for (int i = 0; i < N; i++) {
        snprintf(keys[i], sizeof keys[i], "key-%d", i % 7);
        records[i] = (kines_put_entry){big + i, (size_t)(i * 13 % 300), keys[i],
                                       i % 5 == 0 ? "12345678901234567890" : NULL};
    }
    records[1].len = 0;         /* empty data */
    records[2].len = 70000 - 2; /* a multi-byte length varint */
    unsigned char *agg;
    size_t agg_len;
    kines_agg_encode(records, N, &agg, &agg_len);
    assert_true(kines_agg_is_aggregated(agg, agg_len));
    kines_user_record *users;
    assert_int_equal(kines_agg_decode(agg, agg_len, &users), N);
    for (int i = 0; i < N; i++) {
        assert_int_equal(users[i].partition_key_len, strlen(keys[i]));
        assert_memory_equal(users[i].partition_key, keys[i], strlen(keys[i]));
        assert_int_equal(users[i].len, records[i].len);
        if (records[i].len)
            assert_memory_equal(users[i].data, records[i].data, records[i].len);
        if (records[i].explicit_hash_key)
            assert_memory_equal(users[i].explicit_hash_key, "12345678901234567890", 20);
        else
            assert_null(users[i].explicit_hash_key);
    }
    free(users);
    free(agg);
    free(big);
}

static void test_damaged_aggregates_are_rejected(void **state)
{
    (void)state;
    const kines_put_entry records[] = {{"hello", 5, "k1", NULL}, {"world", 5, "k2", NULL}};
    unsigned char *agg;
    size_t agg_len;
    kines_agg_encode(records, 2, &agg, &agg_len);
    kines_user_record *users;

    agg[10] ^= 1; /* the MD5 no longer matches */
    assert_false(kines_agg_is_aggregated(agg, agg_len));
    assert_int_equal(kines_agg_decode(agg, agg_len, &users), -1);
    agg[10] ^= 1;
    assert_int_equal(kines_agg_decode(agg, agg_len - 1, &users), -1); /* truncated */
    assert_int_equal(kines_agg_decode((const unsigned char *)"plain data", 10, &users), -1);
    assert_int_equal(kines_agg_decode(agg, 3, &users), -1);
    free(agg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encoding_matches_aws_kinesis_agg),
        cmocka_unit_test(test_decoding_aws_kinesis_agg_output),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_damaged_aggregates_are_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
