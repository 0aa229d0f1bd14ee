/* frame.c - encoding and decoding of record frames (see frame.h). */
#include "frame.h"

#include <string.h>
#include <zlib.h>

#include "crc32c.h"
#include "le.h"

static uint32_t format2_crc(const char *p, size_t len)
{
    return crc32c(crc32c(0, p, 4), p + 8, len - 8);
}

static uint32_t format1_crc(const char *p, size_t len)
{
    return (uint32_t)crc32(0, (const unsigned char *)p + 8, (uInt)(len - 8));
}

void frame_put_crc(char *p, size_t len)
{
    le_put32(p + 4, format2_crc(p, len));
}

void frame_encode(char *dst, uint64_t offset, int64_t arrival_ms, const char *key, size_t key_len,
                  const void *data, size_t data_len)
{
    size_t len = frame_size(key_len, data_len);
    le_put32(dst, (uint32_t)len | FRAME_FORMAT2);
    le_put64(dst + 8, offset);
    le_put64(dst + 16, (uint64_t)arrival_ms);
    le_put16(dst + 24, (uint16_t)key_len);
    memcpy(dst + FRAME_HEADER, key, key_len);
    if (data_len)
        memcpy(dst + FRAME_HEADER + key_len, data, data_len);
    frame_put_crc(dst, len);
}

/* The length field's checks: a sealed run is a format 2 frame long enough for its count. */
static bool frame_shape_ok(const frame_view *f)
{
    if (f->len < FRAME_HEADER || f->len > FRAME_MAX)
        return false;
    if (!f->sealed)
        return f->len - FRAME_HEADER >= f->key_len;
    return f->format2 && f->count >= 1 &&
           f->len >=
               FRAME_SEALED_HEADER + FRAME_SEALED_TAG + (size_t)f->count * FRAME_MIN_RECORD_BYTES;
}

frame_status frame_decode(const char *p, size_t avail, frame_view *f)
{
    if (avail < FRAME_HEADER) {
        f->len = FRAME_HEADER;
        return FRAME_SHORT;
    }
    uint32_t raw = le_get32(p);
    f->format2 = (raw & FRAME_FORMAT2) != 0;
    f->sealed = (raw & FRAME_SEALED) != 0;
    f->len = raw & ~(FRAME_FORMAT2 | FRAME_SEALED);
    f->key_len = le_get16(p + 24);
    f->count = f->sealed ? (uint32_t)f->key_len : 1;
    if (f->sealed)
        f->key_len = 0;
    if (!frame_shape_ok(f))
        return FRAME_END;
    if (avail < f->len)
        return FRAME_SHORT;
    f->crc = le_get32(p + 4);
    f->offset = le_get64(p + 8);
    f->arrival_ms = (int64_t)le_get64(p + 16);
    f->key = p + FRAME_HEADER;
    f->data = p + FRAME_HEADER + f->key_len;
    f->data_len = f->len - FRAME_HEADER - f->key_len;
    return FRAME_OK;
}

bool frame_crc_ok(const char *p, const frame_view *f)
{
    return (f->format2 ? format2_crc(p, f->len) : format1_crc(p, f->len)) == f->crc;
}
