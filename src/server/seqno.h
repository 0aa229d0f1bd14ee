/* seqno.h - Kinesis sequence numbers: 56-digit decimal strings shaped like AWS's.
 *
 * A sequence number names its shard and its position without any lookup: it encodes the shard's
 * creation time (ms), the shard index and the record offset, so that numbers are strictly
 * increasing within a shard, and a child shard's numbers (later creation time) exceed its
 * parents'. Comparing two numbers of the same length as strings compares them as numbers. */
#ifndef KINESD_SEQNO_H
#define KINESD_SEQNO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SEQNO_LEN 56

void seqno_format(int64_t shard_created_ms, int shard_index, uint64_t offset,
                  char out[SEQNO_LEN + 1]);

/* False when s is not a sequence number kinesd could have issued. */
bool seqno_parse(const char *s, size_t n, int64_t *shard_created_ms, int *shard_index,
                 uint64_t *offset);

#endif
