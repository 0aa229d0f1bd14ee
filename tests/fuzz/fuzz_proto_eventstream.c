/* fuzz_proto_eventstream.c - the event stream framer (SubscribeToShard's frames): any headers and
 * payload make a frame that an independent reader accepts, with both CRCs right and every header
 * and the payload read back as written (names cut at 255 bytes, values at 65,535).
 *
 * Input: a mode byte (event, exception or up to 7 plain headers), a repeat byte that multiplies
 * the header values (so that values pass 65,535 bytes from small inputs), then NUL-separated
 * strings (names and values), then the payload. Two frames are written back to back into one
 * buffer, as a subscription does. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "protocol/eventstream.h"
#include "fuzz_check.h"

#define MAX_HEADERS 7
#define REPEAT_UNIT 4096 /* a value repeats to about repeat * 4096 bytes (repeat < 20) */

typedef struct frame_input {
    es_header headers[MAX_HEADERS];
    size_t count;
    const char *payload;
    size_t payload_len;
    kbuf strings; /* the names and values, NUL-terminated */
} frame_input;

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t crc_of(const void *p, size_t n)
{
    return (uint32_t)crc32(0L, (const Bytef *)p, (uInt)n);
}

/* The next NUL-terminated string of data (the rest when there is no NUL); *at moves past it. */
static const char *next_string(const uint8_t *data, size_t size, size_t *at, size_t *len)
{
    const uint8_t *start = data + *at, *nul = memchr(start, 0, size - *at);
    *len = nul ? (size_t)(nul - start) : size - *at;
    *at += *len + (nul ? 1 : 0);
    return (const char *)start;
}

/* Appends s[0..len) `times` times, copying what is already there (doubling): few large copies. */
static void append_repeated(kbuf *b, const char *s, size_t len, size_t times)
{
    size_t start = b->len, total = len * times;
    kbuf_reserve(b, total);
    memcpy(b->data + start, s, len);
    for (size_t done = len; done < total;) {
        size_t n = done < total - done ? done : total - done;
        memcpy(b->data + start + done, b->data + start, n);
        done += n;
    }
    b->len += total;
    b->data[b->len] = '\0';
}

/* Reads the headers and payload out of data (see the file comment). */
static void read_input(const uint8_t *data, size_t size, frame_input *in)
{
    kbuf_init(&in->strings);
    in->count = size >= 2 ? data[0] % (MAX_HEADERS + 1) : 0;
    unsigned repeat = size >= 2 ? data[1] % 20 : 0;
    size_t at = 2, len, offsets[2 * MAX_HEADERS];
    for (size_t i = 0; i < 2 * in->count; i++) {
        const char *s = next_string(data, size, &at, &len);
        size_t times = i % 2 && len ? 1 + repeat * REPEAT_UNIT / len : 1; /* values only */
        offsets[i] = in->strings.len;
        append_repeated(&in->strings, s, len, times);
        kbuf_putc(&in->strings, '\0');
    }
    for (size_t i = 0; i < in->count; i++) { /* strings no longer moves */
        in->headers[i].name = in->strings.data + offsets[2 * i];
        in->headers[i].value = in->strings.data + offsets[2 * i + 1];
    }
    in->payload = at < size ? (const char *)data + at : "";
    in->payload_len = at < size ? size - at : 0;
}

/* Checks the frame at out[*at..] against what was written, and moves *at past it. */
static void check_frame(const kbuf *out, size_t *at, const es_header *headers, size_t count,
                        const char *payload, size_t payload_len)
{
    const unsigned char *p = (const unsigned char *)out->data + *at;
    FUZZ_REQUIRE(out->len - *at >= ES_OVERHEAD);
    uint32_t total = be32(p), headers_len = be32(p + 4);
    FUZZ_REQUIRE(total <= out->len - *at && total >= ES_OVERHEAD + headers_len);
    FUZZ_REQUIRE(be32(p + 8) == crc_of(p, 8));
    FUZZ_REQUIRE(be32(p + total - 4) == crc_of(p, total - 4));
    const unsigned char *h = p + ES_PRELUDE_LEN, *end = h + headers_len;
    for (size_t i = 0; i < count; i++) {
        size_t name_len = strlen(headers[i].name), value_len = strlen(headers[i].value);
        name_len = name_len > 255 ? 255 : name_len;
        value_len = value_len > 65535 ? 65535 : value_len;
        FUZZ_REQUIRE((size_t)(end - h) >= 4 + name_len + value_len);
        FUZZ_REQUIRE(h[0] == name_len && memcmp(h + 1, headers[i].name, name_len) == 0);
        h += 1 + name_len;
        FUZZ_REQUIRE(h[0] == 7 && (size_t)(h[1] << 8 | h[2]) == value_len);
        FUZZ_REQUIRE(memcmp(h + 3, headers[i].value, value_len) == 0);
        h += 3 + value_len;
    }
    FUZZ_REQUIRE(h == end);
    FUZZ_REQUIRE(total - ES_OVERHEAD - headers_len == payload_len);
    FUZZ_REQUIRE(memcmp(end, payload, payload_len) == 0);
    *at += total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    frame_input in;
    read_input(data, size, &in);
    kbuf out = KBUF_INIT;
    es_message m;
    es_begin(&out, &m, in.headers, in.count);
    kbuf_append(&out, in.payload, in.payload_len);
    es_end(&out, &m);
    /* the second frame: an event or an exception, with the first header's value as its type */
    const char *type = in.count ? in.headers[0].value : "";
    bool exception = size > 0 && data[0] & 0x80;
    if (exception)
        es_begin_exception(&out, &m, type, "application/json");
    else
        es_begin_event(&out, &m, type, "application/json");
    kbuf_append(&out, in.payload, in.payload_len);
    es_end(&out, &m);

    size_t at = 0;
    check_frame(&out, &at, in.headers, in.count, in.payload, in.payload_len);
    es_header second[] = {
        {exception ? ":exception-type" : ":event-type", type},
        {":content-type", "application/json"},
        {":message-type", exception ? "exception" : "event"},
    };
    check_frame(&out, &at, second, 3, in.payload, in.payload_len);
    FUZZ_REQUIRE(at == out.len);
    kbuf_free(&out);
    kbuf_free(&in.strings);
    return 0;
}
