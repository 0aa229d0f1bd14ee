/* kinesis_internal.h - the narrow interface other services of kinesd use to reach streams
 * without going through the Kinesis API: resolve a stream ARN, append a record, and read shards.
 *
 * Lambda uses it for stream destinations of asynchronous invocations and for its event source
 * mappings, which follow a stream's shards (their lineage after a reshard), read each from a
 * position and checkpoint by offset. Every function may be called from any thread that holds
 * no Kinesis lock: each takes registry_lock shared for its own duration. */
#ifndef KINESD_KINESIS_INTERNAL_H
#define KINESD_KINESIS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../protocol/awserr.h"

/* Whether the ARN names an existing stream (in the ARN's own account and region) that is not
 * being deleted. */
bool kinesis_stream_exists(const char *stream_arn);

/* Appends one record to the stream, routed by its partition key as PutRecord routes it. 0 with
 * *ticket set (the record is durable once the store reports that ticket); -1 with err set
 * (ResourceNotFoundException, ResourceInUseException, InternalFailure). */
int kinesis_append(const char *stream_arn, const char *partition_key, const void *data, size_t len,
                   int64_t now_ms, uint64_t *ticket, aws_error *err);

/* --- reading shards ----------------------------------------------------------------------------
 */

#define KINESIS_SEQNO_LEN 56

/* One shard as a reader outside the Kinesis API sees it: its place in the stream's lineage and
 * how far it can be read. A shard is finished for a reader whose next offset is at end_offset
 * of a closed shard (kinesis_shard_finished): nothing more will ever be appended to it. */
typedef struct kinesis_shard_view {
    int index;             /* in its stream: the N of shardId-00000000000N */
    char id[24];           /* "shardId-000000000007" */
    int parent;            /* the index of its parent, -1 for none */
    int adjacent_parent;   /* of its adjacent parent (a merge), -1 for none */
    bool closed;           /* a reshard closed it: it takes no more records */
    uint64_t end_offset;   /* when closed: the offset after its last record */
    uint64_t trim_horizon; /* the first offset still stored (retention trims below it) */
    uint64_t committed;    /* offsets below this are durable and readable */
    int64_t created_ms;    /* its creation time (its sequence numbers encode it) */
} kinesis_shard_view;

/* The stream an event source ARN names (a stream, or an enhanced fan-out consumer of one), with
 * every shard it has (open and closed), as they were when it was resolved. */
typedef struct kinesis_source {
    uint64_t stream_uid;     /* the stream's identity (a stream re-created by name has another) */
    char stream_arn[256];    /* arn:aws:kinesis:REGION:ACCOUNT:stream/NAME */
    char stream_name[129];   /* NAME */
    char account[16];        /* the stream's account */
    char region[32];         /* and region */
    char consumer_name[129]; /* the consumer's name when the ARN named one; "" otherwise */
    bool readable;           /* ACTIVE or UPDATING: its records may be read */
    bool deleting;           /* DELETING: it is going away */
    int shard_count;         /* entries in shards */
    kinesis_shard_view *shards; /* by index (shards[i].index == i); kinesis_source_free frees */
} kinesis_source;

/* Resolves a stream ARN, or the ARN of an ACTIVE consumer registered with a stream (the stream is
 * then read on the consumer's account: its SubscribeToShardEvent metrics). 0 with *out filled;
 * -1 with ResourceNotFoundException (or InvalidArgumentException for an ARN of no stream) in
 * err. A stream being created or deleted resolves with readable false. */
int kinesis_source_resolve(const char *arn, kinesis_source *out, aws_error *err);
void kinesis_source_free(kinesis_source *src);

/* Whether a reader whose next offset is `next` has read all the shard will ever hold. */
static inline bool kinesis_shard_finished(const kinesis_shard_view *sh, uint64_t next)
{
    return sh->closed && next >= sh->end_offset;
}

/* One record read from a shard. The pointers are valid only during the visit. */
typedef struct kinesis_record {
    uint64_t offset;                             /* its position in the shard (checkpoints) */
    int64_t arrival_ms;                          /* ApproximateArrivalTimestamp */
    char sequence_number[KINESIS_SEQNO_LEN + 1]; /* as GetRecords reports it */
    const char *partition_key;                   /* its partition key */
    size_t partition_key_len;                    /* bytes of it */
    const void *data;                            /* its data blob */
    size_t data_len;                             /* bytes of it */
} kinesis_record;

/* Called for each record, holding registry_lock shared: it must not block or call Kinesis; false
 * stops the read after this record. */
typedef bool (*kinesis_record_fn)(const kinesis_record *rec, void *arg);

/* Visits the committed records of shard `shard_index` of src's stream from offset `from` on, at
 * most max_records of at most max_bytes (data and partition keys; one record at least), as
 * GetRecords reads them, and counts the read in the stream's metrics (GetRecords.*, or the
 * consumer's SubscribeToShardEvent.* when src names one). *next is the offset after the last
 * record visited (from, or the trim horizon when from is below it, when none was). 0; -1 with
 * err when the stream is gone or not readable or has no such shard (ResourceNotFoundException)
 * or the log cannot be read (InternalFailure). Any thread; reads disk. */
int kinesis_read(const kinesis_source *src, int shard_index, uint64_t from, size_t max_records,
                 size_t max_bytes, kinesis_record_fn visit, void *arg, uint64_t *next,
                 aws_error *err);

/* The first offset of the shard whose record arrived at ts_ms or later (its committed end when
 * none did): where AT_TIMESTAMP starts. -1 when the stream or shard is gone. */
int kinesis_offset_at_time(const kinesis_source *src, int shard_index, int64_t ts_ms,
                           uint64_t *offset);

#endif
