/* frame.h - the on-disk frames of a shard log segment: one record in plain text, or a sealed
 * (encrypted) run of records.
 *
 * A frame is, little-endian and unaligned:
 *
 *   u32 length      bits 0-29: whole frame in bytes, header included (0 marks the end of a
 *                   segment); bit 31: the frame's format (set: format 2); bit 30 (format 2
 *                   only): a sealed run
 *   u32 crc         format 2: CRC-32C of the length field and of everything after this field;
 *                   format 1 (written before CRC-32C): zlib crc32 of everything after this field
 *   u64 offset      the record's offset in its shard (a sealed run: its first record's)
 *   i64 arrival_ms  approximate arrival time (a sealed run: of all its records)
 *   u16 key_len     partition key length (a sealed run: its record count, at least 1)
 *   plain: key bytes, then data bytes (the rest of the frame)
 *   sealed: u64 key_id   the store key (store_add_key) the run is sealed under
 *           u8 nonce[12] u32 random, u64 offset (of the first record)
 *           ciphertext   AES-256-GCM of count records, each u16 key_len, u32 data_len, key, data
 *           u8 tag[16]   GCM's tag; the additional data is the 26 bytes of offset, arrival, count
 *                        and key id, so a run cannot be moved or relabelled (seal.h)
 *
 * A plain frame holds one offset, a sealed run `count` consecutive ones. New frames are always
 * format 2; format 1 frames of older data directories are still read.
 */
#ifndef KINESD_FRAME_H
#define KINESD_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_HEADER 26
#define FRAME_MAX (64u << 20)     /* larger length fields are garbage, never a record */
#define FRAME_FORMAT2 0x80000000u /* the format bit of the length field */
#define FRAME_SEALED 0x40000000u  /* the sealed-run bit of a format 2 length field */
/* Fewest bytes a record takes in any frame (a sealed run's u16 key length and u32 data length):
 * bounds how many offsets a stretch of bytes can hold. */
#define FRAME_MIN_RECORD_BYTES 6
#define FRAME_SEALED_HEADER (FRAME_HEADER + 8 + 12) /* up to the ciphertext */
#define FRAME_SEALED_TAG 16
#define FRAME_SEALED_MAX_COUNT 65535u

typedef struct frame_view {
    uint32_t len;       /* whole frame in bytes */
    bool format2;       /* CRC-32C frame (else a format 1, zlib crc32 frame) */
    bool sealed;        /* a sealed run: key and data are not set, seal.h opens it */
    uint32_t count;     /* offsets the frame holds: 1, or a sealed run's record count */
    uint32_t crc;       /* as stored */
    uint64_t offset;    /* the (first) record's offset in its shard */
    int64_t arrival_ms; /* approximate arrival time */
    const char *key;    /* partition key, key_len bytes */
    size_t key_len;
    const void *data; /* data, data_len bytes (a sealed run: everything after the header) */
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

/* Decodes the frame starting at p, of which avail bytes are present. The CRC is not checked (nor,
 * for a sealed run, anything beyond its header). */
frame_status frame_decode(const char *p, size_t avail, frame_view *f);

/* True when the CRC stored in the decoded frame at p matches its contents. */
bool frame_crc_ok(const char *p, const frame_view *f);

/* Stores the format 2 CRC of the len-byte frame at p (a sealed run, once its body is written). */
void frame_put_crc(char *p, size_t len);

#endif
