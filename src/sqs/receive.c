/* receive.c - ReceiveMessage's two steps, and the long polls waiting on a queue
 * (see receive.h). */
#include "receive.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "queue_metrics.h"
#include "receipt.h"
#include "record.h"

struct sqs_waiter {
    op_call *call;     /* deferred until served or expired */
    receive_opts opts; /* its receive */
    sqs_waiter *next;  /* the next newer waiter of the queue */
};

static atomic_bool stopping;
static atomic_int total_waiting; /* waiters of every queue */

/* ---- taking messages ------------------------------------------------------------------------ */

/* Whether the message must leave for the dead-letter queue instead of being received. */
static bool over_receive_limit(const sqs_queue *q, const msg_entry *e)
{
    return q->attrs.dlq_arn && e->receive_count >= (uint32_t)q->attrs.max_receive_count;
}

static void queue_move(sqs_queue *q, uint64_t offset)
{
    if (q->move_count == q->move_cap) {
        q->move_cap = q->move_cap ? q->move_cap * 2 : 16;
        q->moves = realloc(q->moves, q->move_cap * sizeof *q->moves);
        if (!q->moves)
            abort();
    }
    q->moves[q->move_count++] = offset;
    msgindex_start_move(&q->index, offset);
}

int receive_take(sqs_queue *q, const receive_opts *opts, int64_t now_ms, picked *out,
                 uint64_t *ticket, bool *failed)
{
    msg_index *ix = &q->index;
    msgindex_advance(ix, shardlog_committed(q->messages), now_ms);
    int64_t cutoff = now_ms - (int64_t)q->attrs.retention_s * 1000;
    kbuf rec = KBUF_INIT;
    int n = 0;
    uint64_t off;
    /* A message received with VisibilityTimeout 0 is visible again at once, but one call hands
     * out each message once (as SQS does): such messages are hidden for the length of the
     * call and shown again after it. */
    int64_t hide_ms = opts->visibility_ms ? opts->visibility_ms : 1;
    while (n < opts->max && msgindex_pop_visible(ix, &off)) {
        msg_entry *e = msgindex_get(ix, off);
        if (e->sent_ms < cutoff) {
            msgindex_delete(ix, off, off + 1);
            record_state_deleted(&rec, off, off + 1);
        } else if (over_receive_limit(q, e)) {
            queue_move(q, off);
        } else {
            msgindex_receive(ix, off, now_ms, hide_ms);
            record_state_received(&rec, off, e->receive_count, e->first_receive_ms);
            out[n++] = (picked){off, e->receive_count, e->first_receive_ms};
        }
    }
    for (int i = 0; opts->visibility_ms == 0 && i < n; i++)
        msgindex_change_visibility(ix, out[i].offset, now_ms, 0);
    *failed = rec.len && !queue_append_state(q, &rec, now_ms, ticket);
    kbuf_free(&rec);
    return *failed ? 0 : n;
}

/* ---- writing the answer --------------------------------------------------------------------- */

/* Whether MessageAttributeNames selects the attribute: "All", ".*", "prefix.*" or the name. */
static bool attr_selected(const kval *names, const msg_attr *a)
{
    for (size_t i = 0; names && i < names->u.list.n; i++) {
        const kval *v = &names->u.list.items[i];
        const char *s = v->u.s.ptr;
        size_t len = v->u.s.len;
        if (!strcmp(s, "All") || !strcmp(s, ".*"))
            return true;
        if (len >= 2 && !strcmp(s + len - 2, ".*") && a->name_len >= len - 1 &&
            !memcmp(a->name, s, len - 1))
            return true;
        if (len == a->name_len && !memcmp(a->name, s, len))
            return true;
    }
    return false;
}

static void write_attr_value(kenc *out, const msg_attr *a)
{
    enc_map_begin(out);
    if (a->binary) {
        enc_key(out, "BinaryValue");
        enc_blob(out, a->value, a->value_len);
    } else {
        enc_key(out, "StringValue");
        enc_strn(out, a->value, a->value_len);
    }
    enc_key(out, "DataType");
    enc_strn(out, a->type, a->type_len);
    enc_map_end(out);
}

