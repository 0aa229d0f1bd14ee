/* producer.h - the libkines producer: asynchronous, batched PutRecords with per-record retries.
 *
 * kines_producer_put copies the record into a bounded buffer and returns; background threads
 * send batches of up to max_batch_records / max_batch_bytes, at the latest linger_ms after the
 * oldest buffered record arrived, with up to max_in_flight PutRecords requests at a time (each
 * thread its own connection, serving the partition keys that hash to it). Records that a PutRecords
 * reports failed with a retryable code (or whose whole call failed with a retryable error) are
 * retried alone, each with its own exponential backoff, until record_ttl_ms has passed since they
 * were put. Order per partition key is kept: a batch holds at most one entry per key, and a failed
 * record holds back the later records of its key until it is sent again; and the records of a key
 * are never in two requests at once. With aggregation the records of a key in a batch are packed
 * into one KPL aggregated record (see aggregation.h), which keeps them in order too.
 *
 * Each record's outcome is reported exactly once through on_result, from one of the producer's
 * threads, one call at a time (the calls need no lock of their own). */
#ifndef KINES_PRODUCER_H
#define KINES_PRODUCER_H

#include "kines.h"
#include "schema.h"

#ifdef __cplusplus
extern "C" {
#endif

/* err is NULL on success (shard_id and sequence_number set), else why the record was dropped. */
typedef void (*kines_result_fn)(void *user, void *record_ctx, const char *shard_id,
                                const char *sequence_number, const kines_error *err);

typedef struct kines_producer_options {
    size_t struct_size;         /* sizeof(kines_producer_options): KINES_PRODUCER_OPTIONS_INIT */
    int max_batch_records;      /* default 500 */
    size_t max_batch_bytes;     /* default 5 MiB, at least 1 MiB */
    int linger_ms;              /* default 100 */
    size_t max_buffered_bytes;  /* default 64 MiB */
    bool fail_when_full;        /* put fails with KINES_ERR_FULL instead of blocking */
    int record_ttl_ms;          /* default 60000 */
    bool aggregate;             /* pack records of one partition key into KPL aggregates */
    size_t max_aggregate_bytes; /* default 51200, at most just under 1 MiB */
    kines_result_fn on_result;  /* may be NULL */
    void *user;
    int max_in_flight; /* concurrent PutRecords requests; default 4, at most 64 */
    /* When set, kines_producer_put refuses records whose data is not valid against it
     * (KINES_ERR_INVALID naming every error) before they are buffered. Not owned: keep it until
     * the producer is closed. */
    const kines_schema *schema;
} kines_producer_options;

#define KINES_PRODUCER_OPTIONS_INIT                                                                \
    {                                                                                              \
        .struct_size = sizeof(kines_producer_options)                                              \
    }

typedef struct kines_producer_stats {
    uint64_t records_put;       /* accepted by kines_producer_put */
    uint64_t records_delivered; /* acknowledged by Kinesis */
    uint64_t records_failed;    /* dropped after their error or TTL */
    uint64_t bytes_delivered;   /* data bytes */
    uint64_t requests;          /* PutRecords calls */
    uint64_t retried_records;   /* records sent again after a failure */
    size_t buffered_records;
} kines_producer_stats;

typedef struct kines_producer kines_producer;

kines_producer *kines_producer_new(const kines_options *client, const char *stream,
                                   const kines_producer_options *opts, kines_error *err);

/* Copies the record in. explicit_hash_key may be NULL. Blocks while the buffer is full, unless
 * fail_when_full. Fails with KINES_ERR_INVALID for records Kinesis would reject, and for records
 * that do not match the options' schema. */
int kines_producer_put(kines_producer *p, const void *data, size_t len, const char *partition_key,
                       const char *explicit_hash_key, void *record_ctx, kines_error *err);

/* Sends everything buffered now and waits until every record put so far has its outcome. */
void kines_producer_flush(kines_producer *p);

void kines_producer_stats_get(kines_producer *p, kines_producer_stats *out);

/* Flushes, stops the thread and frees the producer; nothing put is lost. */
void kines_producer_close(kines_producer *p);

#ifdef __cplusplus
}
#endif

#endif
