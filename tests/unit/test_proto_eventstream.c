/* test_proto_eventstream.c - event stream framing: known frames byte for byte, and events and
 * exceptions read back by a small decoder here that checks lengths and both CRCs. */
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "protocol/encoder.h"
#include "protocol/eventstream.h"

/* --- a decoder for the tests ------------------------------------------------------------------ */

typedef struct decoded {
    char names[8][64];
    char values[8][256];
    int header_count;
    const unsigned char *payload;
    size_t payload_len;
    size_t total;
} decoded;

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Decodes the message at p (of at most avail bytes), checking everything it can. */
static void decode(const unsigned char *p, size_t avail, decoded *d)
{
    memset(d, 0, sizeof(*d));
    assert_true(avail >= ES_OVERHEAD);
    d->total = be32(p);
    uint32_t headers_len = be32(p + 4);
    assert_true(d->total <= avail && headers_len + ES_OVERHEAD <= d->total);
    assert_int_equal(be32(p + 8), crc32(0, p, 8));
    assert_int_equal(be32(p + d->total - 4), crc32(0, p, (uInt)d->total - 4));
    const unsigned char *h = p + ES_PRELUDE_LEN, *end = h + headers_len;
    while (h < end) {
        int i = d->header_count++;
        size_t name_len = h[0];
        memcpy(d->names[i], h + 1, name_len);
        h += 1 + name_len;
        assert_int_equal(h[0], 7); /* string */
        size_t value_len = (size_t)h[1] << 8 | h[2];
        memcpy(d->values[i], h + 3, value_len);
        h += 3 + value_len;
    }
    assert_ptr_equal(h, end);
    d->payload = end;
    d->payload_len = d->total - headers_len - ES_OVERHEAD;
}

static const char *header(const decoded *d, const char *name)
{
    for (int i = 0; i < d->header_count; i++)
        if (strcmp(d->names[i], name) == 0)
            return d->values[i];
    return NULL;
}

/* --- tests ------------------------------------------------------------------------------------ */

static void write_message(kbuf *out, const es_header *headers, size_t count, const char *payload)
{
    es_message m;
    es_begin(out, &m, headers, count);
    kbuf_puts(out, payload);
    es_end(out, &m);
}

/* A frame without headers, computed by hand: 30 bytes, CRCs from zlib's crc32 of the parts. */
static void test_frame_without_headers(void **state)
{
    (void)state;
    static const unsigned char expected[] = {
        0,   0,   0,   30,  0,   0,   0,   0,   0xba, 0xf2, 0xf6, 0x8a, '{',  '"',  'f',
        'o', 'o', '"', ':', ' ', '"', 'b', 'a', 'r',  '"',  '}',  0xae, 0x72, 0x58, 0xe4};
    kbuf out = KBUF_INIT;
    write_message(&out, NULL, 0, "{\"foo\": \"bar\"}");
    assert_int_equal(out.len, sizeof(expected));
    assert_memory_equal(out.data, expected, sizeof(expected));
    kbuf_free(&out);
}

static void test_frame_with_header(void **state)
{
    (void)state;
    static const unsigned char prelude[] = {0, 0, 0, 62, 0, 0, 0, 32, 0x40, 0x5d, 0xf9, 0x46};
    static const unsigned char header_bytes[] = "\x0c"
                                                "content-type\x07\x00\x10"
                                                "application/json";
    static const unsigned char crc[] = {0x6f, 0xa2, 0xbf, 0x3b};
    es_header h = {"content-type", "application/json"};
    kbuf out = KBUF_INIT;
    write_message(&out, &h, 1, "{\"foo\": \"bar\"}");
    assert_int_equal(out.len, 62);
    assert_memory_equal(out.data, prelude, sizeof(prelude));
    assert_memory_equal(out.data + 12, header_bytes, 32);
    assert_memory_equal(out.data + 58, crc, sizeof(crc));
    kbuf_free(&out);
}

/* Two events back to back, the second's payload written by the JSON encoder in place. */
static void test_events_read_back(void **state)
{
    (void)state;
    kbuf out = KBUF_INIT;
    es_message m;
    es_begin_event(&out, &m, "initial-response", "application/x-amz-json-1.1");
    kbuf_puts(&out, "{}");
    es_end(&out, &m);
    size_t first_len = out.len;
    es_begin_event(&out, &m, "SubscribeToShardEvent", "application/x-amz-json-1.1");
    kenc e;
    enc_init(&e, ENC_JSON, &out);
    enc_map_begin(&e);
    enc_key(&e, "MillisBehindLatest");
    enc_int(&e, 0);
    enc_map_end(&e);
    es_end(&out, &m);

    decoded d;
    decode((const unsigned char *)out.data, out.len, &d);
    assert_int_equal(d.total, first_len);
    assert_string_equal(header(&d, ":message-type"), "event");
    assert_string_equal(header(&d, ":event-type"), "initial-response");
    assert_string_equal(header(&d, ":content-type"), "application/x-amz-json-1.1");
    assert_int_equal(d.payload_len, 2);
    assert_memory_equal(d.payload, "{}", 2);

    decode((const unsigned char *)out.data + first_len, out.len - first_len, &d);
    assert_int_equal(first_len + d.total, out.len);
    assert_string_equal(header(&d, ":event-type"), "SubscribeToShardEvent");
    const char *json = "{\"MillisBehindLatest\":0}";
    assert_int_equal(d.payload_len, strlen(json));
    assert_memory_equal(d.payload, json, strlen(json));
    kbuf_free(&out);
}

static void test_exception(void **state)
{
    (void)state;
    kbuf out = KBUF_INIT;
    es_message m;
    es_begin_exception(&out, &m, "InternalFailureException", "application/x-amz-json-1.1");
    kbuf_puts(&out, "{\"message\":\"x\"}");
    es_end(&out, &m);
    decoded d;
    decode((const unsigned char *)out.data, out.len, &d);
    assert_int_equal(d.total, out.len);
    assert_int_equal(d.header_count, 3);
    assert_string_equal(header(&d, ":message-type"), "exception");
    assert_string_equal(header(&d, ":exception-type"), "InternalFailureException");
    assert_int_equal(d.payload_len, 15);
    kbuf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_without_headers),
        cmocka_unit_test(test_frame_with_header),
        cmocka_unit_test(test_events_read_back),
        cmocka_unit_test(test_exception),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
