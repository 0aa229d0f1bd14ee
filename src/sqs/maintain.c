/* maintain.c - the SQS control thread's tick: long polls that timed out or can be served,
 * redrive moves to dead-letter queues, retention, and reclaiming log space.
 *
 *   moves      a message received more than its queue's maxReceiveCount is marked MOVING by
 *              the receive that found it; here it is copied to the dead-letter queue (same
 *              MessageId, body, attributes and SentTimestamp; its receive count carried, its
 *              source named), and only once that copy is durable (store_flush) is it deleted
 *              from the source. A crash in between leaves it in both: at least once.
 *   retention  messages sent before now - MessageRetentionPeriod are deleted (recorded in the
 *              state log, so raising the retention later does not bring them back).
 *   space      segments of the messages log all of whose messages are gone are deleted; once
 *              the state log has grown by SNAPSHOT_EVERY records since the last snapshot, the
 *              queue's whole state is appended again as a snapshot and, once durable, the
 *              state log's segments before it are deleted (record.h says why replaying from
 *              any point before a snapshot is right). */
#include <stdlib.h>
#include <string.h>

#include "../common/clock.h"
#include "deliver.h"
#include "message.h"
#include "ops.h"
#include "queue_metrics.h"
#include "receive.h"
#include "sqs.h"

#define SNAPSHOT_EVERY 65536
#define SNAPSHOT_CHUNK (256u << 10)
#define EXPIRE_EVERY_MS 1000

/* ---- moves ---------------------------------------------------------------------------------- */

typedef struct copy_ctx {
    const sqs_queue *from;
    const msg_entry *entry;
    uint64_t offset;
    message_out *m;
    bool found;
} copy_ctx;

/* Re-encodes a message read from the source log for the dead-letter queue. */
static bool copy_message(const log_record *rec, void *arg)
{
    copy_ctx *c = arg;
    msg_header h;
    if (rec->offset != c->offset ||
        !record_header_decode(rec->partition_key, rec->partition_key_len, &h))
        return false;
    h.delay_s = 0;
    h.receive_count = c->entry->receive_count;
    h.first_receive_ms = c->entry->first_receive_ms;
    h.source_arn = c->from->arn;
    h.source_arn_len = strlen(c->from->arn);
    memset(c->m, 0, sizeof *c->m);
    c->m->h = h;
    record_header_encode(&h, &c->m->key);
    kbuf_append(&c->m->data, rec->data, rec->data_len);
    c->found = true;
    return false;
}

/* Copies one MOVING message to dlq; false when it is gone or cannot be read. */
static bool copy_to(sqs_queue *q, sqs_queue *dlq, uint64_t offset, int64_t now_ms)
{
    pthread_mutex_lock(&q->mu);
    msg_entry *e = msgindex_get(&q->index, offset), entry = e ? *e : (msg_entry){0};
    pthread_mutex_unlock(&q->mu);
    if (!e || entry.state != MSG_MOVING)
        return false;
    message_out m;
    copy_ctx c = {q, &entry, offset, &m, false};
    uint64_t next, ticket = 0, first;
    shardlog_read(q->messages, offset, 1, SIZE_MAX, copy_message, &c, &next);
    if (!c.found)
        return false;
    const message_out *one = &m;
    pthread_mutex_lock(&dlq->mu);
    bool ok = message_append(dlq, &one, 1, now_ms, &ticket, &first);
    pthread_mutex_unlock(&dlq->mu);
    message_free(&m);
    return ok;
}

static void move_messages(sqs_queue *q, int64_t now_ms)
{
    pthread_mutex_lock(&q->mu);
    uint64_t *moves = q->moves;
    size_t n = q->move_count;
    q->moves = NULL;
    q->move_count = q->move_cap = 0;
    pthread_mutex_unlock(&q->mu);
    if (!n)
        return;
    sqs_queue *dlq = q->attrs.dlq_arn ? queues_find_arn(q->attrs.dlq_arn) : NULL;
    bool *copied = calloc(n, sizeof *copied);
    if (!copied)
        abort();
    for (size_t i = 0; i < n; i++)
        copied[i] = dlq && dlq != q && copy_to(q, dlq, moves[i], now_ms);
    store_flush(sqs_store); /* the copies are durable before the originals go */
    kbuf rec = KBUF_INIT;
    uint64_t ticket = 0;
    pthread_mutex_lock(&q->mu);
    for (size_t i = 0; i < n; i++) {
        msg_entry *e = msgindex_get(&q->index, moves[i]);
        if (!e || e->state != MSG_MOVING)
            continue;
        if (copied[i]) {
            msgindex_delete(&q->index, moves[i], moves[i] + 1);
            record_state_deleted(&rec, moves[i], moves[i] + 1);
        } else {
            msgindex_cancel_move(&q->index, moves[i]);
        }
    }
    if (rec.len)
        queue_append_state(q, &rec, now_ms, &ticket);
    pthread_mutex_unlock(&q->mu);
    kbuf_free(&rec);
    free(copied);
    free(moves);
}

