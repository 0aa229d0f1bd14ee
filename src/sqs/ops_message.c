/* ops_message.c - DeleteMessage, ChangeMessageVisibility and their batches: a receipt handle
 * names one receive of one message (receipt.h).
 *
 * A deletion is appended to the queue's state log and answered once durable: a deleted message
 * never comes back. A handle that is not the message's latest, or names a message already gone,
 * deletes nothing and succeeds, as AWS documents. A visibility change lives in memory only:
 * after a restart every message that was in flight is visible again anyway. */
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "ops.h"
#include "queue_metrics.h"
#include "receipt.h"
#include "record.h"

/* The outcome of one entry: ok, or a failure kind with AWS's text. */
typedef struct entry_result {
    bool ok;
    sqs_error_kind kind;
    char text[600];
} entry_result;

static bool bad_handle(entry_result *res, const char *handle)
{
    res->ok = false;
    res->kind = SQS_RECEIPT_HANDLE_INVALID;
    snprintf(res->text, sizeof res->text,
             "The input receipt handle \"%.300s\" is not a valid receipt handle.", handle);
    return false;
}

/* Decodes a handle of q; false with ReceiptHandleIsInvalid in res. */
static bool handle_of(const sqs_queue *q, const char *handle, receipt *r, entry_result *res)
{
    if (!receipt_decode(handle, r) || r->queue_uid != q->uid)
        return bad_handle(res, handle);
    return true;
}

/* ---- deleting ------------------------------------------------------------------------------- */

static void delete_one(op_call *call, sqs_queue *q, const char *handle, entry_result *res)
{
    receipt r;
    res->ok = true;
    if (!handle_of(q, handle, &r, res))
        return;
    pthread_mutex_lock(&q->mu);
    msg_entry *e = msgindex_get(&q->index, r.offset);
    if (e && r.offset < q->index.promoted && e->receive_count == r.receive_count &&
        (e->state == MSG_INFLIGHT || e->state == MSG_VISIBLE)) {
        kbuf rec = KBUF_INIT;
        record_state_deleted(&rec, r.offset, r.offset + 1);
        msgindex_delete(&q->index, r.offset, r.offset + 1);
        if (!queue_append_state(q, &rec, call->now_ms, &call->commit_ticket)) {
            res->ok = false;
            res->kind = SQS_INTERNAL_ERROR;
            snprintf(res->text, sizeof res->text, "Internal error");
        }
        kbuf_free(&rec);
    }
    pthread_mutex_unlock(&q->mu);
    if (res->ok)
        queue_metrics_deleted(q);
}

/* ---- visibility ----------------------------------------------------------------------------- */

static void change_one(op_call *call, sqs_queue *q, const char *handle, int64_t timeout_s,
                       entry_result *res)
{
    receipt r;
    res->ok = true;
    if (!handle_of(q, handle, &r, res))
        return;
    if (timeout_s < 0 || timeout_s > SQS_MAX_VISIBILITY_S) {
        res->ok = false;
        res->kind = SQS_INVALID_PARAMETER_VALUE;
        snprintf(res->text, sizeof res->text,
                 "Value %lld for parameter VisibilityTimeout is invalid. Reason: Total "
                 "VisibilityTimeout for the message is beyond the limit [43200 seconds].",
                 (long long)timeout_s);
        return;
    }
    pthread_mutex_lock(&q->mu);
    msgindex_advance(&q->index, shardlog_committed(q->messages), call->now_ms);
    msg_entry *e = msgindex_get(&q->index, r.offset);
    res->ok = e && e->receive_count == r.receive_count &&
              msgindex_change_visibility(&q->index, r.offset, call->now_ms, timeout_s * 1000);
    pthread_mutex_unlock(&q->mu);
    if (!res->ok) {
        res->kind = SQS_INVALID_PARAMETER_VALUE;
        snprintf(res->text, sizeof res->text,
                 "Value %.300s for parameter ReceiptHandle is invalid. Reason: Message does not "
                 "exist or is not available for visibility timeout change.",
                 handle);
    }
}

static int64_t timeout_of(const kval *v)
{
    int64_t t = 0;
    kv_int(v, "VisibilityTimeout", &t);
    return t;
}

/* ---- the operations ------------------------------------------------------------------------- */

static void answer_single(op_call *call, const entry_result *res)
{
    if (!res->ok) {
        sqs_error(call, res->kind, "%s", res->text);
        return;
    }
    enc_map_begin(call->out);
    enc_map_end(call->out);
}

void op_delete_message(op_call *call)
{
    sqs_queue *q = ops_queue(call);
    entry_result res;
    if (!q)
        return;
    delete_one(call, q, kv_str(call->input, "ReceiptHandle"), &res);
    answer_single(call, &res);
}

void op_change_message_visibility(op_call *call)
{
    sqs_queue *q = ops_queue(call);
    entry_result res;
    if (!q)
        return;
    change_one(call, q, kv_str(call->input, "ReceiptHandle"), timeout_of(call->input), &res);
    answer_single(call, &res);
}

/* Runs a batch of deletions or visibility changes, then answers Successful and Failed. */
static void run_batch(op_call *call, const char *entry_shape, bool deleting)
{
    sqs_queue *q = ops_queue(call);
    const kval *entries = kv_get(call->input, "Entries");
    if (!q || !ops_check_batch(call, entries, entry_shape))
        return;
    size_t n = entries->u.list.n, bad = 0;
    batch_failure failed[BATCH_MAX];
    const char *ok[BATCH_MAX];
    size_t good = 0;
    for (size_t i = 0; i < n; i++) {
        const kval *e = &entries->u.list.items[i];
        entry_result res;
        if (deleting)
            delete_one(call, q, kv_str(e, "ReceiptHandle"), &res);
        else
            change_one(call, q, kv_str(e, "ReceiptHandle"), timeout_of(e), &res);
        if (res.ok)
            ok[good++] = kv_str(e, "Id");
        else
            failed[bad++] = batch_fail(call, kv_str(e, "Id"), res.kind, "%s", res.text);
    }
    kenc *out = call->out;
    enc_map_begin(out);
    enc_key(out, "Successful");
    enc_list_begin(out);
    for (size_t i = 0; i < good; i++) {
        enc_map_begin(out);
        enc_key(out, "Id");
        enc_str(out, ok[i]);
        enc_map_end(out);
    }
    enc_list_end(out);
    batch_write_failures(out, failed, bad);
    enc_map_end(out);
}

void op_delete_message_batch(op_call *call)
{
    run_batch(call, "DeleteMessageBatchRequestEntry", true);
}

void op_change_message_visibility_batch(op_call *call)
{
    run_batch(call, "ChangeMessageVisibilityBatchRequestEntry", false);
}
