/* ops_receive.c - ReceiveMessage: its parameters, checked as SQS checks them, then a receive now
 * or, when nothing is visible and the call may wait (WaitTimeSeconds, or the queue's
 * ReceiveMessageWaitTimeSeconds), a waiter on the queue (receive.h). */
#include <string.h>

#include "../common/clock.h"
#include "errors.h"
#include "ops.h"
#include "receive.h"

/* The SYS_* bit of a system attribute name; 0 for names that select nothing here (FIFO ones). */
static unsigned sys_attr_bit(const char *name)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"All", SYS_ALL},
                 {"SentTimestamp", SYS_SENT_TIMESTAMP},
                 {"ApproximateReceiveCount", SYS_RECEIVE_COUNT},
                 {"ApproximateFirstReceiveTimestamp", SYS_FIRST_RECEIVE},
                 {"SenderId", SYS_SENDER_ID},
                 {"DeadLetterQueueSourceArn", SYS_SOURCE_ARN}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(names[i].name, name))
            return names[i].bit;
    return 0;
}

static unsigned sys_attrs_of(const kval *input)
{
    unsigned bits = 0;
    const char *members[] = {"AttributeNames", "MessageSystemAttributeNames"};
    for (int m = 0; m < 2; m++) {
        const kval *list = kv_get(input, members[m]);
        for (size_t i = 0; list && i < list->u.list.n; i++)
            bits |= sys_attr_bit(list->u.list.items[i].u.s.ptr);
    }
    return bits;
}

/* An optional integer parameter in [lo, hi]; false with InvalidParameterValue. */
static bool int_param(op_call *call, const char *name, int64_t lo, int64_t hi, const char *why,
                      int64_t *value)
{
    if (!kv_int(call->input, name, value))
        return true;
    if (*value >= lo && *value <= hi)
        return true;
    sqs_error(call, SQS_INVALID_PARAMETER_VALUE,
              "Value %lld for parameter %s is invalid. Reason: %s", (long long)*value, name, why);
    return false;
}

static bool read_opts(op_call *call, const sqs_queue *q, receive_opts *o)
{
    int64_t max = 1, visibility = q->attrs.visibility_s, wait = q->attrs.wait_s;
    if (!int_param(call, "MaxNumberOfMessages", 1, RECEIVE_MAX,
                   "Must be between 1 and 10, if provided.", &max) ||
        !int_param(call, "VisibilityTimeout", 0, SQS_MAX_VISIBILITY_S,
                   "Must be between 0 and 43200, if provided.", &visibility) ||
        !int_param(call, "WaitTimeSeconds", 0, SQS_MAX_WAIT_S,
                   "Must be >= 0 and <= 20, if provided.", &wait))
        return false;
    *o = (receive_opts){.max = (int)max,
                        .visibility_ms = visibility * 1000,
                        .deadline_ms = wait ? clock_mono_ms() + wait * 1000 : 0,
                        .sys_attrs = sys_attrs_of(call->input),
                        .attr_names = kv_get(call->input, "MessageAttributeNames")};
    return true;
}

void op_receive_message(op_call *call)
{
    sqs_queue *q = ops_queue(call);
    receive_opts opts;
    if (!q || !read_opts(call, q, &opts))
        return;
    picked p[RECEIVE_MAX];
    bool failed;
    pthread_mutex_lock(&q->mu);
    int n = receive_take(q, &opts, call->now_ms, p, &call->commit_ticket, &failed);
    if (n == 0 && !failed && opts.deadline_ms && waiters_accepting()) {
        waiters_add(q, call, &opts);
        pthread_mutex_unlock(&q->mu);
        return;
    }
    pthread_mutex_unlock(&q->mu);
    if (failed)
        ops_fail_internal(call);
    else
        receive_write(call, q, &opts, p, n);
}
