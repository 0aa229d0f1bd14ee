/* seqno.h - Kinesis sequence numbers: 56-digit decimal strings shaped like AWS's.
 *
 * A sequence number names its shard and its position without any lookup: it encodes the shard's
 * creation time (ms), the shard index and the position in the shard, so that numbers are strictly
 * increasing within a shard, and a child shard's numbers (later creation time) exceed its
 * parents'. Comparing two numbers of the same length as strings compares them as numbers. */
#ifndef KINESD_SEQNO_H
#define KINESD_SEQNO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SEQNO_LEN 56

/* The last field is a position in the shard: position 0 is the shard's start, before its first
 * record (its StartingSequenceNumber), and the record at offset k has position k + 1. So every
 * record's number exceeds the shard's starting number, and AFTER_SEQUENCE_NUMBER with the starting
 * number (or with a subscription's continuation before any record) reads the first record. */
#define SEQNO_SHARD_START 0

static inline uint64_t seqno_record_position(uint64_t offset)
{
    return offset + 1;
}

/* The offset an AT_SEQUENCE_NUMBER (or, when after, AFTER_SEQUENCE_NUMBER) read of position starts
 * at: the shard's start is "at" its first record. */
static inline uint64_t seqno_read_offset(uint64_t position, bool after)
{
    return after || position == SEQNO_SHARD_START ? position : position - 1;
}

void seqno_format(int64_t shard_created_ms, int shard_index, uint64_t position,
                  char out[SEQNO_LEN + 1]);

/* Rewrites only the position field of a formatted number (its shard's fields stay): a batch of
 * one shard's records formats the shard's part once. */
void seqno_set_position(char seq[SEQNO_LEN + 1], uint64_t position);

/* False when s is not a sequence number kinesd could have issued. */
bool seqno_parse(const char *s, size_t n, int64_t *shard_created_ms, int *shard_index,
                 uint64_t *position);

#endif
