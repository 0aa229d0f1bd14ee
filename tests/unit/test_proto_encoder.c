/* test_proto_encoder.c - response bodies: JSON escaping (at every position), blobs, timestamps,
 * nesting, error bodies, the CBOR forms, and a GetRecords-sized timing loop (printed, not
 * asserted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "protocol/encoder.h"

static void writes_nested_json_with_commas(void **state)
{
    (void)state;
    kbuf out = KBUF_INIT;
    kenc e;
    enc_init(&e, ENC_JSON, &out);
    enc_map_begin(&e);
    enc_key(&e, "A");
    enc_int(&e, -42);
    enc_key(&e, "B");
    enc_list_begin(&e);
    enc_str(&e, "x");
    enc_map_begin(&e);
    enc_map_end(&e);
    enc_list_begin(&e);
    enc_list_end(&e);
    enc_bool(&e, true);
    enc_null(&e);
    enc_list_end(&e);
    enc_key(&e, "C");
    enc_double(&e, 0.1);
    enc_key(&e, "D");
    enc_bool(&e, false);
    enc_map_end(&e);
    assert_string_equal(out.data,
                        "{\"A\":-42,\"B\":[\"x\",{},[],true,null],\"C\":0.1,\"D\":false}");
    assert_int_equal(e.depth, 0);
    kbuf_free(&out);
}

static void escapes_strings_and_passes_utf8_through(void **state)
{
    (void)state;
    kbuf out = KBUF_INIT;
    kenc e;
    enc_init(&e, ENC_JSON, &out);
    enc_strn(&e, "a\"b\\c\n\r\t\x01\x1f\x7f \xc3\xa9\0z", 16);
    assert_string_equal(out.data, "\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u001f\x7f \xc3\xa9\\u0000z\"");
    kbuf_free(&out);
}

/* Strings are scanned 16, then 8 bytes at a time, then byte by byte: a byte to escape (or a
 * UTF-8 one to pass through) is found at every position of strings of every length up to 40. */
