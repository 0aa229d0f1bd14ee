/* bodies.c - JSON 1.1 (and CBOR 1.1) request bodies for the benchmarks (see bodies.h). */
#include "bodies.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"

unsigned char *body_random_bytes(size_t bytes)
{
    unsigned char *raw = malloc(bytes ? bytes : 1);
    if (!raw)
        abort();
    uint32_t state = 2463534242u;
    for (size_t i = 0; i < bytes; i++) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        raw[i] = (unsigned char)state;
    }
    return raw;
}

char *body_random_data(size_t bytes)
{
    unsigned char *raw = body_random_bytes(bytes);
    char *text = malloc(base64_encoded_len(bytes) + 1);
    if (!text)
        abort();
    base64_encode(raw, bytes, text);
    text[base64_encoded_len(bytes)] = '\0';
    free(raw);
    return text;
}

/* Writes "pk-KEY" into out (at least 24 bytes) and returns its length: the partition keys of
 * every batch, formatted without printf, which cost the generator more than kinesd spent. */
static size_t partition_key(char *out, long key)
{
    char digits[20];
    size_t n = 0;
    unsigned long v = (unsigned long)key;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy(out, "pk-", 3);
    for (size_t i = 0; i < n; i++)
        out[3 + i] = digits[n - 1 - i];
    return 3 + n;
}

void body_put_records(kbuf *body, const char *stream, const char *data_b64, long first_key,
                      long count)
{
    static const char data_open[] = "{\"Data\":\"";
    static const char key_open[] = "\",\"PartitionKey\":\"";
    size_t data_len = strlen(data_b64);
    char key[24];
    kbuf_reset(body);
    kbuf_printf(body, "{\"StreamName\":\"%s\",\"Records\":[", stream);
    for (long i = 0; i < count; i++) {
        if (i)
            kbuf_putc(body, ',');
        kbuf_append(body, data_open, sizeof(data_open) - 1);
        kbuf_append(body, data_b64, data_len);
        kbuf_append(body, key_open, sizeof(key_open) - 1);
        kbuf_append(body, key, partition_key(key, first_key + i));
        kbuf_append(body, "\"}", 2);
    }
    kbuf_puts(body, "]}");
}

/* A CBOR item head: major type (0..7) and its count or length n. */
static void cbor_head(kbuf *body, unsigned major, uint64_t n)
{
    unsigned char head[9];
    size_t len = 1;
    head[0] = (unsigned char)(major << 5);
    if (n < 24) {
        head[0] |= (unsigned char)n;
    } else {
        int bytes = n <= 0xff ? 1 : n <= 0xffff ? 2 : n <= 0xffffffffu ? 4 : 8;
        head[0] |= (unsigned char)(bytes == 1 ? 24 : bytes == 2 ? 25 : bytes == 4 ? 26 : 27);
        for (int i = bytes - 1; i >= 0; i--)
            head[len++] = (unsigned char)(n >> (8 * i));
    }
    kbuf_append(body, head, len);
}

enum { CBOR_BYTES = 2, CBOR_TEXT = 3 };

/* Heads of indefinite-length containers and their end (RFC 8949, 3.2.2). */
#define CBOR_MAP_START ((char)0xbf)
#define CBOR_ARRAY_START ((char)0x9f)
#define CBOR_BREAK ((char)0xff)

static void cbor_text(kbuf *body, const char *text, size_t len)
{
    cbor_head(body, CBOR_TEXT, len);
    kbuf_append(body, text, len);
}

void body_put_records_cbor(kbuf *body, const char *stream, const unsigned char *data, size_t len,
                           long first_key, long count)
{
    char key[24];
    kbuf_reset(body);
    kbuf_putc(body, CBOR_MAP_START);
    cbor_text(body, "StreamName", 10);
    cbor_text(body, stream, strlen(stream));
    cbor_text(body, "Records", 7);
    kbuf_putc(body, CBOR_ARRAY_START);
    for (long i = 0; i < count; i++) {
        kbuf_putc(body, CBOR_MAP_START);
        cbor_text(body, "Data", 4);
        cbor_head(body, CBOR_BYTES, len);
        kbuf_append(body, data, len);
        cbor_text(body, "PartitionKey", 12);
        cbor_text(body, key, partition_key(key, first_key + i));
        kbuf_putc(body, CBOR_BREAK);
    }
    kbuf_putc(body, CBOR_BREAK); /* the array */
    kbuf_putc(body, CBOR_BREAK); /* the request */
}

void body_put_record(kbuf *body, const char *stream, const void *data, size_t len, long key)
{
    kbuf_reset(body);
    kbuf_printf(body, "{\"StreamName\":\"%s\",\"Data\":\"", stream);
    kbuf_reserve(body, base64_encoded_len(len));
    base64_encode(data, len, body->data + body->len);
    body->len += base64_encoded_len(len);
    kbuf_printf(body, "\",\"PartitionKey\":\"pk-%ld\"}", key);
}

void body_stream(kbuf *body, const char *stream)
{
    kbuf_reset(body);
    kbuf_printf(body, "{\"StreamName\":\"%s\"}", stream);
}

void body_create_stream(kbuf *body, const char *stream, long shards)
{
    kbuf_reset(body);
    kbuf_printf(body, "{\"StreamName\":\"%s\",\"ShardCount\":%ld}", stream, shards);
}

void body_get_shard_iterator(kbuf *body, const char *stream, const char *shard_id,
                             const char *iterator_type)
{
    kbuf_reset(body);
    kbuf_printf(body, "{\"StreamName\":\"%s\",\"ShardId\":\"%s\",\"ShardIteratorType\":\"%s\"}",
                stream, shard_id, iterator_type);
}

void body_get_records(kbuf *body, const char *iterator, size_t len, long limit)
{
    kbuf_reset(body);
    kbuf_printf(body, "{\"ShardIterator\":\"%.*s\",\"Limit\":%ld}", (int)len, iterator, limit);
}
