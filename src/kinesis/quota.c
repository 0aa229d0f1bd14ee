/* quota.c - the throughput quotas (see quota.h): shard and stream gates, the on-demand capacity,
 * and the control-plane rates.
 *
 * The control-plane gates live in one table keyed by "operation account region" or "operation
 * account region stream", behind one mutex (control-plane calls are few). A gate whose debt is
 * paid is the same as no gate, so the table drops those whenever it fills up: it holds only the
 * gates of recent calls. */
#include "quota.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/clock.h"
#include "../core/config.h"
#include "stream_arn.h"

#define MIB (1024 * 1024)
#define SECOND RATE_SECOND_NS

static const rate_limit shard_write_bytes = {MIB, SECOND};
static const rate_limit shard_write_records = {1000, SECOND};
static const rate_limit shard_read_calls = {5, SECOND};
static const rate_limit shard_read_bytes = {2 * MIB, 1}; /* no debt at all: B bytes, B/2MiB s */
static const rate_limit shard_iterator_calls = {5, SECOND};
static const rate_limit push_bytes = {2 * MIB, 1};

#define ON_DEMAND_BYTES (4 * MIB) /* an on-demand stream's first write capacity, a second */
#define ON_DEMAND_RECORDS 4000
#define PEAK_SETTLES_MINUTES 15 /* a peak raises the capacity once it is this old */

bool quota_enabled(void)
{
    return kinesd_cfg.throughput_limits;
}

/* ---- shards and streams ---------------------------------------------------------------------- */

static void *zalloc(size_t size)
{
    void *p = calloc(1, size);
    if (!p)
        abort();
    return p;
}

shard_quota *shard_quota_new(void)
{
    shard_quota *q = zalloc(sizeof *q);
    pthread_mutex_init(&q->mu, NULL);
    return q;
}

void shard_quota_free(shard_quota *q)
{
    if (!q)
        return;
    pthread_mutex_destroy(&q->mu);
    free(q);
}

stream_quota *stream_quota_new(void)
{
    stream_quota *q = zalloc(sizeof *q);
    pthread_mutex_init(&q->mu, NULL);
    return q;
}

void stream_quota_free(stream_quota *q)
{
    if (!q)
        return;
    pthread_mutex_destroy(&q->mu);
    free(q);
}

static uint64_t record_bytes(const log_record_in *r)
{
    return r->data_len + r->partition_key_len;
}

/* How many of the records the two gates admit (charged): a prefix, each admitted while both are
 * open. *bytes_out: their bytes. */
static size_t admit_prefix(rate_gate *bytes, const rate_limit *byte_rate, rate_gate *records,
                           const rate_limit *record_rate, const log_record_in *recs, size_t n,
                           int64_t now_ns, uint64_t *bytes_out)
{
    uint64_t byte_room = rate_room(bytes, byte_rate, now_ns);
    uint64_t record_room = rate_room(records, record_rate, now_ns);
    size_t admitted = 0;
    uint64_t sum = 0;
    while (admitted < n && admitted < record_room && sum < byte_room)
        sum += record_bytes(&recs[admitted++]);
    rate_charge(bytes, byte_rate, sum, now_ns);
    rate_charge(records, record_rate, admitted, now_ns);
    *bytes_out = sum;
    return admitted;
}

/* Moves the minutes 15 minutes old or older into `settled`. */
static void settle_peaks(stream_quota *q, int64_t minute)
{
    for (int i = 0; i < QUOTA_PEAK_MINUTES; i++) {
        quota_peak *p = &q->recent[i];
        if (!p->minute || minute - p->minute < PEAK_SETTLES_MINUTES)
            continue;
        if (p->bytes > q->settled.bytes)
            q->settled.bytes = p->bytes;
        if (p->records > q->settled.records)
            q->settled.records = p->records;
        *p = (quota_peak){0};
    }
}

/* A new second began: the one that ended joins its minute's peak. */
static void roll_second(stream_quota *q, int64_t second)
{
    if (q->second && second != q->second) {
        int64_t minute = q->second / 60;
        quota_peak *p = &q->recent[minute % QUOTA_PEAK_MINUTES];
        if (p->minute != minute)
            *p = (quota_peak){.minute = minute};
        if (q->second_bytes > p->bytes)
            p->bytes = q->second_bytes;
        if (q->second_records > p->records)
            p->records = q->second_records;
        q->second_bytes = q->second_records = 0;
    }
    q->second = second;
    settle_peaks(q, second / 60);
}

static int64_t capacity(uint64_t settled_peak, int64_t floor)
{
    int64_t doubled = (int64_t)settled_peak * 2;
    return doubled > floor ? doubled : floor;
}