static void escapes_at_every_position(void **state)
{
    (void)state;
    static const char *const cases[][2] = {{"\"", "\\\""}, {"\n", "\\n"}, {"\xc3", "\xc3"}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (size_t len = 1; len <= 40; len++)
            for (size_t at = 0; at < len; at++) {
                char in[41], expected[48];
                memset(in, 'a', len);
                in[at] = cases[c][0][0];
                snprintf(expected, sizeof expected, "\"%.*s%s%.*s\"", (int)at, in, cases[c][1],
                         (int)(len - at - 1), in + at + 1);
                kbuf out = KBUF_INIT;
                kenc e;
                enc_init(&e, ENC_JSON, &out);
                enc_strn(&e, in, len);
                assert_string_equal(out.data, expected);
                kbuf_free(&out);
            }
}

static void writes_blobs_timestamps_and_extreme_ints(void **state)
{
    (void)state;
    kbuf out = KBUF_INIT;
    kenc e;
    enc_init(&e, ENC_JSON, &out);
    enc_list_begin(&e);
    enc_blob(&e, "hello", 5);
    enc_blob(&e, "", 0);
    enc_timestamp_ms(&e, 1700000000123LL);
    enc_timestamp_ms(&e, 5);
    enc_timestamp_ms(&e, -1);
    enc_int(&e, INT64_MIN);
    enc_int(&e, INT64_MAX);
    enc_int(&e, 0);
    enc_list_end(&e);
    assert_string_equal(out.data, "[\"aGVsbG8=\",\"\",1700000000.123,0.005,-0.001,"
                                  "-9223372036854775808,9223372036854775807,0]");
    kbuf_free(&out);
}

static void writes_error_bodies(void **state)
{
    (void)state;
    kbuf out = KBUF_INIT;
    const char *not_found = "Stream \"s\" not found.";
    enc_error(ENC_JSON, &out, "ResourceNotFoundException", not_found, strlen(not_found));
    assert_string_equal(out.data,
                        "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Stream \\\"s\\\" "
                        "not found.\"}");
    kbuf_reset(&out);
    enc_error(ENC_JSON, &out, "SerializationException", "", 0);
    assert_string_equal(out.data, "{\"__type\":\"SerializationException\"}");
    kbuf_reset(&out);
    enc_error(ENC_JSON, &out, "SerializationException", "Expected null", 13);
    assert_string_equal(out.data,
                        "{\"__type\":\"SerializationException\",\"Message\":\"Expected null\"}");
    kbuf_reset(&out);
    enc_error(ENC_JSON, &out, "ValidationException", "a\0b", 3); /* a quoted NUL is kept */
    assert_string_equal(out.data, "{\"__type\":\"ValidationException\",\"message\":\"a\\u0000b\"}");
    kbuf_reset(&out);
    enc_error(ENC_CBOR, &out, "X", "m", 1);
    const unsigned char want[] = {0xbf, 0x66, '_', '_', 't', 'y', 'p', 'e',  0x61, 'X', 0x67,
                                  'm',  'e',  's', 's', 'a', 'g', 'e', 0x61, 'm',  0xff};
    assert_int_equal(out.len, sizeof want);
    assert_memory_equal(out.data, want, sizeof want);
    kbuf_free(&out);
}

static void writes_cbor_scalars(void **state)
{
    (void)state;
    kbuf out = KBUF_INIT;
    kenc e;
    enc_init(&e, ENC_CBOR, &out);
    enc_list_begin(&e);
    enc_int(&e, 23);
    enc_int(&e, 24);
    enc_int(&e, 1000);
    enc_int(&e, -1);
    enc_int(&e, -500);
    enc_int(&e, 4294967296LL);
    enc_bool(&e, true);
    enc_null(&e);
    enc_blob(&e, "ab", 2);
    enc_timestamp_ms(&e, 1700000000123LL);
    enc_double(&e, 1.5);
    enc_list_end(&e);
    const unsigned char want[] = {
        0x9f, 0x17, 0x18, 0x18, 0x19, 0x03, 0xe8, 0x20, 0x39, 0x01, 0xf3, /* ints */
        0x1b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,             /* 2^32 */
        0xf5, 0xf6, 0x42, 'a',  'b',                                      /* true null h'6162' */
        0xc1, 0x1b, 0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b,       /* 1(1700000000123) */
        0xfb, 0x3f, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,             /* 1.5 */
        0xff};
    assert_int_equal(out.len, sizeof want);
    assert_memory_equal(out.data, want, sizeof want);
    kbuf_free(&out);
}

/* A GetRecords response of 10,000 records of 100 bytes: printed, not asserted. */
static void times_a_large_get_records(void **state)
{
    (void)state;
    unsigned char data[100];
    memset(data, 0xa5, sizeof data);
    kbuf out = KBUF_INIT;
    int rounds = 20;
    int64_t start = clock_mono_ns();
    for (int r = 0; r < rounds; r++) {
        kenc e;
        kbuf_reset(&out);
        enc_init(&e, ENC_JSON, &out);
        enc_map_begin(&e);
        enc_key(&e, "Records");
        enc_list_begin(&e);
        for (int i = 0; i < 10000; i++) {
            enc_map_begin(&e);
            enc_key(&e, "SequenceNumber");
            enc_str(&e, "49590338271490256608559692538361571095921575989136588898");
            enc_key(&e, "ApproximateArrivalTimestamp");
            enc_timestamp_ms(&e, 1700000000123LL + i);
            enc_key(&e, "Data");
            enc_blob(&e, data, sizeof data);
            enc_key(&e, "PartitionKey");
            enc_str(&e, "partition-key-0001");
            enc_map_end(&e);
        }
        enc_list_end(&e);
        enc_key(&e, "MillisBehindLatest");
        enc_int(&e, 0);
        enc_map_end(&e);
    }
    double us = (double)(clock_mono_ns() - start) / rounds / 1000.0;
    printf("encoder: GetRecords of 10000 x 100-byte records (%zu bytes): %.0f us\n", out.len, us);
    assert_int_equal(out.data[out.len - 1], '}');
    kbuf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_nested_json_with_commas),
        cmocka_unit_test(escapes_strings_and_passes_utf8_through),
        cmocka_unit_test(escapes_at_every_position),
        cmocka_unit_test(writes_blobs_timestamps_and_extreme_ints),
        cmocka_unit_test(writes_error_bodies),
        cmocka_unit_test(writes_cbor_scalars),
        cmocka_unit_test(times_a_large_get_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