/* MD5OfMessageAttributes and MessageAttributes, for the selected attributes only (the MD5 is
 * over what is returned, which is what the SDKs check). */
static void write_message_attrs(kenc *out, const kval *names, const char *p, size_t n)
{
    msg_attr a;
    size_t at = 0, selected = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_md5(), NULL);
    while (record_attr_next(p, n, &at, &a))
        if (attr_selected(names, &a)) {
            EVP_DigestUpdate(md, a.encoding, a.encoding_len);
            selected++;
        }
    unsigned char digest[16];
    EVP_DigestFinal_ex(md, digest, NULL);
    EVP_MD_CTX_free(md);
    if (!selected)
        return;
    char hex[MD5_HEX_LEN + 1];
    record_md5_hex(digest, hex);
    enc_key(out, "MD5OfMessageAttributes");
    enc_str(out, hex);
    enc_key(out, "MessageAttributes");
    enc_map_begin(out);
    for (at = 0; record_attr_next(p, n, &at, &a);)
        if (attr_selected(names, &a)) {
            char name[257];
            snprintf(name, sizeof name, "%.*s", (int)a.name_len, a.name);
            enc_key(out, name);
            write_attr_value(out, &a);
        }
    enc_map_end(out);
}

static void write_int_attr(kenc *out, const char *name, int64_t v)
{
    char text[24];
    snprintf(text, sizeof text, "%" PRId64, v);
    enc_key(out, name);
    enc_str(out, text);
}

static void write_system_attrs(kenc *out, unsigned which, const msg_header *h, const picked *p)
{
    if (!which)
        return;
    enc_key(out, "Attributes");
    enc_map_begin(out);
    if (which & SYS_SENDER_ID) {
        enc_key(out, "SenderId");
        enc_strn(out, h->sender_id, h->sender_id_len);
    }
    if (which & SYS_FIRST_RECEIVE)
        write_int_attr(out, "ApproximateFirstReceiveTimestamp", p->first_receive_ms);
    if (which & SYS_RECEIVE_COUNT)
        write_int_attr(out, "ApproximateReceiveCount", p->receive_count);
    if (which & SYS_SENT_TIMESTAMP)
        write_int_attr(out, "SentTimestamp", h->sent_ms);
    if ((which & SYS_SOURCE_ARN) && h->source_arn_len) {
        enc_key(out, "DeadLetterQueueSourceArn");
        enc_strn(out, h->source_arn, h->source_arn_len);
    }
    enc_map_end(out);
}

typedef struct write_ctx {
    op_call *call;
    const sqs_queue *q;
    const receive_opts *opts;
    const picked *p;
    bool found;
} write_ctx;

static bool write_message(const log_record *rec, void *arg)
{
    write_ctx *w = arg;
    msg_header h;
    if (rec->offset != w->p->offset ||
        !record_header_decode(rec->partition_key, rec->partition_key_len, &h) ||
        h.body_len > rec->data_len)
        return false;
    w->found = true;
    kenc *out = w->call->out;
    char handle[RECEIPT_MAX_LEN + 1], md5[MD5_HEX_LEN + 1];
    receipt r = {w->q->uid, w->p->offset, w->p->receive_count};
    receipt_encode(&r, handle);
    record_md5_hex(h.body_md5, md5);
    enc_map_begin(out);
    enc_key(out, "MessageId");
    enc_str(out, h.message_id);
    enc_key(out, "ReceiptHandle");
    enc_str(out, handle);
    enc_key(out, "MD5OfBody");
    enc_str(out, md5);
    enc_key(out, "Body");
    enc_strn(out, rec->data, h.body_len);
    write_system_attrs(out, w->opts->sys_attrs, &h, w->p);
    write_message_attrs(out, w->opts->attr_names, (const char *)rec->data + h.body_len,
                        rec->data_len - h.body_len);
    enc_map_end(out);
    return false;
}

