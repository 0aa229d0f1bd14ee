/* ops_read.c - the operations that read queue metadata, on loop threads under sqs_lock held
 * shared: GetQueueUrl, ListQueues, GetQueueAttributes, ListQueueTags,
 * ListDeadLetterSourceQueues. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../common/base64.h"
#include "errors.h"
#include "ops.h"

#define LIST_MAX 1000

void op_get_queue_url(op_call *call)
{
    const char *owner = kv_str(call->input, "QueueOwnerAWSAccountId");
    sqs_queue *q =
        queues_find(call->region, owner ? owner : call->account, kv_str(call->input, "QueueName"));
    if (!q) {
        sqs_error(call, SQS_QUEUE_DOES_NOT_EXIST, "The specified queue does not exist.");
        return;
    }
    enc_map_begin(call->out);
    enc_key(call->out, "QueueUrl");
    enc_str(call->out, queue_url(call, q));
    enc_map_end(call->out);
}

/* ---- listing with pages --------------------------------------------------------------------- */

typedef struct lister {
    op_call *call;
    const char *after;   /* NextToken: list names after this one */
    int64_t max;         /* MaxResults (LIST_MAX when not given) */
    bool paged;          /* MaxResults was given: answer NextToken when more remain */
    const char *key;     /* "QueueUrls" or "queueUrls" */
    const char *dlq_arn; /* ListDeadLetterSourceQueues: only the sources of this queue */
    int64_t count;
    const char *last; /* the last name listed */
    bool more;
} lister;

static bool list_one(sqs_queue *q, void *arg)
{
    lister *l = arg;
    if ((l->after && strcmp(q->name, l->after) <= 0) ||
        (l->dlq_arn && (!q->attrs.dlq_arn || strcmp(q->attrs.dlq_arn, l->dlq_arn))))
        return true;
    if (l->count == l->max) {
        l->more = true;
        return false;
    }
    if (l->count++ == 0) {
        enc_key(l->call->out, l->key);
        enc_list_begin(l->call->out);
    }
    enc_str(l->call->out, queue_url(l->call, q));
    l->last = q->name;
    return true;
}

/* Reads NextToken (base64 of the last name listed) and MaxResults; false with an error. */
static bool read_page(op_call *call, lister *l)
{
    const char *token = kv_str(call->input, "NextToken");
    l->max = LIST_MAX;
    if (kv_int(call->input, "MaxResults", &l->max)) {
        l->paged = true;
        if (l->max < 1 || l->max > LIST_MAX) {
            sqs_error(call, SQS_INVALID_PARAMETER_VALUE,
                      "Value %" PRId64 " for parameter MaxResults is invalid. Reason: MaxResults "
                      "must be an integer between 1 and 1000.",
                      l->max);
            return false;
        }
    }
    if (token) {
        size_t len = strlen(token), n = 0;
        char *name = arena_alloc(call->arena, len + 4);
        if (!base64_decode(token, len, name, &n) || n == 0) {
            sqs_error(call, SQS_INVALID_PARAMETER_VALUE, "Invalid NextToken value.");
            return false;
        }
        name[n] = '\0';
        l->after = name;
    }
    return true;
}

static void finish_page(lister *l)
{
    kenc *out = l->call->out;
    if (l->count)
        enc_list_end(out);
    else if (l->dlq_arn) {
        enc_key(out, l->key); /* a required member of ListDeadLetterSourceQueues' result */
        enc_list_begin(out);
        enc_list_end(out);
    }
    if (l->paged && l->more) {
        size_t n = strlen(l->last);
        char *token = arena_alloc(l->call->arena, base64_encoded_len(n) + 1);
        base64_encode(l->last, n, token);
        enc_key(out, "NextToken");
        enc_str(out, token);
    }
    enc_map_end(out);
}

void op_list_queues(op_call *call)
{
    lister l = {.call = call, .key = "QueueUrls"};
    if (!read_page(call, &l))
        return;
    const char *prefix = kv_str(call->input, "QueueNamePrefix");
    enc_map_begin(call->out);
    queues_each(call->region, call->account, prefix ? prefix : "", list_one, &l);
    finish_page(&l);
}

