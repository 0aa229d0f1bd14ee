/* queue_metrics.c - each queue's AWS/SQS metrics (see queue_metrics.h): the scope of a queue,
 * the operation counts, and the depth gauges sampled from the message index. */
#include "queue_metrics.h"

#include "../monitoring/metrics.h"

#define NS "AWS/SQS"

/* Where a queue's samples go: its owner, AWS/SQS, QueueName. */
typedef struct queue_scope {
    metric_dim dim;     /* QueueName */
    metric_scope scope; /* points at dim */
} queue_scope;

static const metric_scope *scope_of(const sqs_queue *q, queue_scope *s)
{
    s->dim = (metric_dim){"QueueName", q->name};
    s->scope = (metric_scope){q->account, q->region, NS, &s->dim, 1};
    return &s->scope;
}

void queue_metrics_sent(const sqs_queue *q, size_t bytes)
{
    if (!metrics_enabled())
        return;
    queue_scope s;
    metric_sample samples[] = {{"NumberOfMessagesSent", METRIC_COUNTER, 1, UNIT_COUNT},
                               {"SentMessageSize", METRIC_HISTOGRAM, (double)bytes, UNIT_BYTES}};
    metric_add_all(scope_of(q, &s), samples, 2);
}

void queue_metrics_received(const sqs_queue *q, int n)
{
    if (!metrics_enabled())
        return;
    queue_scope s;
    if (n > 0)
        metric_add(scope_of(q, &s), "NumberOfMessagesReceived", METRIC_COUNTER, n, UNIT_COUNT);
    else
        metric_add(scope_of(q, &s), "NumberOfEmptyReceives", METRIC_COUNTER, 1, UNIT_COUNT);
}

void queue_metrics_deleted(const sqs_queue *q)
{
    if (!metrics_enabled())
        return;
    queue_scope s;
    metric_add(scope_of(q, &s), "NumberOfMessagesDeleted", METRIC_COUNTER, 1, UNIT_COUNT);
}

/* The send time of q's oldest message still in the queue; -1 when it holds none (q->mu). */
static int64_t oldest_sent_ms(const msg_index *ix)
{
    for (size_t i = 0; i < ix->len && ix->base + i < ix->promoted; i++) {
        const msg_entry *e = &ix->ring[(ix->head + i) % ix->cap];
        if (e->state != MSG_DELETED)
            return e->sent_ms;
    }
    return -1;
}

static void sample_depth(sqs_queue *q, void *arg)
{
    int64_t now_ms = *(const int64_t *)arg;
    pthread_mutex_lock(&q->mu);
    msgindex_advance(&q->index, shardlog_committed(q->messages), now_ms);
    double visible = (double)q->index.visible, inflight = (double)q->index.inflight,
           delayed = (double)q->index.delayed;
    int64_t oldest = oldest_sent_ms(&q->index);
    pthread_mutex_unlock(&q->mu);
    double age_s = oldest < 0 || oldest > now_ms ? 0 : (double)((now_ms - oldest) / 1000);
    queue_scope s;
    metric_sample samples[] = {
        {"ApproximateNumberOfMessagesVisible", METRIC_GAUGE, visible, UNIT_COUNT},
        {"ApproximateNumberOfMessagesNotVisible", METRIC_GAUGE, inflight, UNIT_COUNT},
        {"ApproximateNumberOfMessagesDelayed", METRIC_GAUGE, delayed, UNIT_COUNT},
        {"ApproximateAgeOfOldestMessage", METRIC_GAUGE, age_s, UNIT_SECONDS}};
    metric_add_all(scope_of(q, &s), samples, 4);
}

void queue_metrics_tick(int64_t now_ms)
{
    static int64_t next_ms;
    if (!metrics_enabled() || now_ms < next_ms)
        return;
    next_ms = now_ms + QUEUE_GAUGES_PERIOD_MS;
    queues_all(sample_depth, &now_ms);
}