/* The on-demand stream's capacity admits a prefix; what it admits counts toward its peaks. */
static size_t admit_on_demand(stream_quota *q, const log_record_in *recs, size_t n, int64_t now_ns)
{
    pthread_mutex_lock(&q->mu);
    roll_second(q, now_ns / SECOND + 1); /* + 1: second 0 would read as "none" */
    rate_limit bytes = {capacity(q->settled.bytes, ON_DEMAND_BYTES), SECOND};
    rate_limit records = {capacity(q->settled.records, ON_DEMAND_RECORDS), SECOND};
    uint64_t admitted_bytes;
    size_t admitted = admit_prefix(&q->write_bytes, &bytes, &q->write_records, &records, recs, n,
                                   now_ns, &admitted_bytes);
    q->second_bytes += admitted_bytes;
    q->second_records += admitted;
    pthread_mutex_unlock(&q->mu);
    return admitted;
}

size_t quota_admit_writes(shard_quota *shard, stream_quota *stream, bool on_demand,
                          const log_record_in *recs, size_t n, int64_t now_ns)
{
    if (!quota_enabled())
        return n;
    if (on_demand)
        return admit_on_demand(stream, recs, n, now_ns);
    uint64_t admitted_bytes;
    pthread_mutex_lock(&shard->mu);
    size_t admitted = admit_prefix(&shard->write_bytes, &shard_write_bytes, &shard->write_records,
                                   &shard_write_records, recs, n, now_ns, &admitted_bytes);
    pthread_mutex_unlock(&shard->mu);
    return admitted;
}

void quota_count_refused_writes(shard_quota *shard, stream_quota *stream, bool on_demand,
                                size_t refused)
{
    _Atomic uint64_t *records =
        on_demand ? &stream->throttled_write_records : &shard->throttled_write_records;
    _Atomic uint64_t *requests =
        on_demand ? &stream->throttled_write_requests : &shard->throttled_write_requests;
    atomic_fetch_add_explicit(records, refused, memory_order_relaxed);
    atomic_fetch_add_explicit(requests, 1, memory_order_relaxed);
}

static bool counted_refusal(_Atomic uint64_t *refused)
{
    atomic_fetch_add_explicit(refused, 1, memory_order_relaxed);
    return false;
}

bool quota_admit_read(shard_quota *q, int64_t now_ns)
{
    if (!quota_enabled())
        return true;
    pthread_mutex_lock(&q->mu);
    bool ok = rate_open(&q->read_bytes, &shard_read_bytes, now_ns) &&
              rate_take(&q->read_calls, &shard_read_calls, 1, now_ns);
    pthread_mutex_unlock(&q->mu);
    return ok || counted_refusal(&q->throttled_reads);
}

void quota_charge_read(shard_quota *q, size_t bytes, int64_t now_ns)
{
    if (!quota_enabled())
        return;
    pthread_mutex_lock(&q->mu);
    rate_charge(&q->read_bytes, &shard_read_bytes, bytes, now_ns);
    pthread_mutex_unlock(&q->mu);
}

bool quota_admit_iterator(shard_quota *q, int64_t now_ns)
{
    if (!quota_enabled())
        return true;
    pthread_mutex_lock(&q->mu);
    bool ok = rate_take(&q->iterator_calls, &shard_iterator_calls, 1, now_ns);
    pthread_mutex_unlock(&q->mu);
    return ok || counted_refusal(&q->throttled_iterators);
}

bool quota_push_open(const rate_gate *g, int64_t now_ns)
{
    return !quota_enabled() || rate_open(g, &push_bytes, now_ns);
}

void quota_push_charge(rate_gate *g, size_t bytes, int64_t now_ns)
{
    if (quota_enabled())
        rate_charge(g, &push_bytes, bytes, now_ns);
}

void quota_shard_message(char *out, size_t len, const char *shard_id, const char *stream_name,
                         const char *account)
{
    snprintf(out, len, "Rate exceeded for shard %s in stream %s under account %s.", shard_id,
             stream_name, account);
}

void quota_fail_shard(aws_error *err, const char *shard_id, const char *stream_name,
                      const char *account)
{
    char message[320];
    quota_shard_message(message, sizeof message, shard_id, stream_name, account);
    aws_error_set(err, 400, "ProvisionedThroughputExceededException", "%s", message);
}

/* ---- the control plane ---------------------------------------------------------------------- */

/* An operation's documented rate: "N transactions per second per account" (or per stream). */
typedef struct control_rate {
    const char *operation;
    int per_second;
    bool per_stream;
} control_rate;

static const control_rate control_rates[] = {
    {"AddTagsToStream", 5, false},
    {"CreateChannel", 5, false},
    {"CreateStream", 5, false},
    {"DeleteChannel", 5, false},
    {"DeleteStream", 5, false},
    {"DeregisterStreamConsumer", 5, true},
    {"DescribeAccountSettings", 5, false},
    {"DescribeChannel", 5, false},
    {"DescribeLimits", 1, false},
    {"DescribeStream", 10, false},
    {"DescribeStreamConsumer", 20, true},
    {"DescribeStreamSummary", 20, false},
    {"ListChannels", 5, false},
    {"ListShards", 1000, true},
    {"ListStreamConsumers", 5, true},
    {"ListStreams", 5, false},
    {"ListTagsForStream", 5, false},
    {"MergeShards", 5, false},
    {"RegisterStreamConsumer", 5, false},
    {"RemoveTagsFromStream", 5, false},
    {"SplitShard", 5, false},
    {"UpdateAccountSettings", 5, false},
    {"UpdateChannel", 5, false},
    {"UpdateShardCount", 10, false},
    {"UpdateStreamWarmThroughput", 5, false},
};

