/* kinesis_internal.c - streams as other services reach them (see kinesis_internal.h). */
#include "kinesis_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/clock.h"
#include "consumer.h"
#include "records.h"
#include "registry.h"
#include "registry_edit.h"
#include "stream_arn.h"

/* The stream of the ARN, looked up in its own account and region; NULL with err set. Holding
 * registry_lock. */
static stream *stream_of_arn(const char *arn, aws_error *err)
{
    stream_arn parts;
    if (!stream_arn_parse(arn, &parts) || parts.rest[0]) {
        aws_error_set(err, 400, "InvalidArgumentException", "Invalid StreamARN: %s", arn);
        return NULL;
    }
    return registry_resolve_arn(arn, parts.account, parts.region, err);
}

bool kinesis_stream_exists(const char *stream_arn)
{
    aws_error err;
    aws_error_init(&err);
    registry_read_lock();
    stream *s = stream_of_arn(stream_arn, &err);
    bool exists = s && s->status != STREAM_DELETING;
    registry_unlock();
    aws_error_free(&err);
    return exists;
}

int kinesis_append(const char *stream_arn, const char *partition_key, const void *data, size_t len,
                   int64_t now_ms, uint64_t *ticket, aws_error *err)
{
    registry_read_lock();
    stream *s = stream_of_arn(stream_arn, err);
    if (s && (s->status == STREAM_CREATING || s->status == STREAM_DELETING)) {
        aws_error_set(err, 400, "ResourceInUseException", "Stream %s under account %s not active.",
                      s->name, s->account);
        s = NULL;
    }
    shard *sh = s ? stream_route(s, u128_md5(partition_key, strlen(partition_key))) : NULL;
    log_record_in rec = {partition_key, strlen(partition_key), data, len};
    uint64_t offset;
    int64_t arrival_ms;
    int rc = -1;
    if (sh && shardlog_append(sh->log, &rec, 1, now_ms, &offset, &arrival_ms, ticket) == 0)
        rc = 0;
    else if (s)
        aws_error_set(err, 500, "InternalFailure", "The server encountered an internal error.");
    registry_unlock();
    return rc;
}

/* --- reading shards ----------------------------------------------------------------------------
 */

_Static_assert(KINESIS_SEQNO_LEN == SEQNO_LEN, "the interface's sequence numbers are Kinesis's");

/* The stream a consumer ARN names, when the consumer is ACTIVE; NULL otherwise. Holding the lock.
 */
static stream *stream_of_consumer(const char *arn, const consumer **c)
{
    *c = consumer_find_arn(arn);
    if (!*c || (*c)->status != CONSUMER_ACTIVE)
        return NULL;
    return registry_find_uid((*c)->stream_uid);
}

static void view_shard(const shard *sh, kinesis_shard_view *v)
{
    v->index = sh->index;
    snprintf(v->id, sizeof v->id, "%s", sh->id);
    v->parent = sh->parent;
    v->adjacent_parent = sh->adjacent_parent;
    v->closed = sh->closed;
    v->end_offset = sh->end_offset;
    v->trim_horizon = shardlog_trim_horizon(sh->log);
    v->committed = shardlog_committed(sh->log);
    v->created_ms = sh->created_ms;
}

static void view_stream(const stream *s, const consumer *c, kinesis_source *out)
{
    memset(out, 0, sizeof *out);
    out->stream_uid = s->uid;
    snprintf(out->stream_arn, sizeof out->stream_arn, "%s", s->arn);
    snprintf(out->stream_name, sizeof out->stream_name, "%s", s->name);
    snprintf(out->account, sizeof out->account, "%s", s->account);
    snprintf(out->region, sizeof out->region, "%s", s->region);
    if (c)
        snprintf(out->consumer_name, sizeof out->consumer_name, "%s", c->name);
    out->readable = records_stream_usable(s);
    out->deleting = s->status == STREAM_DELETING;
    out->shard_count = s->shard_count;
    out->shards = calloc((size_t)(s->shard_count ? s->shard_count : 1), sizeof *out->shards);
    if (!out->shards)
        abort();
    for (int i = 0; i < s->shard_count; i++)
        view_shard(s->shards[i], &out->shards[i]);
}

