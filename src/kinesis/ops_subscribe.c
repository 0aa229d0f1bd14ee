/* ops_subscribe.c - SubscribeToShard: checks the consumer, shard and starting position, then
 * answers with an event stream (eventstream.h) that stays open for the subscription's lifetime.
 *
 * A subscription lives on the loop thread of its request. It sends an initial-response event,
 * then a SubscribeToShardEvent with the records from its position up to the shard's committed
 * offset, then more whenever the store reports new durable records (subscriptions_wake) or its
 * timer finds some (every POLL_MS); with nothing new it sends an empty event every
 * HEARTBEAT_MS. It ends cleanly after its lifetime, after the event that reaches the end of a
 * closed shard (with ChildShards), when the client goes away or the server stops, when a later
 * call takes the subscription over (sub_claims.h) and when its consumer is deregistered; if its
 * stream or shard disappears or the log cannot be read it sends an exception event first. The
 * registry lock is taken for each read only: the shard is found again each time by stream uid and
 * shard index. */
#include "ops_subscribe.h"

#include <stdlib.h>
#include <string.h>

#include "../common/clock.h"
#include "../common/log.h"
#include "../common/uuid.h"
#include "../protocol/eventstream.h"
#include "consumer.h"
#include "ops.h"
#include "ops_consumers.h"
#include "records.h"
#include "registry_edit.h" /* registry_find_uid */
#include "sub_claims.h"

#define POLL_MS 200
#define HEARTBEAT_MS 5000
#define EVENT_MAX_RECORDS 10000
#define EVENT_MAX_BYTES (1024 * 1024) /* data + partition keys of one event */
#define BACKLOG_MAX (2 * 1024 * 1024) /* unsent bytes before pushing waits for the client */
#define EVENTS_PER_PUSH 4             /* a subscription that is behind catches up this fast */

typedef struct subscription {
    uv_timer_t timer;
    http_exchange *ex;
    enc_format format;
    sub_claim *claim;
    char consumer_arn[sizeof(((consumer *)0)->arn)];
    char consumer_name[sizeof(((consumer *)0)->name)]; /* its metrics' ConsumerName */
    uint64_t stream_uid;
    int shard_index;
    uint64_t offset;       /* the next record to send */
    rate_gate pace;        /* 2 MiB/s with --throughput-limits aws (quota.h) */
    int64_t ends_at_ms;    /* monotonic: the end of its lifetime */
    int64_t last_event_ms; /* monotonic: when the last event went out (heartbeats) */
    kbuf frame;            /* the event being written, reused */
    struct subscription *prev, *next;
} subscription;

static _Thread_local subscription *loop_subscriptions; /* this loop thread's */

static const char *const payload_types[] = {
    [ENC_JSON] = "application/x-amz-json-1.1",
    [ENC_CBOR] = "application/x-amz-cbor-1.1",
};

static int64_t subscription_ms(void)
{
    const char *env = getenv("KINESD_SUBSCRIPTION_MS");
    long long ms = env ? atoll(env) : 0;
    return ms > 0 ? ms : SUBSCRIPTION_DEFAULT_MS;
}

/* ---- checks ---------------------------------------------------------------------------------- */

/* The ACTIVE consumer the ConsumerARN names in the caller's account and region, and its stream. */
static consumer *find_consumer(op_call *call, stream **sp)
{
    stream *s;
    consumer *c = consumer_of_arn(call, kv_str(call->input, "ConsumerARN"), &s);
    if (!c || !consumer_require_active(c, s->name, call->account, call->err))
        return NULL;
    *sp = s;
    return c;
}

static bool sequence_offset(op_call *call, const stream *s, const shard *sh, const char *seq,
                            bool after, uint64_t *offset)
{
    int64_t created;
    int index;
    if (!seq) {
        aws_error_set(call->err, 400, "InvalidArgumentException",
                      "StartingPosition of type AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER "
                      "requires a SequenceNumber.");
        return false;
    }
    uint64_t position;
    if (!seqno_parse(seq, strlen(seq), &created, &index, &position) || index != sh->index ||
        created != sh->created_ms) {
        aws_error_set(call->err, 400, "InvalidArgumentException",
                      "Invalid SequenceNumber %s for shard %s in stream %s under account %s.", seq,
                      sh->id, s->name, s->account);
        return false;
    }
    *offset = seqno_read_offset(position, after);
    return true;
}

static bool timestamp_offset(op_call *call, const shard *sh, const kval *position, uint64_t *offset)
{
    const kval *ts = kv_get(position, "Timestamp");
    if (!ts) {
        aws_error_set(call->err, 400, "InvalidArgumentException",
                      "StartingPosition of type AT_TIMESTAMP requires a Timestamp.");
        return false;
    }
    *offset = shardlog_offset_at_time(sh->log, ts->u.i);
    return true;
}

