/* ops_put.c - PutRecord and PutRecords: route each record by its hash key to the open shard
 * whose range holds it, append what the throughput quotas admit (quota.h: a prefix of each
 * shard's records; the rest are ProvisionedThroughputExceededException), and answer with shard
 * ids and sequence numbers. A stream with a contract (contract.h) stores only the records that
 * match it; PutRecords answers the others as failed entries.
 *
 * The response waits for durability: call->commit_ticket is the highest ticket of the appends.
 * SequenceNumberForOrdering is accepted as AWS accepts it (any number the model's pattern allows):
 * records of one partition key are in order anyway, as each shard appends in arrival order.
 * PutRecords groups its records per shard (keeping their order) so that each shard takes one
 * append, and so one lock, per request; its scratch arrays come from the request arena. */
#include <stdio.h>
#include <string.h>

#include "../common/clock.h"
#include "../monitoring/metrics.h"
#include "../store/shardlog.h"
#include "contract.h"
#include "ops_util.h" /* fail_internal */
#include "ops.h"
#include "records.h"

/* A record's data and partition key (absent: "", which an AUTO stream allows), read from its
 * members once. */
static log_record_in log_record_of(const kval *record)
{
    const kval *data = kv_get(record, "Data"), *key = kv_get(record, "PartitionKey");
    return (log_record_in){key ? key->u.s.ptr : "", key ? key->u.s.len : 0, data->u.s.ptr,
                           data->u.s.len};
}

static size_t record_size(const log_record_in *rec)
{
    return rec->data_len + rec->partition_key_len;
}

/* The largest record (data + partition key) the stream takes: its MaxRecordSizeInKiB. */
static size_t record_limit(const stream *s)
{
    return (size_t)s->max_record_kib * 1024;
}

/* ValidationException for a record over the stream's record size, naming PutRecord's "data"
 * (position 0) or PutRecords' "records.N.member.data" (position N). Data alone over the limit is
 * quoted as AWS quotes a blob; data that fits but not with its partition key is not quoted. */
static bool check_record_size(const stream *s, const log_record_in *rec, size_t position,
                              aws_error *err)
{
    size_t limit = record_limit(s), data_len = rec->data_len;
    if (record_size(rec) <= limit)
        return true;
    char member[48] = "data", value[96] = "";
    if (position)
        snprintf(member, sizeof(member), "records.%zu.member.data", position);
    if (data_len > limit)
        snprintf(value, sizeof(value), " 'java.nio.HeapByteBuffer[pos=0 lim=%zu cap=%zu]'",
                 data_len, data_len);
    aws_error_set(err, 400, "ValidationException",
                  "1 validation error detected: Value%s at '%s' failed to satisfy constraint: "
                  "Member must have length less than or equal to %zu",
                  value, member, limit);
    return false;
}

/* "EncryptionType": "KMS" when the records were stored sealed (AWS leaves it out otherwise). */
static void write_encryption_type(kenc *out, const stream *s)
{
    if (s->data_key) {
        enc_key(out, "EncryptionType");
        enc_str(out, "KMS");
    }
}

/* Where AUTO sends records: the stream's open shards, taken in turn. */
typedef struct auto_route {
    shard **open;
    size_t count;
} auto_route;

static _Thread_local uint64_t auto_cursor; /* this loop thread's turn */

/* The open shards of an AUTO stream (from the call's arena); none for a USER_PARTITION_KEY one. */
static auto_route auto_route_of(op_call *call, const stream *s)
{
    auto_route r = {0};
    if (!s->auto_distribution)
        return r;
    r.open = arena_alloc(call->arena, sizeof(shard *) * (size_t)s->shard_count);
    for (int i = 0; i < s->shard_count; i++)
        if (!s->shards[i]->closed)
            r.open[r.count++] = s->shards[i];
    return r;
}

/* The shard a record goes to: the next open one in turn (AUTO: keys and ExplicitHashKey are
 * ignored), else the one whose hash range holds its hash key. NULL with err set. */
static shard *route_record(const stream *s, const auto_route *r, const kval *record, aws_error *err)
{
    if (r->count)
        return r->open[auto_cursor++ % r->count];
    u128 hash;
    if (!records_hash_key(record, &hash, err))
        return NULL;
    shard *sh = stream_route(s, hash);
    if (!sh)
        fail_internal(err);
    return sh;
}

