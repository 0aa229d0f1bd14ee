/* stream_metrics.h - what the record operations tell the metrics registry (metrics.h): the
 * AWS/Kinesis metrics of a stream, as AWS defines them, in the stream's account and region.
 *
 * Per stream (dimension StreamName), one sample per operation: IncomingRecords and IncomingBytes
 * (records and bytes a put stored), PutRecord.Success / PutRecords.Success (1 or 0: whether the
 * call stored anything), .Bytes, .Latency (from the request's arrival to its answer, the
 * fdatasync wait included), PutRecords.TotalRecords, .SuccessfulRecords, .FailedRecords,
 * .ThrottledRecords; GetRecords.Success, .Records, .Bytes, .Latency, .IteratorAgeMilliseconds
 * (the answer's MillisBehindLatest); WriteProvisionedThroughputExceeded (records a put had
 * throttled) and ReadProvisionedThroughputExceeded (GetRecords throttled), both 0 unless
 * --throughput-limits aws (quota.h). Per stream and
 * consumer (StreamName, ConsumerName): SubscribeToShard.Success and .RateExceeded (1 when another
 * subscription holds the shard), and per event pushed SubscribeToShardEvent.Success, .Records,
 * .Bytes, .MillisBehindLatest.
 *
 * Per shard (StreamName, ShardId), only those the stream enabled with EnableEnhancedMonitoring:
 * IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords (GetRecords and events),
 * IteratorAgeMilliseconds, WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded.
 *
 * Bytes are data and partition key, as Kinesis counts a record's size. Called with the registry
 * lock held (stream and shard pointers valid); cheap: one metric_add_all per scope. */
#ifndef KINESD_STREAM_METRICS_H
#define KINESD_STREAM_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/call.h"
#include "registry.h"

/* What one read (GetRecords, a SubscribeToShardEvent) returned. */
typedef struct records_read {
    uint64_t next;         /* the position after the last record read */
    int64_t millis_behind; /* MillisBehindLatest */
    size_t records;        /* how many */
    size_t bytes;          /* their data and partition keys */
} records_read;

/* Records `<operation>.Latency` of s when the call's answer goes out. */
void stream_metrics_time(op_call *call, const stream *s, const char *latency_metric);

/* A PutRecord into sh (NULL when it failed before routing) of `bytes`; ok: stored; throttled:
 * refused by the throughput quota. */
void stream_metrics_put_record(const stream *s, const shard *sh, size_t bytes, bool ok,
                               bool throttled);
/* A PutRecords of `total` records, `failed` of them not stored (`throttled` of those by the
 * throughput quota), `bytes` stored; total 0: the request was refused. */
void stream_metrics_put_records(const stream *s, size_t total, size_t failed, size_t throttled,
                                size_t bytes);
/* Records and bytes stored in one shard by a put, and records it throttled (enhanced
 * monitoring). */
void stream_metrics_shard_in(const stream *s, const shard *sh, size_t records, size_t bytes,
                             size_t throttled);
/* A GetRecords from sh (rr NULL when it failed; throttled: by the throughput quota). */
void stream_metrics_get_records(const stream *s, const shard *sh, const records_read *rr,
                                bool throttled);
/* A SubscribeToShard by `consumer`: established (ok), or refused because another subscription
 * holds the shard (rate_exceeded). */
void stream_metrics_subscribe(const stream *s, const char *consumer, bool ok, bool rate_exceeded);
/* A SubscribeToShardEvent pushed from sh to `consumer`. */
void stream_metrics_event(const stream *s, const shard *sh, const char *consumer,
                          const records_read *rr);

#endif
