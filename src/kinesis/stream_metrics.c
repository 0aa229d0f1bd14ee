/* stream_metrics.c - the AWS/Kinesis metrics of the record operations (see stream_metrics.h). */
#include "stream_metrics.h"

#include <string.h>

#include "../monitoring/metrics.h"

#define NAMESPACE "AWS/Kinesis"

/* The bits of EnableEnhancedMonitoring's metric names (the model's MetricsName order). */
enum {
    SHARD_INCOMING_BYTES = 1 << 0,
    SHARD_INCOMING_RECORDS = 1 << 1,
    SHARD_OUTGOING_BYTES = 1 << 2,
    SHARD_OUTGOING_RECORDS = 1 << 3,
    SHARD_WRITE_EXCEEDED = 1 << 4,
    SHARD_READ_EXCEEDED = 1 << 5,
    SHARD_ITERATOR_AGE = 1 << 6,
};

#define COUNTER(name, value)                                                                       \
    {                                                                                              \
        name, METRIC_COUNTER, (double)(value), UNIT_COUNT                                          \
    }
#define BYTES(name, value)                                                                         \
    {                                                                                              \
        name, METRIC_COUNTER, (double)(value), UNIT_BYTES                                          \
    }
#define AGE(name, value)                                                                           \
    {                                                                                              \
        name, METRIC_GAUGE, (double)(value), UNIT_MILLISECONDS                                     \
    }

static void add_to_stream(const stream *s, const metric_sample *samples, size_t n)
{
    metric_dim dim = {"StreamName", s->name};
    metric_scope scope = {s->account, s->region, NAMESPACE, &dim, 1};
    metric_add_all(&scope, samples, n);
}

/* The samples whose enhanced-monitoring bit the stream set, in the shard's scope. */
static void add_to_shard(const stream *s, const shard *sh, const metric_sample *samples,
                         const unsigned *bits, size_t n)
{
    metric_sample chosen[8];
    size_t k = 0;
    for (size_t i = 0; i < n && k < 8; i++)
        if (s->shard_level_metrics & bits[i])
            chosen[k++] = samples[i];
    if (!k || !sh)
        return;
    metric_dim dims[] = {{"StreamName", s->name}, {"ShardId", sh->id}};
    metric_scope scope = {s->account, s->region, NAMESPACE, dims, 2};
    metric_add_all(&scope, chosen, k);
}

/* ---- latency ------------------------------------------------------------------------------ */

/* Whose latency the answered hook records (copies in the call's arena). */
typedef struct timed {
    const char *account; /* the stream's */
    const char *region;  /* the stream's */
    const char *stream;  /* its name */
    const char *metric;  /* "PutRecords.Latency" */
} timed;

static void answered(op_call *call, int64_t elapsed_us)
{
    const timed *t = call->answered_arg;
    metric_dim dim = {"StreamName", t->stream};
    metric_scope scope = {t->account, t->region, NAMESPACE, &dim, 1};
    metric_add(&scope, t->metric, METRIC_HISTOGRAM, (double)elapsed_us / 1000.0, UNIT_MILLISECONDS);
}

void stream_metrics_time(op_call *call, const stream *s, const char *latency_metric)
{
    if (!metrics_enabled())
        return;
    timed *t = arena_alloc(call->arena, sizeof *t);
    *t = (timed){arena_strdup(call->arena, s->account), arena_strdup(call->arena, s->region),
                 arena_strdup(call->arena, s->name), latency_metric};
    call->answered = answered;
    call->answered_arg = t;
}

/* ---- puts --------------------------------------------------------------------------------- */

void stream_metrics_shard_in(const stream *s, const shard *sh, size_t records, size_t bytes,
                             size_t throttled)
{
    if (!(s->shard_level_metrics &
          (SHARD_INCOMING_BYTES | SHARD_INCOMING_RECORDS | SHARD_WRITE_EXCEEDED)))
        return;
    metric_sample samples[] = {BYTES("IncomingBytes", bytes), COUNTER("IncomingRecords", records),
                               COUNTER("WriteProvisionedThroughputExceeded", throttled)};
    static const unsigned bits[] = {SHARD_INCOMING_BYTES, SHARD_INCOMING_RECORDS,
                                    SHARD_WRITE_EXCEEDED};
    add_to_shard(s, sh, samples, bits, 3);
}

