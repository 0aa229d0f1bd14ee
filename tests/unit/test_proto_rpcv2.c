/* test_proto_rpcv2.c - what Smithy RPC v2 CBOR (CloudWatch's protocol for botocore) needs beyond
 * CBOR 1.1: timestamps in epoch seconds, integer or float, both ways; and request bodies sent
 * gzipped (Content-Encoding: gzip), inflated within a bound. */
#include <zlib.h>

#include "proto_fixture.h"
#include "protocol/encoder.h"
#include "protocol/gzip.h"

static const model_op *get_metric_statistics(void)
{
    return model_find_op(model_get(MODEL_CLOUDWATCH), "GetMetricStatistics");
}

/* {"StartTime": tag 1 <start>, "EndTime": tag 1 <end as a double>} */
static void timestamps_are_seconds(void **state)
{
    (void)state;
    static const unsigned char body[] = {
        0xa2, 0x69, 'S',  't',  'a',  'r',  't',  'T',  'i',
        'm',  'e',  0xc1, 0x1a, 0x6b, 0x49, 0xd2, 0x00, /* 1800000000 */
        0x67, 'E',  'n',  'd',  'T',  'i',  'm',  'e',  0xc1,
        0xfb, 0x41, 0xda, 0xd2, 0x74, 0x80, 0x20, 0x00, 0x00, /* 1800000000.5 */
    };
    const kval *in = decode_cbor_rpcv2(get_metric_statistics(), body, sizeof body, &A, &E);
    assert_non_null(in);
    assert_int_equal(kv_get(in, "StartTime")->u.i, 1800000000000LL);
    assert_int_equal(kv_get(in, "EndTime")->u.i, 1800000000500LL);
    in = decode_cbor(get_metric_statistics(), body, sizeof body, &A, &E); /* CBOR 1.1: ms */
    assert_int_equal(kv_get(in, "StartTime")->u.i, 1800000000LL);
}

static void timestamps_are_written_in_seconds(void **state)
{
    (void)state;
    kbuf out = KBUF_INIT;
    kenc e;
    enc_init(&e, ENC_CBOR, &out);
    e.epoch_seconds = true;
    enc_list_begin(&e);
    enc_timestamp_ms(&e, 1800000000000LL);
    enc_timestamp_ms(&e, 1800000000500LL);
    enc_list_end(&e);
    static const unsigned char want[] = {0x9f, 0xc1, 0x1a, 0x6b, 0x49, 0xd2, 0x00, 0xc1, 0xfb,
                                         0x41, 0xda, 0xd2, 0x74, 0x80, 0x20, 0x00, 0x00, 0xff};
    assert_int_equal(out.len, sizeof want);
    assert_memory_equal(out.data, want, sizeof want);
    kbuf_free(&out);
}

static size_t gzip_of(const char *text, unsigned char *out, size_t cap)
{
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, MAX_WBITS + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)text;
    z.avail_in = (uInt)strlen(text);
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = cap - z.avail_out;
    deflateEnd(&z);
    return n;
}

static void gzip_bodies(void **state)
{
    (void)state;
    const char *text = "{\"Namespace\":\"MyApp\",\"MetricData\":[]}";
    unsigned char gz[256];
    size_t n = gzip_of(text, gz, sizeof gz);
    const char *out;
    size_t out_len;
    assert_true(gzip_inflate(gz, n, 1024, &A, &out, &out_len));
    assert_int_equal(out_len, strlen(text));
    assert_string_equal(out, text);
    assert_false(gzip_inflate(gz, n, 10, &A, &out, &out_len));       /* over the bound */
    assert_false(gzip_inflate(gz, n - 3, 1024, &A, &out, &out_len)); /* truncated */
    gz[n] = 'x';
    assert_false(gzip_inflate(gz, n + 1, 1024, &A, &out, &out_len));          /* trailing bytes */
    assert_false(gzip_inflate(text, strlen(text), 1024, &A, &out, &out_len)); /* not gzip */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(timestamps_are_seconds, setup, teardown),
        cmocka_unit_test_setup_teardown(timestamps_are_written_in_seconds, setup, teardown),
        cmocka_unit_test_setup_teardown(gzip_bodies, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