/* ---- retention ------------------------------------------------------------------------------ */

static void note_expired(void *arg, uint64_t offset)
{
    record_state_deleted(arg, offset, offset + 1);
}

static void expire(sqs_queue *q, int64_t now_ms)
{
    int64_t cutoff = now_ms - (int64_t)q->attrs.retention_s * 1000;
    kbuf rec = KBUF_INIT;
    uint64_t ticket = 0;
    pthread_mutex_lock(&q->mu);
    if (q->index.oldest_sent_ms < cutoff) {
        msgindex_expire(&q->index, cutoff, note_expired, &rec);
        if (rec.len)
            queue_append_state(q, &rec, now_ms, &ticket);
    }
    pthread_mutex_unlock(&q->mu);
    kbuf_free(&rec);
}

/* ---- space ---------------------------------------------------------------------------------- */

/* Appends the snapshot's pending chunk when it is large enough (or at the end). */
static void flush_chunk(sqs_queue *q, kbuf *rec, bool last, int64_t now_ms)
{
    uint64_t ticket = 0;
    if (rec->len && (last || rec->len >= SNAPSHOT_CHUNK)) {
        queue_append_state(q, rec, now_ms, &ticket);
        kbuf_reset(rec);
    }
}

/* Appends the whole state of q's live committed messages to its state log (a state record never
 * names an offset the messages log has not committed: after a crash such an offset is reused);
 * returns the state log offset the snapshot starts at. */
static uint64_t snapshot(sqs_queue *q, int64_t now_ms)
{
    kbuf rec = KBUF_INIT;
    pthread_mutex_lock(&q->mu);
    msg_index *ix = &q->index;
    uint64_t start = shardlog_next_offset(q->state), end = ix->promoted, gone_from = 0;
    bool in_gone = true; /* everything below base is gone */
    for (uint64_t off = ix->base; off <= end; off++) {
        const msg_entry *e = off < end ? msgindex_get(ix, off) : NULL;
        bool gone = e && e->state == MSG_DELETED;
        if (in_gone && !gone) {
            record_state_deleted(&rec, gone_from, off);
            in_gone = false;
        } else if (!in_gone && gone) {
            gone_from = off;
            in_gone = true;
        }
        if (e && !gone && e->receive_count)
            record_state_received(&rec, off, e->receive_count, e->first_receive_ms);
        flush_chunk(q, &rec, false, now_ms);
    }
    flush_chunk(q, &rec, true, now_ms);
    q->state_since_snapshot = 0;
    pthread_mutex_unlock(&q->mu);
    kbuf_free(&rec);
    return start;
}

static void reclaim(sqs_queue *q, int64_t now_ms)
{
    pthread_mutex_lock(&q->mu);
    uint64_t base = q->index.base;
    bool due = q->state_since_snapshot >= SNAPSHOT_EVERY;
    pthread_mutex_unlock(&q->mu);
    shardlog_trim_below(q->messages, base);
    if (!due)
        return;
    uint64_t start = snapshot(q, now_ms);
    store_flush(sqs_store);
    shardlog_trim_below(q->state, start);
}

/* ---- the tick ------------------------------------------------------------------------------- */

static int64_t last_expire_ms; /* monotonic */

/* The tick's two clocks: wall time for what messages record, monotonic for its deadlines. */
typedef struct tick_time {
    int64_t now_ms;
    int64_t mono_ms;
} tick_time;

static bool expire_due(int64_t mono_ms)
{
    return mono_ms - last_expire_ms >= EXPIRE_EVERY_MS;
}

static void maintain(sqs_queue *q, void *arg)
{
    const tick_time *t = arg;
    if (atomic_load(&q->waiting)) {
        waiters_expire(q, t->mono_ms, false);
        waiters_serve(q, t->now_ms);
    }
    move_messages(q, t->now_ms);
    if (expire_due(t->mono_ms)) {
        expire(q, t->now_ms);
        reclaim(q, t->now_ms);
    }
}

void sqs_tick(int64_t now_ms)
{
    tick_time t = {now_ms, clock_mono_ms()};
    queues_all(maintain, &t);
    if (expire_due(t.mono_ms))
        last_expire_ms = t.mono_ms;
    deliver_poll();
    queue_metrics_tick(now_ms);
}