int kinesis_source_resolve(const char *arn, kinesis_source *out, aws_error *err)
{
    stream_arn parts;
    if (!stream_arn_parse(arn, &parts)) {
        aws_error_set(err, 400, "InvalidArgumentException", "Invalid StreamARN: %s", arn);
        return -1;
    }
    const consumer *c = NULL;
    registry_read_lock();
    stream *s = parts.rest[0] ? stream_of_consumer(arn, &c)
                              : registry_find(parts.account, parts.region, parts.name);
    if (s)
        view_stream(s, c, out);
    else if (parts.rest[0])
        aws_error_set(err, 400, "ResourceNotFoundException", "Consumer %s not found.", arn);
    else
        aws_error_set(err, 400, "ResourceNotFoundException",
                      "Stream %s under account %s not found.", parts.name, parts.account);
    registry_unlock();
    return s ? 0 : -1;
}

void kinesis_source_free(kinesis_source *src)
{
    free(src->shards);
    src->shards = NULL;
    src->shard_count = 0;
}

/* The shard of src's stream, if that stream (the same uid) can still be read; NULL with err set.
 * Holding the lock. */
static const shard *readable_shard(const kinesis_source *src, int shard_index, const stream **sp,
                                   aws_error *err)
{
    const stream *s = registry_find_uid(src->stream_uid);
    if (!s || !records_stream_usable(s) || shard_index < 0 || shard_index >= s->shard_count) {
        aws_error_set(err, 400, "ResourceNotFoundException",
                      "Shard %d in stream %s under account %s does not exist", shard_index,
                      src->stream_name, src->account);
        return NULL;
    }
    *sp = s;
    return s->shards[shard_index];
}

/* One kinesis_read: the caller's visitor and what the metrics need. */
typedef struct read_state {
    const shard *sh;         /* being read */
    kinesis_record_fn visit; /* the caller's */
    void *arg;               /* its argument */
    records_read rr;         /* records and bytes visited */
    int64_t last_arrival_ms; /* of the last record visited */
} read_state;

static bool visit_record(const log_record *rec, void *arg)
{
    read_state *st = arg;
    kinesis_record out = {
        .offset = rec->offset,
        .arrival_ms = rec->arrival_ms,
        .partition_key = rec->partition_key,
        .partition_key_len = rec->partition_key_len,
        .data = rec->data,
        .data_len = rec->data_len,
    };
    records_seqno(st->sh, rec->offset, out.sequence_number);
    st->rr.records++;
    st->rr.bytes += rec->data_len + rec->partition_key_len;
    st->last_arrival_ms = rec->arrival_ms;
    return st->visit(&out, st->arg);
}

/* The read in the stream's metrics: a GetRecords, or an event pushed to the consumer. */
static void count_read(const kinesis_source *src, const stream *s, read_state *st, uint64_t next)
{
    bool at_tip = next >= shardlog_committed(st->sh->log);
    int64_t behind = at_tip || !st->last_arrival_ms ? 0 : clock_now_ms() - st->last_arrival_ms;
    st->rr.next = next;
    st->rr.millis_behind = behind > 0 ? behind : 0;
    if (src->consumer_name[0])
        stream_metrics_event(s, st->sh, src->consumer_name, &st->rr);
    else
        stream_metrics_get_records(s, st->sh, &st->rr, false);
}

int kinesis_read(const kinesis_source *src, int shard_index, uint64_t from, size_t max_records,
                 size_t max_bytes, kinesis_record_fn visit, void *arg, uint64_t *next,
                 aws_error *err)
{
    const stream *s = NULL;
    read_state st = {.visit = visit, .arg = arg};
    registry_read_lock();
    st.sh = readable_shard(src, shard_index, &s, err);
    int rc = -1;
    if (st.sh &&
        shardlog_read(st.sh->log, from, max_records, max_bytes, visit_record, &st, next) == 0) {
        count_read(src, s, &st, *next);
        rc = 0;
    } else if (st.sh) {
        aws_error_set(err, 500, "InternalFailure", "The server encountered an internal error.");
    }
    registry_unlock();
    return rc;
}

int kinesis_offset_at_time(const kinesis_source *src, int shard_index, int64_t ts_ms,
                           uint64_t *offset)
{
    aws_error err;
    aws_error_init(&err);
    const stream *s = NULL;
    registry_read_lock();
    const shard *sh = readable_shard(src, shard_index, &s, &err);
    if (sh)
        *offset = shardlog_offset_at_time(sh->log, ts_ms);
    registry_unlock();
    aws_error_free(&err);
    return sh ? 0 : -1;
}