/* Where StartingPosition puts the subscription in sh. */
static bool start_offset(op_call *call, const stream *s, const shard *sh, uint64_t *offset)
{
    const kval *position = kv_get(call->input, "StartingPosition");
    const char *type = kv_str(position, "Type");
    const char *seq = kv_str(position, "SequenceNumber");
    bool after = strcmp(type, "AFTER_SEQUENCE_NUMBER") == 0;
    if (after || strcmp(type, "AT_SEQUENCE_NUMBER") == 0)
        return sequence_offset(call, s, sh, seq, after, offset);
    if (strcmp(type, "AT_TIMESTAMP") == 0)
        return timestamp_offset(call, sh, position, offset);
    /* LATEST: after the last committed record, as GetShardIterator (ops_shard_iterator.c). */
    *offset =
        strcmp(type, "LATEST") == 0 ? shardlog_committed(sh->log) : shardlog_trim_horizon(sh->log);
    return true;
}

/* Runs the checks and fills the subscription's position. Caller holds the lock. */
static bool resolve(op_call *call, subscription *sub)
{
    stream *s;
    const consumer *c = find_consumer(call, &s);
    if (!c)
        return false;
    const char *shard_id = kv_str(call->input, "ShardId");
    const shard *sh = records_stream_usable(s) ? stream_shard_by_id(s, shard_id) : NULL;
    if (!sh) {
        records_shard_not_found(call->err, shard_id, s->name, s->account);
        return false;
    }
    if (!start_offset(call, s, sh, &sub->offset))
        return false;
    sub->claim = sub_claim_take(c->arn, sh->index, clock_mono_ms());
    stream_metrics_subscribe(s, c->name, sub->claim != NULL, sub->claim == NULL);
    if (!sub->claim) {
        aws_error_set(call->err, 400, "ResourceInUseException",
                      "Another active subscription exists for this consumer: %s:%s:%s:%s",
                      s->account, s->name, sh->id, c->name);
        return false;
    }
    snprintf(sub->consumer_arn, sizeof(sub->consumer_arn), "%s", c->arn);
    snprintf(sub->consumer_name, sizeof(sub->consumer_name), "%s", c->name);
    sub->stream_uid = s->uid;
    sub->shard_index = sh->index;
    return true;
}

/* ---- events ---------------------------------------------------------------------------------- */

/* Continuation: the last record read, so that AFTER_SEQUENCE_NUMBER continues exactly and
 * AT_SEQUENCE_NUMBER repeats one record; before any record it is the shard's starting number, which
 * AFTER_SEQUENCE_NUMBER reads from the first record. Position `next` is the record at next - 1. */
static void write_continuation(kenc *out, const shard *sh, uint64_t next)
{
    char seq[SEQNO_LEN + 1];
    seqno_format(sh->created_ms, sh->index, next, seq);
    enc_key(out, "ContinuationSequenceNumber");
    enc_str(out, seq);
}

/* Writes a SubscribeToShardEvent from sub's position into sub->frame and moves the position
 * (charging what it read to sub's pace). *ended is set at the end of a closed shard. -1 when the
 * log cannot be read. */
static int write_event(subscription *sub, const stream *s, const shard *sh, int64_t now_ms,
                       bool *ended)
{
    kenc out;
    es_message m;
    kbuf_reset(&sub->frame);
    es_begin_event(&sub->frame, &m, "SubscribeToShardEvent", payload_types[sub->format]);
    enc_init(&out, sub->format, &sub->frame);
    enc_map_begin(&out);
    records_read rr;
    if (records_write_list(&out, sh, sub->offset, EVENT_MAX_RECORDS, EVENT_MAX_BYTES, now_ms,
                           &rr) != 0)
        return -1;
    stream_metrics_event(s, sh, sub->consumer_name, &rr);
    quota_push_charge(&sub->pace, rr.bytes, clock_mono_ns());
    sub->offset = rr.next;
    write_continuation(&out, sh, rr.next);
    enc_key(&out, "MillisBehindLatest");
    enc_int(&out, rr.millis_behind);
    *ended = sh->closed && rr.next >= sh->end_offset;
    if (*ended)
        records_write_children(&out, s, sh);
    enc_map_end(&out);
    es_end(&sub->frame, &m);
    return 0;
}

static void write_exception(subscription *sub, const char *type, const char *message)
{
    es_message m;
    kbuf_reset(&sub->frame);
    es_begin_exception(&sub->frame, &m, type, payload_types[sub->format]);
    enc_error(sub->format, &sub->frame, type, message, strlen(message));
    es_end(&sub->frame, &m);
}

static bool send_frame(subscription *sub, int64_t mono_ms)
{
    sub->last_event_ms = mono_ms;
    return http_respond_chunk(sub->ex, sub->frame.data, sub->frame.len);
}

/* ---- the subscription's life ----------------------------------------------------------------- */

static void on_subscription_closed(uv_handle_t *handle)
{
    subscription *sub = handle->data;
    kbuf_free(&sub->frame);
    free(sub);
}

static void end_subscription(subscription *sub)
{
    if (sub->prev)
        sub->prev->next = sub->next;
    else
        loop_subscriptions = sub->next;
    if (sub->next)
        sub->next->prev = sub->prev;
    sub_claim_release(sub->claim);
    http_respond_finish(sub->ex);
    uv_close((uv_handle_t *)&sub->timer, on_subscription_closed);
}

