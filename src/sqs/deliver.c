/* deliver.c - sqs_deliver: a message from inside kinesd, appended like SendMessage's, reported
 * to its sender once the queue's log has committed it (see sqs.h).
 *
 * Pending deliveries wait in one list under its own mutex; loop threads look at it when the
 * store reports durable tickets (sqs_on_durable) and the control thread at each tick. */
#include <stdlib.h>

#include "../common/clock.h"

#include "deliver.h"
#include "message.h"
#include "queue_metrics.h"
#include "sqs.h"

typedef struct delivery {
    sqs_queue *q;          /* the queue (alive while it is in the registry) */
    uint64_t offset;       /* the message's offset in q's messages log */
    sqs_delivered_fn done; /* the sender's callback */
    void *arg;
    struct delivery *next;
} delivery;

static pthread_mutex_t pending_mu = PTHREAD_MUTEX_INITIALIZER;
static delivery *pending;

int sqs_deliver(const char *queue_arn, const char *body, size_t len, sqs_delivered_fn done,
                void *arg)
{
    pthread_rwlock_rdlock(&sqs_lock);
    sqs_queue *q = queues_find_arn(queue_arn);
    message_problem why;
    if (!q || !message_check(q, body, len, NULL, -1, &why)) {
        pthread_rwlock_unlock(&sqs_lock);
        return -1;
    }
    message_out m;
    message_build(&m, body, len, NULL, (uint32_t)q->attrs.delay_s, "kinesd", clock_now_ms());
    const message_out *one = &m;
    delivery *d = calloc(1, sizeof *d);
    if (!d)
        abort();
    uint64_t ticket = 0;
    pthread_mutex_lock(&q->mu);
    bool ok = message_append(q, &one, 1, m.h.sent_ms, &ticket, &d->offset);
    pthread_mutex_unlock(&q->mu);
    message_free(&m);
    if (ok) {
        queue_metrics_sent(q, len);
        *d = (delivery){q, d->offset, done, arg, NULL};
        pthread_mutex_lock(&pending_mu);
        d->next = pending;
        pending = d;
        pthread_mutex_unlock(&pending_mu);
    } else {
        free(d);
    }
    pthread_rwlock_unlock(&sqs_lock);
    return ok ? 0 : -1;
}

/* Takes the deliveries that `take` selects off the list. */
static delivery *take_where(bool (*take)(const delivery *d, const void *arg), const void *arg)
{
    delivery *taken = NULL, **link = &pending;
    pthread_mutex_lock(&pending_mu);
    while (*link) {
        delivery *d = *link;
        if (take(d, arg)) {
            *link = d->next;
            d->next = taken;
            taken = d;
        } else {
            link = &d->next;
        }
    }
    pthread_mutex_unlock(&pending_mu);
    return taken;
}

static bool is_durable(const delivery *d)
{
    return shardlog_committed(d->q->messages) > d->offset;
}

static bool durable(const delivery *d, const void *arg)
{
    (void)arg;
    return is_durable(d);
}

static bool of_queue(const delivery *d, const void *q)
{
    return d->q == q;
}

static void report(delivery *d)
{
    while (d) {
        delivery *next = d->next;
        d->done(d->arg, is_durable(d));
        free(d);
        d = next;
    }
}

void deliver_poll(void)
{
    pthread_mutex_lock(&pending_mu);
    bool any = pending != NULL;
    pthread_mutex_unlock(&pending_mu);
    if (any)
        report(take_where(durable, NULL));
}

void deliver_forget(sqs_queue *q)
{
    report(take_where(of_queue, q));
}
