/* iterator.h - shard iterators: opaque, authenticated positions in a shard.
 *
 * An iterator is the base64 of {version, stream uid, shard index, offset, issue time, stream name}
 * followed by a truncated HMAC-SHA256 of those bytes under a server key. The key is random per data
 * directory and kept in <data-dir>/iterator.key (mode 0600), so iterators survive a restart but
 * cannot be forged or altered. An iterator lives ITERATOR_TTL_MS after it was issued. */
#ifndef KINESD_ITERATOR_H
#define KINESD_ITERATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../protocol/awserr.h"

#define ITERATOR_TTL_MS 300000
#define ITERATOR_NAME_MAX 128
#define ITERATOR_MAX_LEN 232 /* base64 characters of the longest iterator (a 128-byte name) */

typedef struct shard_iterator {
    uint64_t stream_uid;
    int shard_index;
    uint64_t offset; /* the next record to read */
    int64_t issued_ms;
    char stream_name[ITERATOR_NAME_MAX + 1];
} shard_iterator;

/* Loads the key from <data_dir>/iterator.key, creating it (random, 0600) if absent. Call once at
 * start-up, before any iterator is made or read. Returns -1 with a one-line reason in why (which
 * file, and what is wrong with it) on error. */
int iterator_init(const char *data_dir, char *why, size_t why_len);

/* Writes the iterator's text and a NUL into out; returns its length. */
size_t iterator_encode(const shard_iterator *it, char out[ITERATOR_MAX_LEN + 1]);

/* Checks and decodes an iterator. On failure sets err: InvalidArgumentException for anything that
 * kinesd did not issue, ExpiredIteratorException once it is older than ITERATOR_TTL_MS. */
bool iterator_decode(const char *s, size_t n, int64_t now_ms, shard_iterator *it, aws_error *err);

#endif
