/* aggregation.h - the KPL aggregated record format, so that KCL consumers can de-aggregate what the
 * libkines producer writes, and libkines consumers can read what the KPL writes.
 *
 * An aggregated record is: the magic bytes F3 89 9A C2, a protobuf AggregatedRecord
 *   { repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2;
 *     repeated Record records = 3; }
 *   Record { uint64 partition_key_index = 1; uint64 explicit_hash_key_index = 2; bytes data = 3; }
 * and the MD5 digest of the protobuf bytes. */
#ifndef KINES_AGGREGATION_H
#define KINES_AGGREGATION_H

#include "kines.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KINES_AGG_MAGIC "\xF3\x89\x9A\xC2"
#define KINES_AGG_MAGIC_LEN 4
#define KINES_AGG_MD5_LEN 16

/* A user record inside an aggregate; pointers are into the decoded buffer. */
typedef struct kines_user_record {
    const char *partition_key;
    size_t partition_key_len;
    const char *explicit_hash_key; /* NULL when none */
    size_t explicit_hash_key_len;
    const unsigned char *data;
    size_t len;
} kines_user_record;

/* Encodes the records into a newly allocated aggregate (*out, caller frees; NULL, with *out_len
 * 0, when memory is out). */
void kines_agg_encode(const kines_put_entry *records, size_t count, unsigned char **out,
                      size_t *out_len);

/* True when data starts with the magic and ends with a matching MD5. */
bool kines_agg_is_aggregated(const unsigned char *data, size_t len);

/* Decodes an aggregate into *records (caller frees the array; entries point into data). Returns
 * the number of user records, -1 when data is not a valid aggregate, or KINES_AGG_NO_MEMORY. */
#define KINES_AGG_NO_MEMORY (-2)
long kines_agg_decode(const unsigned char *data, size_t len, kines_user_record **records);

#ifdef __cplusplus
}
#endif

#endif
