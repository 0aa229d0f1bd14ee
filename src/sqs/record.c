/* record.c - encoding and decoding of the message and state records (see record.h).
 *
 * Header layout (little-endian): u8 version | message id (36) | i64 sent | u32 delay |
 * u32 receive count | i64 first receive | u32 body length | body MD5 (16) | attributes MD5 (16) |
 * u16 sender id length, sender id | u16 source ARN length, source ARN. */
#include "record.h"

#include <endian.h>
#include <string.h>

#define HEADER_VERSION 1
#define HEADER_FIXED (1 + MESSAGE_ID_LEN + 8 + 4 + 4 + 8 + 4 + 16 + 16)

static void put_u16(kbuf *b, uint16_t v)
{
    v = htole16(v);
    kbuf_append(b, &v, sizeof v);
}

static void put_u32(kbuf *b, uint32_t v)
{
    v = htole32(v);
    kbuf_append(b, &v, sizeof v);
}

static void put_u64(kbuf *b, uint64_t v)
{
    v = htole64(v);
    kbuf_append(b, &v, sizeof v);
}

static void put_be32(kbuf *b, uint32_t v)
{
    v = htobe32(v);
    kbuf_append(b, &v, sizeof v);
}

/* A little-endian reader over a byte range that notes when it runs past the end. */
typedef struct reader {
    const char *p;
    size_t n, at;
    bool bad;
} reader;

static const char *take(reader *r, size_t len)
{
    if (r->bad || r->n - r->at < len) {
        r->bad = true;
        return NULL;
    }
    const char *at = r->p + r->at;
    r->at += len;
    return at;
}

static uint64_t get_le(reader *r, size_t len)
{
    const char *p = take(r, len);
    uint64_t v = 0;
    for (size_t i = len; p && i-- > 0;)
        v = v << 8 | (unsigned char)p[i];
    return v;
}

static uint32_t get_be32(reader *r)
{
    const char *p = take(r, 4);
    uint32_t v = 0;
    for (size_t i = 0; p && i < 4; i++)
        v = v << 8 | (unsigned char)p[i];
    return v;
}

void record_header_encode(const msg_header *h, kbuf *out)
{
    kbuf_putc(out, HEADER_VERSION);
    kbuf_append(out, h->message_id, MESSAGE_ID_LEN);
    put_u64(out, (uint64_t)h->sent_ms);
    put_u32(out, h->delay_s);
    put_u32(out, h->receive_count);
    put_u64(out, (uint64_t)h->first_receive_ms);
    put_u32(out, h->body_len);
    kbuf_append(out, h->body_md5, 16);
    kbuf_append(out, h->attrs_md5, 16);
    put_u16(out, (uint16_t)h->sender_id_len);
    kbuf_append(out, h->sender_id, h->sender_id_len);
    put_u16(out, (uint16_t)h->source_arn_len);
    kbuf_append(out, h->source_arn, h->source_arn_len);
}

bool record_header_decode(const char *p, size_t n, msg_header *h)
{
    reader r = {p, n, 0, false};
    if (n < HEADER_FIXED || get_le(&r, 1) != HEADER_VERSION)
        return false;
    memcpy(h->message_id, take(&r, MESSAGE_ID_LEN), MESSAGE_ID_LEN);
    h->message_id[MESSAGE_ID_LEN] = '\0';
    h->sent_ms = (int64_t)get_le(&r, 8);
    h->delay_s = (uint32_t)get_le(&r, 4);
    h->receive_count = (uint32_t)get_le(&r, 4);
    h->first_receive_ms = (int64_t)get_le(&r, 8);
    h->body_len = (uint32_t)get_le(&r, 4);
    memcpy(h->body_md5, take(&r, 16), 16);
    memcpy(h->attrs_md5, take(&r, 16), 16);
    h->sender_id_len = get_le(&r, 2);
    h->sender_id = take(&r, h->sender_id_len);
    h->source_arn_len = get_le(&r, 2);
    h->source_arn = take(&r, h->source_arn_len);
    return !r.bad;
}

void record_attr_encode(kbuf *out, const char *name, size_t name_len, const char *type,
                        size_t type_len, bool binary, const void *value, size_t value_len)
{
    put_be32(out, (uint32_t)name_len);
    kbuf_append(out, name, name_len);
    put_be32(out, (uint32_t)type_len);
    kbuf_append(out, type, type_len);
    kbuf_putc(out, binary ? 2 : 1);
    put_be32(out, (uint32_t)value_len);
    kbuf_append(out, value, value_len);
}

bool record_attr_next(const char *p, size_t n, size_t *at, msg_attr *a)
{
    reader r = {p, n, *at, false};
    if (*at >= n)
        return false;
    a->name_len = get_be32(&r);
    a->name = take(&r, a->name_len);
    a->type_len = get_be32(&r);
    a->type = take(&r, a->type_len);
    a->binary = get_le(&r, 1) == 2;
    a->value_len = get_be32(&r);
    a->value = take(&r, a->value_len);
    if (r.bad)
        return false;
    a->encoding = p + *at;
    a->encoding_len = r.at - *at;
    *at = r.at;
    return true;
}

void record_md5_hex(const unsigned char md5[16], char out[MD5_HEX_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hex[md5[i] >> 4];
        out[2 * i + 1] = hex[md5[i] & 15];
    }
    out[MD5_HEX_LEN] = '\0';
}

/* ---- the state log ---- */

void record_state_received(kbuf *out, uint64_t offset, uint32_t count, int64_t first_ms)
{
    kbuf_putc(out, STATE_RECEIVED);
    put_u64(out, offset);
    put_u32(out, count);
    put_u64(out, (uint64_t)first_ms);
}

void record_state_deleted(kbuf *out, uint64_t from, uint64_t to)
{
    kbuf_putc(out, STATE_DELETED);
    put_u64(out, from);
    put_u64(out, to);
}

bool record_state_replay(const char *p, size_t n, const state_visitor *v)
{
    reader r = {p, n, 0, false};
    while (!r.bad && r.at < n) {
        int kind = (int)get_le(&r, 1);
        if (kind == STATE_RECEIVED) {
            uint64_t offset = get_le(&r, 8);
            uint32_t count = (uint32_t)get_le(&r, 4);
            int64_t first = (int64_t)get_le(&r, 8);
            if (!r.bad)
                v->received(v->arg, offset, count, first);
        } else if (kind == STATE_DELETED) {
            uint64_t from = get_le(&r, 8), to = get_le(&r, 8);
            if (!r.bad)
                v->deleted(v->arg, from, to);
        } else {
            return false;
        }
    }
    return !r.bad;
}
