/* receive.h - taking messages off a queue and writing ReceiveMessage's answer; the long polls
 * that wait for messages.
 *
 * A receive runs in two steps: receive_take (queue mutex held) chooses the messages, makes them
 * in flight and appends their new receive counts to the state log; receive_write (mutex
 * released, sqs_lock still held or on the control thread) reads them from the messages log and
 * encodes the answer. A receive that finds nothing and may wait becomes a waiter on its queue
 * (the call is deferred); whoever sees messages become visible serves the oldest waiter:
 *   - a loop thread, when the store made new messages durable (sqs_on_durable);
 *   - the control thread's tick, every SQS_TICK_MS, for messages whose delay or visibility
 *     timeout ended, and for waiters whose WaitTimeSeconds ran out (answered with no messages).
 * A waiter costs its call's memory (it lives in the call's arena) and nothing else: no thread,
 * no timer. */
#ifndef KINESD_SQS_RECEIVE_H
#define KINESD_SQS_RECEIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/call.h"
#include "queue.h"

#define RECEIVE_MAX 10
#define SQS_TICK_MS 50

/* The system attributes a receive returns (bits). */
enum {
    SYS_SENT_TIMESTAMP = 1,
    SYS_RECEIVE_COUNT = 2,
    SYS_FIRST_RECEIVE = 4,
    SYS_SENDER_ID = 8,
    SYS_SOURCE_ARN = 16,
    SYS_ALL = 31,
};

typedef struct receive_opts {
    int max;                /* MaxNumberOfMessages */
    int64_t visibility_ms;  /* VisibilityTimeout (the queue's when not given) */
    int64_t deadline_ms;    /* monotonic clock: when a long poll gives up; 0: no waiting */
    unsigned sys_attrs;     /* SYS_* */
    const kval *attr_names; /* MessageAttributeNames (a list in the call's input); NULL: none */
} receive_opts;

typedef struct picked {
    uint64_t offset;
    uint32_t receive_count;
    int64_t first_receive_ms;
} picked;

/* q->mu held: chooses up to opts->max visible messages and receives them; messages past their
 * retention are deleted, messages over the redrive policy's maxReceiveCount are handed to the
 * control thread to move. Returns how many were picked; *ticket covers the state records. */
int receive_take(sqs_queue *q, const receive_opts *opts, int64_t now_ms, picked *out,
                 uint64_t *ticket, bool *failed);
/* Writes ReceiveMessage's output for the picked messages. */
void receive_write(op_call *call, sqs_queue *q, const receive_opts *opts, const picked *p, int n);

/* q->mu held: makes the call a waiter of q (the handler then returns with call->deferred). */
void waiters_add(sqs_queue *q, op_call *call, const receive_opts *opts);
/* Serves q's waiters while messages are visible (sqs_lock held shared, or control thread). */
void waiters_serve(sqs_queue *q, int64_t now_ms);
/* Answers the waiters whose deadline passed by mono_ms (monotonic clock; all of them with `all`)
 * with no messages. */
void waiters_expire(sqs_queue *q, int64_t mono_ms, bool all);
/* How many receives wait, on every queue. */
int waiters_total(void);
/* Whether receives may still wait (false once the server is stopping). */
bool waiters_accepting(void);
/* Stops accepting waiters and answers every waiter (shutdown). */
void waiters_stop(void);

#endif
