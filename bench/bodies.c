/* bodies.c - JSON 1.1 request bodies for the benchmarks (see bodies.h). */
#include "bodies.h"

#include <stdint.h>
#include <stdlib.h>

#include "common/base64.h"

char *body_random_data(size_t bytes)
{
    unsigned char *raw = malloc(bytes);
    char *text = malloc(base64_encoded_len(bytes) + 1);
    if (!raw || !text)
        abort();
    uint32_t state = 2463534242u;
    for (size_t i = 0; i < bytes; i++) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        raw[i] = (unsigned char)state;
    }
    base64_encode(raw, bytes, text);
    text[base64_encoded_len(bytes)] = '\0';
    free(raw);
    return text;
}

void body_put_records(kbuf *body, const char *stream, const char *data_b64, long first_key,
                      long count)
{
    kbuf_reset(body);
    kbuf_printf(body, "{\"StreamName\":\"%s\",\"Records\":[", stream);
    for (long i = 0; i < count; i++)
        kbuf_printf(body, "%s{\"Data\":\"%s\",\"PartitionKey\":\"pk-%ld\"}", i ? "," : "", data_b64,
                    first_key + i);
    kbuf_puts(body, "]}");
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
