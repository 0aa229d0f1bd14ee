/* ops_get_records.c - GetRecords: reads a shard from an iterator's position, straight from the
 * shard log into the response, and hands out the iterator for the next call; at the end of a
 * closed shard it names the child shards instead. Also writes the Records list and child shards of
 * SubscribeToShard's events (records.h). */
#include <stdio.h>
#include <string.h>

#include "../common/clock.h"
#include "../store/shardlog.h"
#include "iterator.h"
#include "ops_util.h" /* fail_internal */
#include "ops.h"
#include "records.h"
#include "registry_edit.h" /* registry_find */

/* State of one records_write_list: the encoder and what it reports afterwards. */
typedef struct read_ctx {
    kenc *out;
    const shard *sh;
    int64_t last_arrival_ms; /* of the last record written; 0 when none */
    records_read *rr;        /* counts the records and bytes */
} read_ctx;

/* A Record structure. */
static void write_one_record(kenc *out, const shard *sh, const log_record *rec)
{
    char seq[SEQNO_LEN + 1];
    records_seqno(sh, rec->offset, seq);
    enc_map_begin(out);
    enc_key(out, "SequenceNumber");
    enc_str(out, seq);
    enc_key(out, "ApproximateArrivalTimestamp");
    enc_timestamp_ms(out, rec->arrival_ms);
    enc_key(out, "Data");
    enc_blob(out, rec->data, rec->data_len);
    enc_key(out, "PartitionKey");
    enc_strn(out, rec->partition_key, rec->partition_key_len);
    if (rec->sealed) {
        enc_key(out, "EncryptionType");
        enc_str(out, "KMS");
    }
    enc_map_end(out);
}

static bool write_record(const log_record *rec, void *arg)
{
    read_ctx *rc = arg;
    write_one_record(rc->out, rc->sh, rec);
    rc->last_arrival_ms = rec->arrival_ms;
    rc->rr->records++;
    rc->rr->bytes += rec->data_len + rec->partition_key_len;
    return true;
}

int records_write_list(kenc *out, const shard *sh, uint64_t from, size_t max_records,
                       size_t max_bytes, int64_t now_ms, records_read *rr)
{
    *rr = (records_read){0};
    read_ctx rc = {.out = out, .sh = sh, .rr = rr};
    enc_key(out, "Records");
    enc_list_begin(out);
    if (shardlog_read(sh->log, from, max_records, max_bytes, write_record, &rc, &rr->next) != 0)
        return -1;
    enc_list_end(out);
    bool at_tip = rr->next >= shardlog_committed(sh->log);
    int64_t behind = at_tip || !rc.last_arrival_ms ? 0 : now_ms - rc.last_arrival_ms;
    rr->millis_behind = behind > 0 ? behind : 0;
    return 0;
}

static void write_hash_key(kenc *out, const char *name, u128 key)
{
    char text[U128_DEC_MAX + 1];
    u128_format(key, text);
    enc_key(out, name);
    enc_str(out, text);
}

void records_write_children(kenc *out, const stream *s, const shard *sh)
{
    enc_key(out, "ChildShards");
    enc_list_begin(out);
    for (int i = 0; i < s->shard_count; i++) {
        const shard *child = s->shards[i];
        if (child->parent != sh->index && child->adjacent_parent != sh->index)
            continue;
        enc_map_begin(out);
        enc_key(out, "ShardId");
        enc_str(out, child->id);
        enc_key(out, "ParentShards");
        enc_list_begin(out);
        if (child->parent >= 0)
            enc_str(out, s->shards[child->parent]->id);
        if (child->adjacent_parent >= 0)
            enc_str(out, s->shards[child->adjacent_parent]->id);
        enc_list_end(out);
        enc_key(out, "HashKeyRange");
        enc_map_begin(out);
        write_hash_key(out, "StartingHashKey", child->hash_start);
        write_hash_key(out, "EndingHashKey", child->hash_end);
        enc_map_end(out);
        enc_map_end(out);
    }
    enc_list_end(out);
}

/* The stream and shard the iterator names, if they still exist as they were when it was issued
 * (a stream deleted or re-created under the same name has another uid). */
static const shard *iterator_shard(op_call *call, const shard_iterator *it, const stream **sp)
{
    const stream *s = registry_find(call->account, call->region, it->stream_name);
    const char *arn = kv_str(call->input, "StreamARN");
    if (s && arn && strcmp(arn, s->arn) != 0) {
        /* AWS refuses the pair; its exact text could not be confirmed */
        aws_error_set(call->err, 400, "InvalidArgumentException",
                      "StreamARN %s does not match the stream of the shard iterator (%s).", arn,
                      s->arn);
        return NULL;
    }
    if (!s || s->uid != it->stream_uid || !records_stream_usable(s) ||
        it->shard_index >= s->shard_count) {
        char shard_id[24];
        snprintf(shard_id, sizeof(shard_id), "shardId-%012d", it->shard_index);
        records_shard_not_found(call->err, shard_id, it->stream_name, call->account);
        return NULL;
    }
    *sp = s;
    return s->shards[it->shard_index];
}

/* Reads from the iterator's position and writes the whole output. */
static void read_records(op_call *call, shard_iterator *it, size_t limit)
{
    const stream *s;
    const shard *sh = iterator_shard(call, it, &s);
    if (!sh)
        return;
    int64_t now_ns = clock_mono_ns();
    if (!quota_admit_read(sh->quota, now_ns)) {
        stream_metrics_get_records(s, sh, NULL, true);
        quota_fail_shard(call->err, sh->id, s->name, s->account);
        return;
    }
    stream_metrics_time(call, s, "GetRecords.Latency");
    kenc *out = call->out;
    records_read rr;
    enc_map_begin(out);
    if (records_write_list(out, sh, it->offset, limit, GET_RECORDS_MAX_BYTES, call->now_ms, &rr) !=
        0) {
        stream_metrics_get_records(s, sh, NULL, false);
        fail_internal(call->err);
        return;
    }
    quota_charge_read(sh->quota, rr.bytes, now_ns);
    stream_metrics_get_records(s, sh, &rr, false);
    if (sh->closed && rr.next >= sh->end_offset) {
        records_write_children(out, s, sh);
    } else {
        char text[ITERATOR_MAX_LEN + 1];
        it->offset = rr.next;
        it->issued_ms = call->now_ms;
        iterator_encode(it, text);
        enc_key(out, "NextShardIterator");
        enc_str(out, text);
    }
    enc_key(out, "MillisBehindLatest");
    enc_int(out, rr.millis_behind);
    enc_map_end(out);
}

void op_get_records(op_call *call)
{
    const kval *text = kv_get(call->input, "ShardIterator");
    shard_iterator it;
    if (!iterator_decode(text->u.s.ptr, text->u.s.len, call->now_ms, &it, call->err))
        return;
    int64_t limit = GET_RECORDS_MAX_RECORDS;
    kv_int(call->input, "Limit", &limit);
    read_records(call, &it, (size_t)limit);
}
