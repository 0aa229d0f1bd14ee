/* eventstream.c - writes AWS event stream messages (see eventstream.h). */
#include "eventstream.h"

#include <stdint.h>
#include <string.h>
#include <zlib.h>

#define ES_TYPE_STRING 7

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t crc_of(const void *p, size_t n)
{
    return (uint32_t)crc32(0L, (const Bytef *)p, (uInt)n);
}

static void put_header(kbuf *out, const es_header *h)
{
    size_t name_len = strlen(h->name), value_len = strlen(h->value);
    if (name_len > UINT8_MAX)
        name_len = UINT8_MAX;
    if (value_len > UINT16_MAX)
        value_len = UINT16_MAX;
    unsigned char lead[1] = {(unsigned char)name_len};
    unsigned char type_len[3] = {ES_TYPE_STRING, (unsigned char)(value_len >> 8),
                                 (unsigned char)value_len};
    kbuf_append(out, lead, 1);
    kbuf_append(out, h->name, name_len);
    kbuf_append(out, type_len, 3);
    kbuf_append(out, h->value, value_len);
}

void es_begin(kbuf *out, es_message *m, const es_header *headers, size_t count)
{
    static const unsigned char prelude[ES_PRELUDE_LEN];
    m->start = out->len;
    kbuf_append(out, prelude, sizeof(prelude));
    for (size_t i = 0; i < count; i++)
        put_header(out, &headers[i]);
    m->payload_at = out->len;
}

void es_end(kbuf *out, const es_message *m)
{
    size_t headers_len = m->payload_at - m->start - ES_PRELUDE_LEN;
    size_t total = out->len - m->start + 4;
    unsigned char *p = (unsigned char *)out->data + m->start;
    put_be32(p, (uint32_t)total);
    put_be32(p + 4, (uint32_t)headers_len);
    put_be32(p + 8, crc_of(p, 8));
    unsigned char crc[4];
    put_be32(crc, crc_of(p, total - 4));
    kbuf_append(out, crc, sizeof(crc));
}

void es_begin_event(kbuf *out, es_message *m, const char *event_type, const char *content_type)
{
    es_header headers[] = {
        {":event-type", event_type},
        {":content-type", content_type},
        {":message-type", "event"},
    };
    es_begin(out, m, headers, sizeof(headers) / sizeof(headers[0]));
}

void es_begin_exception(kbuf *out, es_message *m, const char *exception_type,
                        const char *content_type)
{
    es_header headers[] = {
        {":exception-type", exception_type},
        {":content-type", content_type},
        {":message-type", "exception"},
    };
    es_begin(out, m, headers, sizeof(headers) / sizeof(headers[0]));
}
