/* records.h - what the record operations (ops_put.c, ops_shard_iterator.c, ops_get_records.c,
 * ops_subscribe.c) share: AWS's limits on records, and the checks and messages they have in
 * common (ops_records.c). */
#ifndef KINESD_RECORDS_H
#define KINESD_RECORDS_H

#include <stdint.h>

#include "../common/u128.h"
#include "../core/call.h"
#include "registry.h"
#include "seqno.h"
#include "stream_metrics.h"

/* One PutRecords' data and partition keys together: 5 MiB, or the stream's record size (its
 * MaxRecordSizeInKiB) when that is larger. */
#define PUT_RECORDS_MAX_BYTES (5 * 1024 * 1024)
#define GET_RECORDS_MAX_RECORDS 10000            /* default and maximum GetRecords Limit */
#define GET_RECORDS_MAX_BYTES (10 * 1024 * 1024) /* data + partition keys of one GetRecords */

/* The stream named by the input, if records may be written to or read from it now (ACTIVE or
 * UPDATING); else sets ResourceNotFoundException and returns NULL. Caller holds the lock. */
stream *records_stream(op_call *call);

/* Whether records of this stream may be written and read in its current status. */
bool records_stream_usable(const stream *s);

/* The hash key of a record: its ExplicitHashKey when present (InvalidArgumentException when out of
 * range), else MD5 of its PartitionKey. */
bool records_hash_key(const kval *record, u128 *out, aws_error *err);

/* A stream that distributes by partition key (USER_PARTITION_KEY) needs every record's key: the
 * model no longer requires it (AUTO ignores it), so the ValidationException it gave comes from
 * here, with the same text ("Value null at 'partitionKey'", PutRecords' at
 * 'records.N.member.partitionKey'). False with err set. */
bool records_require_keys(const op_call *call, const stream *s);

/* ResourceNotFoundException "Shard ID in stream NAME under account ACCOUNT does not exist", with
 * the id as AWS reports it (shardId-000000000005 for "5"). */
void records_shard_not_found(aws_error *err, const char *shard_id, const char *stream_name,
                             const char *account);

/* The "Records" member of GetRecords and SubscribeToShardEvent: the records of sh from position
 * `from`, at most max_records of at most max_bytes. Fills *rr: the position after the last one
 * read, MillisBehindLatest (0 at the tip or when none was read), how many records and bytes were
 * read. -1 when the log cannot be read (the list is left open). */
int records_write_list(kenc *out, const shard *sh, uint64_t from, size_t max_records,
                       size_t max_bytes, int64_t now_ms, records_read *rr);
/* ChildShards: every shard that has sh as its parent or adjacent parent. */
void records_write_children(kenc *out, const stream *s, const shard *sh);

/* The record's sequence number. */
static inline void records_seqno(const shard *sh, uint64_t offset, char out[SEQNO_LEN + 1])
{
    seqno_format(sh->created_ms, sh->index, seqno_record_position(offset), out);
}

#endif