void op_list_dead_letter_source_queues(op_call *call)
{
    sqs_queue *dlq = ops_queue(call);
    lister l = {.call = call, .key = "queueUrls"};
    if (!dlq || !read_page(call, &l))
        return;
    l.dlq_arn = dlq->arn;
    enc_map_begin(call->out);
    queues_each(call->region, call->account, "", list_one, &l);
    finish_page(&l);
}

/* ---- attributes and tags -------------------------------------------------------------------- */

static const char *const computed_attrs[] = {"ApproximateNumberOfMessages",
                                             "ApproximateNumberOfMessagesNotVisible",
                                             "ApproximateNumberOfMessagesDelayed",
                                             "CreatedTimestamp",
                                             "LastModifiedTimestamp",
                                             "QueueArn"};
#define COMPUTED_COUNT (sizeof computed_attrs / sizeof computed_attrs[0])

static bool known_attr(const char *name)
{
    if (!strcmp(name, "All") || attrs_find(name) >= 0)
        return true;
    for (size_t i = 0; i < COMPUTED_COUNT; i++)
        if (!strcmp(name, computed_attrs[i]))
            return true;
    return false;
}

static bool wanted(const kval *names, const char *name)
{
    for (size_t i = 0; i < names->u.list.n; i++) {
        const char *s = names->u.list.items[i].u.s.ptr;
        if (!strcmp(s, "All") || !strcmp(s, name))
            return true;
    }
    return false;
}

static void write_number(kenc *out, const char *key, int64_t v)
{
    char text[24];
    snprintf(text, sizeof text, "%" PRId64, v);
    enc_key(out, key);
    enc_str(out, text);
}

/* The computed attributes' values, in computed_attrs' order. */
static void computed_values(op_call *call, sqs_queue *q, int64_t v[COMPUTED_COUNT])
{
    pthread_mutex_lock(&q->mu);
    msgindex_advance(&q->index, shardlog_committed(q->messages), call->now_ms);
    v[0] = (int64_t)q->index.visible;
    v[1] = (int64_t)q->index.inflight;
    v[2] = (int64_t)q->index.delayed;
    pthread_mutex_unlock(&q->mu);
    v[3] = q->created_ms / 1000;
    v[4] = q->modified_ms / 1000;
}

void op_get_queue_attributes(op_call *call)
{
    sqs_queue *q = ops_queue(call);
    const kval *names = kv_get(call->input, "AttributeNames");
    if (!q)
        return;
    for (size_t i = 0; names && i < names->u.list.n; i++)
        if (!known_attr(names->u.list.items[i].u.s.ptr)) {
            sqs_error(call, SQS_INVALID_ATTRIBUTE_NAME, "Unknown Attribute %s.",
                      names->u.list.items[i].u.s.ptr);
            return;
        }
    kenc *out = call->out;
    enc_map_begin(out);
    if (names && names->u.list.n) {
        int64_t v[COMPUTED_COUNT];
        computed_values(call, q, v);
        enc_key(out, "Attributes");
        enc_map_begin(out);
        for (size_t i = 0; i < COMPUTED_COUNT; i++) {
            if (!wanted(names, computed_attrs[i]))
                continue;
            if (!strcmp(computed_attrs[i], "QueueArn")) {
                enc_key(out, "QueueArn");
                enc_str(out, q->arn);
            } else {
                write_number(out, computed_attrs[i], v[i]);
            }
        }
        for (int id = 0; id < QA_COUNT; id++) {
            const char *value = attrs_value(&q->attrs, (queue_attr_id)id);
            if (value && wanted(names, attrs_name((queue_attr_id)id))) {
                enc_key(out, attrs_name((queue_attr_id)id));
                enc_str(out, value);
            }
        }
        enc_map_end(out);
    }
    enc_map_end(out);
}

void op_list_queue_tags(op_call *call)
{
    sqs_queue *q = ops_queue(call);
    if (!q)
        return;
    kenc *out = call->out;
    enc_map_begin(out);
    if (q->tag_count) {
        enc_key(out, "Tags");
        enc_map_begin(out);
        for (size_t i = 0; i < q->tag_count; i++) {
            enc_key(out, q->tags[i].key);
            enc_str(out, q->tags[i].value);
        }
        enc_map_end(out);
    }
    enc_map_end(out);
}