typedef enum { PUSH_IDLE, PUSH_SENT, PUSH_END } push_result;

/* Whether the consumer still exists and is ACTIVE. Caller holds the lock. */
static bool consumer_active(const subscription *sub)
{
    const consumer *c = consumer_find_arn(sub->consumer_arn);
    return c && c->status == CONSUMER_ACTIVE;
}

/* Writes the next frame into sub->frame, or says there is none to send. Caller holds the lock. */
static push_result next_frame(subscription *sub, int64_t now_ms, int64_t mono_ms, bool force,
                              bool *last)
{
    const stream *s = registry_find_uid(sub->stream_uid);
    const shard *sh = s && sub->shard_index < s->shard_count ? s->shards[sub->shard_index] : NULL;
    *last = true;
    if (!sh) {
        write_exception(sub, "ResourceNotFoundException", "The shard no longer exists.");
        return PUSH_SENT;
    }
    if (!consumer_active(sub))
        return PUSH_END;
    bool news =
        sub->offset < shardlog_committed(sh->log) || (sh->closed && sub->offset >= sh->end_offset);
    if (!news && !force && mono_ms - sub->last_event_ms < HEARTBEAT_MS)
        return PUSH_IDLE;
    if (write_event(sub, s, sh, now_ms, last) != 0) {
        *last = true;
        write_exception(sub, "InternalFailureException", "Internal service failure.");
    }
    return PUSH_SENT;
}

/* Sends one event if there is something to say (or `force`). Takes the lock for the read. */
static push_result push_event(subscription *sub, int64_t now_ms, int64_t mono_ms, bool force)
{
    bool last;
    registry_read_lock();
    push_result r = next_frame(sub, now_ms, mono_ms, force, &last);
    registry_unlock();
    if (r != PUSH_SENT)
        return r;
    return send_frame(sub, mono_ms) && !last ? PUSH_SENT : PUSH_END;
}

/* Pushes what there is, a few events at most and not past the back-pressure limit; ends the
 * subscription when it is over. */
static void push(subscription *sub, bool force)
{
    int64_t now_ms = clock_now_ms(), mono_ms = clock_mono_ms();
    if (!http_respond_open(sub->ex) || mono_ms >= sub->ends_at_ms ||
        sub_claim_superseded(sub->claim)) {
        end_subscription(sub);
        return;
    }
    for (int i = 0; i < EVENTS_PER_PUSH && http_respond_backlog(sub->ex) < BACKLOG_MAX &&
                    quota_push_open(&sub->pace, clock_mono_ns());
         i++) {
        push_result r = push_event(sub, now_ms, mono_ms, force && i == 0);
        if (r == PUSH_END) {
            end_subscription(sub);
            return;
        }
        if (r == PUSH_IDLE)
            return;
    }
}

static void on_poll(uv_timer_t *timer)
{
    push(timer->data, false);
}

void subscriptions_wake(void)
{
    for (subscription *sub = loop_subscriptions, *next; sub; sub = next) {
        next = sub->next; /* push may end sub */
        push(sub, false);
    }
}

/* Answers the request with the event stream's head and initial-response, and starts pushing. */
static void start_subscription(op_call *call, subscription *sub)
{
    char request_id[UUID_STR_LEN + 1], rid_header[64];
    uuid_v4(request_id);
    snprintf(rid_header, sizeof(rid_header), "x-amzn-RequestId: %s", request_id);
    const char *headers[] = {"Content-Type: " ES_CONTENT_TYPE, rid_header, NULL};
    sub->ex = call->exchange;
    sub->format = call->out->format;
    int64_t mono_ms = clock_mono_ms(); /* a subscription's deadlines run on the monotonic clock */
    sub->ends_at_ms = mono_ms + subscription_ms();
    uv_timer_init(call->loop, &sub->timer);
    sub->timer.data = sub;
    sub->next = loop_subscriptions;
    if (sub->next)
        sub->next->prev = sub;
    loop_subscriptions = sub;
    call->exchange_taken = true;

    http_respond_start(sub->ex, 200, headers);
    es_message m;
    es_begin_event(&sub->frame, &m, "initial-response", payload_types[sub->format]);
    kenc out;
    enc_init(&out, sub->format, &sub->frame);
    enc_map_begin(&out);
    enc_map_end(&out);
    es_end(&sub->frame, &m);
    send_frame(sub, mono_ms);
    uv_timer_start(&sub->timer, on_poll, POLL_MS, POLL_MS);
    push(sub, true); /* the first event at once, even an empty one */
}

void op_subscribe_to_shard(op_call *call)
{
    subscription *sub = calloc(1, sizeof(*sub));
    if (!sub)
        abort();
    registry_read_lock();
    bool ok = resolve(call, sub);
    registry_unlock();
    if (!ok) {
        free(sub);
        return;
    }
    log_debug("SubscribeToShard: stream %llu shard %d from offset %llu",
              (unsigned long long)sub->stream_uid, sub->shard_index,
              (unsigned long long)sub->offset);
    start_subscription(call, sub);
}