/* Appends one record and writes PutRecord's output. */
static void put_one(op_call *call, const stream *s)
{
    log_record_in rec = log_record_of(call->input);
    if (!records_require_keys(call, s) || !check_record_size(s, &rec, 0, call->err))
        return;
    auto_route r = auto_route_of(call, s);
    shard *sh = route_record(s, &r, call->input, call->err);
    if (!sh || !contract_admits(call, s, call->input))
        return;
    if (!quota_admit_writes(sh->quota, s->quota, s->on_demand, &rec, 1, clock_mono_ns())) {
        quota_count_refused_writes(sh->quota, s->quota, s->on_demand, 1);
        quota_fail_shard(call->err, sh->id, s->name, s->account);
        stream_metrics_put_record(s, sh, 0, false, true);
        return;
    }
    uint64_t offset;
    int64_t arrival_ms;
    if (shardlog_append_sealed(sh->log, s->data_key, &rec, 1, call->now_ms, &offset, &arrival_ms,
                               &call->commit_ticket) != 0) {
        fail_internal(call->err);
        return;
    }
    stream_metrics_put_record(s, sh, record_size(&rec), true, false);
    char seq[SEQNO_LEN + 1];
    records_seqno(sh, offset, seq);
    enc_map_begin(call->out);
    enc_key(call->out, "ShardId");
    enc_str(call->out, sh->id);
    enc_key(call->out, "SequenceNumber");
    enc_str(call->out, seq);
    write_encryption_type(call->out, s);
    enc_map_end(call->out);
}

void op_put_record(op_call *call)
{
    stream *s = records_stream(call);
    if (!s)
        return;
    stream_metrics_time(call, s, "PutRecord.Latency");
    put_one(call, s);
    if (call->err->status && strcmp(call->err->type, "ProvisionedThroughputExceededException"))
        stream_metrics_put_record(s, NULL, 0, false, false); /* a throttle was counted */
}

/* ---- PutRecords ------------------------------------------------------------------------------ */

/* The records of one request bound for one shard: recs[start .. start + count) of the batch. */
typedef struct shard_group {
    shard *sh;
    size_t start, count;
    size_t admitted; /* the first `admitted` records are appended; the rest were throttled */
    uint64_t first_offset;
    bool failed;
    char seq[SEQNO_LEN + 1]; /* the answer: the number of the group's record being written */
    size_t id_len;           /* strlen(sh->id) */
} shard_group;

typedef struct put_batch {
    size_t n;            /* records in the request */
    size_t *group_of;    /* per record: its group */
    size_t *rank;        /* per record: its position within its group */
    shard_group *groups; /* in order of first appearance */
    size_t group_count;
    log_record_in *in;     /* per record, in request order */
    log_record_in *recs;   /* the same grouped by shard, request order within a group */
    const char **refusals; /* per record: why the stream's contract refused it (NULL: it did
                              not); NULL when the stream has no contract */
    size_t refused;        /* records the contract refused: in no group */
} put_batch;

/* The group of shard sh, created on first use; group_index maps shard index -> group + 1. */
static size_t group_for(put_batch *b, shard *sh, size_t *group_index)
{
    if (!group_index[sh->index]) {
        b->groups[b->group_count] = (shard_group){.sh = sh};
        group_index[sh->index] = ++b->group_count;
    }
    return group_index[sh->index] - 1;
}

/* InvalidArgumentException when a PutRecords' records together exceed 5 MiB (or the stream's
 * record size, when that is larger). */
static bool check_request_size(const stream *s, size_t total, aws_error *err)
{
    size_t limit = PUT_RECORDS_MAX_BYTES;
    if (record_limit(s) > limit)
        limit = record_limit(s);
    if (total <= limit)
        return true;
    aws_error_set(err, 400, "InvalidArgumentException", "Records size exceeds %zu MB limit",
                  limit / (1024 * 1024));
    return false;
}

/* Checks every record, routes it and assigns it a group and rank. */
static bool plan_batch(op_call *call, const stream *s, const kval *list, put_batch *b)
{
    if (!records_require_keys(call, s))
        return false;
    size_t *group_index = arena_alloc(call->arena, sizeof(size_t) * (size_t)s->shard_count);
    auto_route r = auto_route_of(call, s);
    size_t total = 0;
    for (size_t i = 0; i < b->n; i++) {
        const kval *record = &list->u.list.items[i];
        b->in[i] = log_record_of(record);
        if (!check_record_size(s, &b->in[i], i + 1, call->err))
            return false;
        shard *sh = route_record(s, &r, record, call->err);
        if (!sh)
            return false;
        total += record_size(&b->in[i]);
        if (b->refusals && (b->refusals[i] = contract_refusal(call, s, record))) {
            b->refused++;
            continue;
        }
        b->group_of[i] = group_for(b, sh, group_index);
        b->rank[i] = b->groups[b->group_of[i]].count++;
    }
    return check_request_size(s, total, call->err);
}

/* Appends what the quotas admit of one group: a prefix of its records. */
static uint64_t append_group(op_call *call, const stream *s, const put_batch *b, shard_group *grp,
                             int64_t now_ns)
{
    const log_record_in *recs = b->recs + grp->start;
    grp->admitted =
        quota_admit_writes(grp->sh->quota, s->quota, s->on_demand, recs, grp->count, now_ns);
    if (grp->admitted < grp->count)
        quota_count_refused_writes(grp->sh->quota, s->quota, s->on_demand,
                                   grp->count - grp->admitted);
    if (grp->admitted == 0)
        return 0;
    int64_t arrival_ms;
    uint64_t ticket = 0;
    grp->failed =
        shardlog_append_sealed(grp->sh->log, s->data_key, recs, grp->admitted, call->now_ms,
                               &grp->first_offset, &arrival_ms, &ticket) != 0;
    return ticket;
}