void stream_metrics_put_record(const stream *s, const shard *sh, size_t bytes, bool ok,
                               bool throttled)
{
    metric_sample samples[] = {
        COUNTER("PutRecord.Success", ok), COUNTER("WriteProvisionedThroughputExceeded", throttled),
        BYTES("PutRecord.Bytes", bytes),  COUNTER("IncomingRecords", 1),
        BYTES("IncomingBytes", bytes),
    };
    add_to_stream(s, samples, ok ? 5 : 2);
    if (ok || throttled)
        stream_metrics_shard_in(s, sh, ok, ok ? bytes : 0, throttled);
}

void stream_metrics_put_records(const stream *s, size_t total, size_t failed, size_t throttled,
                                size_t bytes)
{
    metric_sample samples[] = {
        COUNTER("PutRecords.Success", failed < total),
        COUNTER("WriteProvisionedThroughputExceeded", throttled),
        COUNTER("PutRecords.TotalRecords", total),
        COUNTER("PutRecords.SuccessfulRecords", total - failed),
        COUNTER("PutRecords.FailedRecords", failed - throttled),
        COUNTER("PutRecords.ThrottledRecords", throttled),
        BYTES("PutRecords.Bytes", bytes),
        COUNTER("IncomingRecords", total - failed),
        BYTES("IncomingBytes", bytes),
    };
    add_to_stream(s, samples, total == 0 ? 2 : failed < total ? 9 : 6);
}

/* ---- reads -------------------------------------------------------------------------------- */

static void shard_out(const stream *s, const shard *sh, const records_read *rr)
{
    metric_sample samples[] = {BYTES("OutgoingBytes", rr->bytes),
                               COUNTER("OutgoingRecords", rr->records),
                               AGE("IteratorAgeMilliseconds", rr->millis_behind),
                               COUNTER("ReadProvisionedThroughputExceeded", 0)};
    static const unsigned bits[] = {SHARD_OUTGOING_BYTES, SHARD_OUTGOING_RECORDS,
                                    SHARD_ITERATOR_AGE, SHARD_READ_EXCEEDED};
    add_to_shard(s, sh, samples, bits, 4);
}

void stream_metrics_get_records(const stream *s, const shard *sh, const records_read *rr,
                                bool throttled)
{
    metric_sample samples[] = {
        COUNTER("GetRecords.Success", rr != NULL),
        COUNTER("ReadProvisionedThroughputExceeded", throttled),
        COUNTER("GetRecords.Records", rr ? rr->records : 0),
        BYTES("GetRecords.Bytes", rr ? rr->bytes : 0),
        AGE("GetRecords.IteratorAgeMilliseconds", rr ? rr->millis_behind : 0),
    };
    add_to_stream(s, samples, rr ? 5 : 2);
    if (rr && s->shard_level_metrics)
        shard_out(s, sh, rr);
    if (throttled && (s->shard_level_metrics & SHARD_READ_EXCEEDED)) {
        metric_sample exceeded = COUNTER("ReadProvisionedThroughputExceeded", 1);
        static const unsigned bit = SHARD_READ_EXCEEDED;
        add_to_shard(s, sh, &exceeded, &bit, 1);
    }
}

void stream_metrics_subscribe(const stream *s, const char *consumer, bool ok, bool rate_exceeded)
{
    metric_dim dims[] = {{"StreamName", s->name}, {"ConsumerName", consumer}};
    metric_scope scope = {s->account, s->region, NAMESPACE, dims, 2};
    metric_sample samples[] = {COUNTER("SubscribeToShard.Success", ok),
                               COUNTER("SubscribeToShard.RateExceeded", rate_exceeded)};
    metric_add_all(&scope, samples, 2);
}

void stream_metrics_event(const stream *s, const shard *sh, const char *consumer,
                          const records_read *rr)
{
    metric_dim dims[] = {{"StreamName", s->name}, {"ConsumerName", consumer}};
    metric_scope scope = {s->account, s->region, NAMESPACE, dims, 2};
    metric_sample samples[] = {
        COUNTER("SubscribeToShardEvent.Success", 1),
        COUNTER("SubscribeToShardEvent.Records", rr->records),
        BYTES("SubscribeToShardEvent.Bytes", rr->bytes),
        AGE("SubscribeToShardEvent.MillisBehindLatest", rr->millis_behind),
    };
    metric_add_all(&scope, samples, 4);
    if (s->shard_level_metrics)
        shard_out(s, sh, rr);
}
