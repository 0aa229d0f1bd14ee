/* ops_shard_iterator.c - GetShardIterator: turns an iterator type (and its sequence number or
 * timestamp) into a position in a shard, handed out as an authenticated iterator (iterator.h). */
#include <string.h>

#include "../common/clock.h"
#include "../store/shardlog.h"
#include "iterator.h"
#include "ops_util.h"
#include "ops.h"
#include "records.h"

static bool is_type(const char *type, const char *name)
{
    return strcmp(type, name) == 0;
}

static void wrong_type_combination(aws_error *err, const char *type, bool has_seq)
{
    aws_error_set(err, 400, "InvalidArgumentException",
                  "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
                  "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                  "StartingSequenceNumber. Request specified %s and %s StartingSequenceNumber.",
                  type, has_seq ? "also a" : "no");
}

/* The position of StartingSequenceNumber in sh (after it when `after`), if it is one of sh's. */
static bool sequence_offset(op_call *call, const stream *s, const shard *sh, const char *seq,
                            bool after, uint64_t *offset)
{
    int64_t created;
    int index;
    uint64_t position;
    if (!seqno_parse(seq, strlen(seq), &created, &index, &position)) {
        aws_error_set(call->err, 400, "InvalidArgumentException",
                      "StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s "
                      "under account %s is invalid.",
                      seq, sh->id, s->name, s->account);
        return false;
    }
    if (index != sh->index) {
        aws_error_set(call->err, 400, "InvalidArgumentException",
                      "Invalid StartingSequenceNumber. It encodes shardId-%012d, while it was used "
                      "in a call to a shard with %s",
                      index, sh->id);
        return false;
    }
    if (created != sh->created_ms) {
        aws_error_set(call->err, 400, "InvalidArgumentException",
                      "StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s "
                      "under account %s is invalid because it did not come from this stream.",
                      seq, sh->id, s->name, s->account);
        return false;
    }
    *offset = seqno_read_offset(position, after);
    return true;
}

/* The first record that arrived at or after Timestamp (which may not lie in the future). */
static bool timestamp_offset(op_call *call, const shard *sh, uint64_t *offset)
{
    const kval *ts = kv_get(call->input, "Timestamp");
    if (!ts) {
        aws_error_set(call->err, 400, "InvalidArgumentException",
                      "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
                      "Current request has no timestamp parameter.");
        return false;
    }
    if (ts->u.i > call->now_ms) {
        aws_error_set(call->err, 400, "InvalidArgumentException",
                      "The timestampInMillis parameter cannot be greater than the "
                      "currentTimestampInMillis. timestampInMillis: %lld, "
                      "currentTimestampInMillis: %lld",
                      (long long)ts->u.i, (long long)call->now_ms);
        return false;
    }
    *offset = shardlog_offset_at_time(sh->log, ts->u.i);
    return true;
}

/* Where an iterator of the requested type starts in sh. */
static bool start_offset(op_call *call, const stream *s, const shard *sh, uint64_t *offset)
{
    const char *type = kv_str(call->input, "ShardIteratorType");
    const char *seq = kv_str(call->input, "StartingSequenceNumber");
    bool after = is_type(type, "AFTER_SEQUENCE_NUMBER");
    if (after || is_type(type, "AT_SEQUENCE_NUMBER")) {
        if (!seq) {
            wrong_type_combination(call->err, type, false);
            return false;
        }
        return sequence_offset(call, s, sh, seq, after, offset);
    }
    if (is_type(type, "AT_TIMESTAMP"))
        return timestamp_offset(call, sh, offset);
    if (seq) {
        wrong_type_combination(call->err, type, true);
        return false;
    }
    /* LATEST starts after the last committed record, not after the last appended one: a record
     * appended but not yet committed belongs to a put that has not returned yet, so it is no older
     * than this call and the reader gets it once committed; after a store failure it never will be,
     * and an iterator past it would never read anything. */
    *offset =
        is_type(type, "LATEST") ? shardlog_committed(sh->log) : shardlog_trim_horizon(sh->log);
    return true;
}

/* Finds stream and shard and writes the iterator. */
void op_get_shard_iterator(op_call *call)
{
    const char *shard_id = kv_str(call->input, "ShardId");
    if (!require_shard_id(call, "ShardId"))
        return;
    stream *s = records_stream(call);
    if (!s) {
        /* AWS names the shard, not the stream, when the stream is not there */
        if (strcmp(call->err->type, "ResourceNotFoundException") == 0)
            records_shard_not_found(call->err, shard_id, input_stream_name(call), call->account);
        return;
    }
    const shard *sh = stream_shard_by_id(s, shard_id);
    if (!sh) {
        records_shard_not_found(call->err, shard_id, s->name, s->account);
        return;
    }
    if (!quota_admit_iterator(sh->quota, clock_mono_ns())) {
        quota_fail_shard(call->err, sh->id, s->name, s->account);
        return;
    }
    shard_iterator it = {.stream_uid = s->uid, .shard_index = sh->index, .issued_ms = call->now_ms};
    if (!start_offset(call, s, sh, &it.offset))
        return;
    memcpy(it.stream_name, s->name, sizeof(it.stream_name));
    char text[ITERATOR_MAX_LEN + 1];
    iterator_encode(&it, text);
    enc_map_begin(call->out);
    enc_key(call->out, "ShardIterator");
    enc_str(call->out, text);
    enc_map_end(call->out);
}