#define CALL_GATES 4096 /* the table's slots; it is emptied of idle gates when half full */
#define CALL_KEY_MAX 320

typedef struct call_gate {
    char key[CALL_KEY_MAX]; /* "" : a free slot */
    rate_gate gate;
} call_gate;

static pthread_mutex_t calls_mu = PTHREAD_MUTEX_INITIALIZER;
static call_gate *call_gates; /* CALL_GATES slots, open addressing; under calls_mu */
static size_t call_gate_count;
static _Atomic uint64_t refused_calls;

static const control_rate *control_rate_of(const char *operation)
{
    for (size_t i = 0; i < sizeof control_rates / sizeof *control_rates; i++)
        if (strcmp(control_rates[i].operation, operation) == 0)
            return &control_rates[i];
    return NULL;
}

static size_t slot_of(const char *key)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return (size_t)(h % CALL_GATES);
}

static call_gate *find_slot(call_gate *table, const char *key)
{
    size_t i = slot_of(key);
    while (table[i].key[0] && strcmp(table[i].key, key) != 0)
        i = (i + 1) % CALL_GATES;
    return &table[i];
}

/* Keeps only the gates that still hold a debt (the others are as good as new). */
static void drop_idle_gates(int64_t now_ns)
{
    call_gate *old = call_gates;
    call_gates = zalloc(CALL_GATES * sizeof *call_gates);
    call_gate_count = 0;
    for (size_t i = 0; old && i < CALL_GATES; i++) {
        if (!old[i].key[0] || rate_idle(&old[i].gate, now_ns))
            continue;
        *find_slot(call_gates, old[i].key) = old[i];
        call_gate_count++;
    }
    free(old);
}

/* The gate of key, made when missing. Caller holds calls_mu. */
static rate_gate *gate_of(const char *key, int64_t now_ns)
{
    if (!call_gates || call_gate_count >= CALL_GATES / 2)
        drop_idle_gates(now_ns);
    call_gate *slot = find_slot(call_gates, key);
    if (!slot->key[0]) {
        snprintf(slot->key, sizeof slot->key, "%s", key);
        call_gate_count++;
    }
    return &slot->gate;
}

/* The stream a per-stream operation names: StreamName, or the stream of StreamARN or ConsumerARN;
 * "" when none (then its rate is the account's). */
static void named_stream(const op_call *call, char *out, size_t len)
{
    const char *name = kv_str(call->input, "StreamName");
    const char *arn = kv_str(call->input, "StreamARN");
    if (!arn)
        arn = kv_str(call->input, "ConsumerARN");
    stream_arn parts;
    if (!name && arn && stream_arn_parse(arn, &parts))
        name = parts.name;
    snprintf(out, len, "%s", name ? name : "");
}

bool quota_admit_call_at(op_call *call, int64_t now_ns)
{
    const control_rate *rate = quota_enabled() ? control_rate_of(call->operation) : NULL;
    if (!rate)
        return true;
    char stream[130] = "", key[CALL_KEY_MAX];
    if (rate->per_stream)
        named_stream(call, stream, sizeof stream);
    snprintf(key, sizeof key, "%s %s %s %s", rate->operation, call->account, call->region, stream);
    rate_limit limit = {rate->per_second, SECOND};
    pthread_mutex_lock(&calls_mu);
    bool ok = rate_take(gate_of(key, now_ns), &limit, 1, now_ns);
    pthread_mutex_unlock(&calls_mu);
    if (ok)
        return true;
    atomic_fetch_add_explicit(&refused_calls, 1, memory_order_relaxed);
    if (!stream[0])
        named_stream(call, stream, sizeof stream); /* AWS names the stream when there is one */
    if (stream[0])
        aws_error_set(call->err, 400, "LimitExceededException",
                      "Rate exceeded for stream %s under account %s.", stream, call->account);
    else
        aws_error_set(call->err, 400, "LimitExceededException", "Rate exceeded for account %s.",
                      call->account);
    return false;
}

bool quota_admit_call(op_call *call, const op_entry *entry)
{
    (void)entry;
    return quota_admit_call_at(call, clock_mono_ns());
}

void quota_reset_calls(void)
{
    pthread_mutex_lock(&calls_mu);
    free(call_gates);
    call_gates = NULL;
    call_gate_count = 0;
    pthread_mutex_unlock(&calls_mu);
}

uint64_t quota_refused_calls(void)
{
    return atomic_load_explicit(&refused_calls, memory_order_relaxed);
}