/* Lays the records out grouped by shard and appends each group; a failed append fails only the
 * records of its group. Returns the highest commit ticket. */
static uint64_t append_groups(op_call *call, const stream *s, put_batch *b)
{
    size_t start = 0;
    for (size_t g = 0; g < b->group_count; g++) {
        b->groups[g].start = start;
        start += b->groups[g].count;
    }
    for (size_t i = 0; i < b->n; i++)
        if (!b->refusals || !b->refusals[i])
            b->recs[b->groups[b->group_of[i]].start + b->rank[i]] = b->in[i];
    uint64_t max_ticket = 0;
    int64_t now_ns = clock_mono_ns();
    for (size_t g = 0; g < b->group_count; g++) {
        uint64_t ticket = append_group(call, s, b, &b->groups[g], now_ns);
        if (ticket > max_ticket)
            max_ticket = ticket;
    }
    return max_ticket;
}

static void write_error_entry(kenc *out, const char *code, const char *message)
{
    enc_key(out, "ErrorCode");
    enc_str(out, code);
    enc_key(out, "ErrorMessage");
    enc_str(out, message);
}

/* Tells the metrics what the batch stored: per shard (enhanced monitoring) and in all. */
static void count_batch(const stream *s, const put_batch *b)
{
    if (!metrics_enabled())
        return;
    contract_count(s, b->refused);
    size_t failed = b->refused, throttled = 0, bytes = 0;
    for (size_t g = 0; g < b->group_count; g++) {
        const shard_group *grp = &b->groups[g];
        size_t group_bytes = 0, stored = grp->failed ? 0 : grp->admitted;
        for (size_t i = grp->start; i < grp->start + stored; i++)
            group_bytes += b->recs[i].data_len + b->recs[i].partition_key_len;
        failed += grp->count - stored;
        throttled += grp->count - grp->admitted;
        bytes += group_bytes;
        stream_metrics_shard_in(s, grp->sh, stored, group_bytes, grp->count - grp->admitted);
    }
    stream_metrics_put_records(s, b->n, failed, throttled, bytes);
}

/* Each record's number and shard id: a group's shard part of the number is formatted once. */
static void write_batch_result(kenc *out, const stream *s, const put_batch *b)
{
    size_t failed = b->refused;
    for (size_t g = 0; g < b->group_count; g++) {
        shard_group *grp = &b->groups[g];
        failed += grp->failed ? grp->count : grp->count - grp->admitted;
        records_seqno(grp->sh, grp->first_offset, grp->seq);
        grp->id_len = strlen(grp->sh->id);
    }
    enc_map_begin(out);
    enc_key(out, "FailedRecordCount");
    enc_int(out, (int64_t)failed);
    enc_key(out, "Records");
    enc_list_begin(out);
    for (size_t i = 0; i < b->n; i++) {
        enc_map_begin(out);
        shard_group *grp = b->refusals && b->refusals[i] ? NULL : &b->groups[b->group_of[i]];
        if (!grp) {
            write_error_entry(out, "InvalidArgumentException", b->refusals[i]);
        } else if (b->rank[i] >= grp->admitted) {
            char message[320];
            quota_shard_message(message, sizeof message, grp->sh->id, s->name, s->account);
            write_error_entry(out, "ProvisionedThroughputExceededException", message);
        } else if (grp->failed) {
            write_error_entry(out, "InternalFailure", "Internal Service Failure"); /* AWS's */
        } else {
            seqno_set_position(grp->seq, seqno_record_position(grp->first_offset + b->rank[i]));
            enc_key(out, "SequenceNumber");
            enc_strn(out, grp->seq, SEQNO_LEN);
            enc_key(out, "ShardId");
            enc_strn(out, grp->sh->id, grp->id_len);
        }
        enc_map_end(out);
    }
    enc_list_end(out);
    write_encryption_type(out, s);
    enc_map_end(out);
}

void op_put_records(op_call *call)
{
    const kval *list = kv_get(call->input, "Records");
    put_batch b = {.n = list->u.list.n};
    b.group_of = arena_alloc(call->arena, sizeof(size_t) * b.n);
    b.rank = arena_alloc(call->arena, sizeof(size_t) * b.n);
    b.groups = arena_alloc(call->arena, sizeof(shard_group) * b.n);
    b.in = arena_alloc(call->arena, sizeof(log_record_in) * b.n);
    b.recs = arena_alloc(call->arena, sizeof(log_record_in) * b.n);

    stream *s = records_stream(call);
    if (!s)
        return;
    stream_metrics_time(call, s, "PutRecords.Latency");
    if (s->contract)
        b.refusals = arena_alloc(call->arena, sizeof(const char *) * b.n);
    if (!plan_batch(call, s, list, &b)) {
        stream_metrics_put_records(s, 0, 0, 0, 0);
        return;
    }
    call->commit_ticket = append_groups(call, s, &b);
    count_batch(s, &b);
    write_batch_result(call->out, s, &b);
}
