/* frame.h - the on-disk frame of one record in a shard log segment.
 *
 * A frame is, little-endian and unaligned:
 *
 *   u32 length      bits 0-30: whole frame in bytes, header included (0 marks the end of a
 *                   segment); bit 31: the frame's format (set: format 2)
 *   u32 crc         format 2: CRC-32C of the length field and of everything after this field;
 *                   format 1 (written before CRC-32C): zlib crc32 of everything after this field
 *   u64 offset      the record's offset in its shard
 *   i64 arrival_ms  approximate arrival time
 *   u16 key_len     partition key length
 *   key bytes, then data bytes (the rest of the frame)
 *
 * New frames are always format 2; format 1 frames of older data directories are still read.
 */
#ifndef KINESD_FRAME_H
#define KINESD_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_HEADER 26
#define FRAME_MAX (64u << 20)     /* larger length fields are garbage, never a record */
#define FRAME_FORMAT2 0x80000000u /* the format bit of the length field */

typedef struct frame_view {
    uint32_t len;       /* whole frame in bytes */
    bool format2;       /* CRC-32C frame (else a format 1, zlib crc32 frame) */
    uint32_t crc;       /* as stored */
    uint64_t offset;    /* the record's offset in its shard */
    int64_t arrival_ms; /* approximate arrival time */
    const char *key;    /* partition key, key_len bytes */
    size_t key_len;
    const void *data; /* data, data_len bytes */
    size_t data_len;
} frame_view;

typedef enum {
    FRAME_OK,    /* a whole frame is available and decoded */
    FRAME_SHORT, /* more bytes are needed: f->len of them (FRAME_HEADER when not yet known) */
    FRAME_END    /* zero length or a malformed header: no frame here */
} frame_status;

static inline size_t frame_size(size_t key_len, size_t data_len)
{
    return FRAME_HEADER + key_len + data_len;
}

/* Writes the format 2 frame of one record at dst (frame_size(key_len, data_len) bytes). */
void frame_encode(char *dst, uint64_t offset, int64_t arrival_ms, const char *key, size_t key_len,
                  const void *data, size_t data_len);

/* Decodes the frame starting at p, of which avail bytes are present. The CRC is not checked. */
frame_status frame_decode(const char *p, size_t avail, frame_view *f);

/* True when the CRC stored in the decoded frame at p matches its contents. */
bool frame_crc_ok(const char *p, const frame_view *f);

#endif
