/* ops_send.c - SendMessage and SendMessageBatch: check each message, encode it, append it to the
 * queue's messages log (one run per request, under the queue's mutex, so the index gets its
 * entries in offset order) and answer once the store made it durable (call->commit_ticket). A
 * message becomes receivable once durable, too (msgindex.h). */
#include <stdio.h>
#include <string.h>

#include "message.h"
#include "ops.h"
#include "queue_metrics.h"

/* The caller's SenderId: its user id (the account for the root). */
static const char *sender_of(const op_call *call)
{
    return call->who->user_id[0] ? call->who->user_id : call->account;
}

static int64_t delay_of(const kval *input)
{
    int64_t d;
    return kv_int(input, "DelaySeconds", &d) ? d : -1;
}

/* Appends the messages under the queue's mutex; false (with InternalError) on a store failure. */
static bool append(op_call *call, sqs_queue *q, const message_out *const *msgs, size_t n)
{
    uint64_t first;
    pthread_mutex_lock(&q->mu);
    bool ok = message_append(q, msgs, n, call->now_ms, &call->commit_ticket, &first);
    pthread_mutex_unlock(&q->mu);
    if (!ok)
        ops_fail_internal(call);
    for (size_t i = 0; ok && i < n; i++)
        queue_metrics_sent(q, msgs[i]->data.len);
    return ok;
}

static void write_sent(kenc *out, const message_out *m)
{
    enc_key(out, "MD5OfMessageBody");
    enc_str(out, m->body_md5);
    if (m->attrs_md5[0]) {
        enc_key(out, "MD5OfMessageAttributes");
        enc_str(out, m->attrs_md5);
    }
    enc_key(out, "MessageId");
    enc_str(out, m->h.message_id);
}

/* The delay a message gets: its own, else the queue's. */
static uint32_t effective_delay(const sqs_queue *q, int64_t delay)
{
    return (uint32_t)(delay >= 0 ? delay : q->attrs.delay_s);
}

void op_send_message(op_call *call)
{
    sqs_queue *q = ops_queue(call);
    if (!q)
        return;
    const kval *body = kv_get(call->input, "MessageBody");
    const kval *attrs = kv_get(call->input, "MessageAttributes");
    int64_t delay = delay_of(call->input);
    message_problem why;
    if (!message_check(q, body->u.s.ptr, body->u.s.len, attrs, delay, &why)) {
        sqs_error(call, why.kind, "%s", why.text);
        return;
    }
    message_out m;
    message_build(&m, body->u.s.ptr, body->u.s.len, attrs, effective_delay(q, delay),
                  sender_of(call), call->now_ms);
    const message_out *one = &m;
    if (append(call, q, &one, 1)) {
        enc_map_begin(call->out);
        write_sent(call->out, &m);
        enc_map_end(call->out);
    }
    message_free(&m);
}

/* ---- SendMessageBatch ----------------------------------------------------------------------- */

static size_t entry_size(const kval *entry)
{
    size_t size = kv_get(entry, "MessageBody")->u.s.len;
    const kval *attrs = kv_get(entry, "MessageAttributes");
    for (size_t i = 0; attrs && i < attrs->u.map.n; i++) {
        const kval *v = &attrs->u.map.vals[i];
        const kval *value =
            kv_get(v, "StringValue") ? kv_get(v, "StringValue") : kv_get(v, "BinaryValue");
        const char *type = kv_str(v, "DataType");
        size +=
            strlen(attrs->u.map.keys[i]) + (type ? strlen(type) : 0) + (value ? value->u.s.len : 0);
    }
    return size;
}

static bool check_batch_size(op_call *call, const kval *entries)
{
    size_t total = 0;
    for (size_t i = 0; i < entries->u.list.n; i++)
        total += entry_size(&entries->u.list.items[i]);
    if (total <= SQS_MAX_MESSAGE_SIZE)
        return true;
    sqs_error(call, SQS_BATCH_TOO_LONG,
              "Batch requests cannot be longer than %d bytes. You have sent %zu bytes.",
              SQS_MAX_MESSAGE_SIZE, total);
    return false;
}

void op_send_message_batch(op_call *call)
{
    sqs_queue *q = ops_queue(call);
    const kval *entries = kv_get(call->input, "Entries");
    if (!q || !ops_check_batch(call, entries, "SendMessageBatchRequestEntry") ||
        !check_batch_size(call, entries))
        return;
    size_t n = entries->u.list.n, good = 0, bad = 0;
    message_out msgs[BATCH_MAX];
    const message_out *ok[BATCH_MAX];
    const char *ok_ids[BATCH_MAX];
    batch_failure failed[BATCH_MAX];
    for (size_t i = 0; i < n; i++) {
        const kval *e = &entries->u.list.items[i];
        const kval *body = kv_get(e, "MessageBody"), *attrs = kv_get(e, "MessageAttributes");
        int64_t delay = delay_of(e);
        message_problem why;
        if (!message_check(q, body->u.s.ptr, body->u.s.len, attrs, delay, &why)) {
            failed[bad++] = batch_fail(call, kv_str(e, "Id"), why.kind, "%s", why.text);
            continue;
        }
        message_build(&msgs[good], body->u.s.ptr, body->u.s.len, attrs, effective_delay(q, delay),
                      sender_of(call), call->now_ms);
        ok[good] = &msgs[good];
        ok_ids[good++] = kv_str(e, "Id");
    }
    if (!good || append(call, q, ok, good)) {
        kenc *out = call->out;
        enc_map_begin(out);
        enc_key(out, "Successful");
        enc_list_begin(out);
        for (size_t i = 0; i < good; i++) {
            enc_map_begin(out);
            enc_key(out, "Id");
            enc_str(out, ok_ids[i]);
            write_sent(out, &msgs[i]);
            enc_map_end(out);
        }
        enc_list_end(out);
        batch_write_failures(out, failed, bad);
        enc_map_end(out);
    }
    for (size_t i = 0; i < good; i++)
        message_free(&msgs[i]);
}
