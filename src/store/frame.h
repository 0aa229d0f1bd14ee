/* frame.h - the on-disk frame of one record in a shard log segment.
 *
 * A frame is, little-endian and unaligned:
 *
 *   u32 length      whole frame in bytes, header included (0 marks the end of a segment)
 *   u32 crc         zlib crc32 of everything after this field
 *   u64 offset      the record's offset in its shard
 *   i64 arrival_ms  approximate arrival time
 *   u16 key_len     partition key length
 *   key bytes, then data bytes (the rest of the frame)
 */
#ifndef KINESD_FRAME_H
#define KINESD_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_HEADER 26
#define FRAME_MAX (64u << 20) /* larger length fields are garbage, never a record */

typedef struct frame_view {
    uint32_t len;
    uint32_t crc;
    uint64_t offset;
    int64_t arrival_ms;
    const char *key;
    size_t key_len;
    const void *data;
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

/* Writes the frame of one record at dst (frame_size(key_len, data_len) bytes), CRC included. */
void frame_encode(char *dst, uint64_t offset, int64_t arrival_ms, const char *key, size_t key_len,
                  const void *data, size_t data_len);

/* Decodes the frame starting at p, of which avail bytes are present. The CRC is not checked. */
frame_status frame_decode(const char *p, size_t avail, frame_view *f);

/* True when the CRC stored in the decoded frame at p matches its contents. */
bool frame_crc_ok(const char *p, const frame_view *f);

#endif