void receive_write(op_call *call, sqs_queue *q, const receive_opts *opts, const picked *p, int n)
{
    kenc *out = call->out;
    queue_metrics_received(q, n);
    enc_map_begin(out);
    if (n > 0) {
        enc_key(out, "Messages");
        enc_list_begin(out);
        for (int i = 0; i < n; i++) {
            write_ctx w = {call, q, opts, &p[i], false};
            uint64_t next;
            shardlog_read(q->messages, p[i].offset, 1, SIZE_MAX, write_message, &w, &next);
        }
        enc_list_end(out);
    }
    enc_map_end(out);
}

/* ---- waiters -------------------------------------------------------------------------------- */

void waiters_add(sqs_queue *q, op_call *call, const receive_opts *opts)
{
    sqs_waiter *w = arena_alloc(call->arena, sizeof *w);
    *w = (sqs_waiter){call, *opts, NULL};
    if (q->waiters_last)
        q->waiters_last->next = w;
    else
        q->waiters = w;
    q->waiters_last = w;
    atomic_fetch_add(&q->waiting, 1);
    atomic_fetch_add(&total_waiting, 1);
    call->deferred = true;
}

static sqs_waiter *pop_waiter(sqs_queue *q)
{
    sqs_waiter *w = q->waiters;
    q->waiters = w->next;
    if (!q->waiters)
        q->waiters_last = NULL;
    atomic_fetch_sub(&q->waiting, 1);
    atomic_fetch_sub(&total_waiting, 1);
    return w;
}

/* Puts a waiter back at the head (it was popped but got nothing). */
static void push_front(sqs_queue *q, sqs_waiter *w)
{
    w->next = q->waiters;
    q->waiters = w;
    if (!q->waiters_last)
        q->waiters_last = w;
    atomic_fetch_add(&q->waiting, 1);
    atomic_fetch_add(&total_waiting, 1);
}

void waiters_serve(sqs_queue *q, int64_t now_ms)
{
    for (;;) {
        pthread_mutex_lock(&q->mu);
        msgindex_advance(&q->index, shardlog_committed(q->messages), now_ms);
        if (!q->waiters || !msgindex_has_visible(&q->index)) {
            pthread_mutex_unlock(&q->mu);
            return;
        }
        sqs_waiter *w = pop_waiter(q);
        picked p[RECEIVE_MAX];
        bool failed;
        int n = receive_take(q, &w->opts, now_ms, p, &w->call->commit_ticket, &failed);
        if (n == 0 && !failed) {
            push_front(q, w); /* what was visible expired or moved */
            pthread_mutex_unlock(&q->mu);
            return;
        }
        pthread_mutex_unlock(&q->mu);
        if (failed)
            sqs_error(w->call, SQS_INTERNAL_ERROR, "Internal error");
        else
            receive_write(w->call, q, &w->opts, p, n);
        call_complete(w->call);
    }
}

void waiters_expire(sqs_queue *q, int64_t mono_ms, bool all)
{
    pthread_mutex_lock(&q->mu);
    sqs_waiter *done = NULL, **link = &q->waiters;
    q->waiters_last = NULL;
    while (*link) {
        sqs_waiter *w = *link;
        if (all || w->opts.deadline_ms <= mono_ms) {
            *link = w->next;
            w->next = done;
            done = w;
            atomic_fetch_sub(&q->waiting, 1);
            atomic_fetch_sub(&total_waiting, 1);
        } else {
            q->waiters_last = w;
            link = &w->next;
        }
    }
    pthread_mutex_unlock(&q->mu);
    while (done) {
        sqs_waiter *next = done->next;
        receive_write(done->call, q, &done->opts, NULL, 0);
        call_complete(done->call);
        done = next;
    }
}

int waiters_total(void)
{
    return atomic_load(&total_waiting);
}

bool waiters_accepting(void)
{
    return !atomic_load(&stopping);
}

static void expire_all(sqs_queue *q, void *arg)
{
    (void)arg;
    waiters_expire(q, 0, true);
}

void waiters_stop(void)
{
    atomic_store(&stopping, true);
    pthread_rwlock_rdlock(&sqs_lock);
    queues_all(expire_all, NULL);
    pthread_rwlock_unlock(&sqs_lock);
}
