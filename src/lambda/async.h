/* async.h - asynchronous invocations (InvocationType Event): durably queued on the store, run on
 * the environment thread, retried, and reported to destinations.
 *
 * The queue is one shard log of the store, DATA/lambda/async: an accepted event is appended and
 * the 202 waits for its commit ticket, so it survives kill -9. The environment thread reads the
 * log in order and runs each event once its not-before time has come; a failed attempt is
 * appended again (attempt + 1, not before now + the retry delay) while retries and the event's
 * age allow, else the OnFailure destination gets Lambda's record; a success goes to OnSuccess.
 * Every event below the low watermark is finished; the Lambda control thread stores the
 * watermark in lambda.sqlite once the appends it depends on are durable (store_flush), and after
 * a restart reading resumes there: at-least-once, as on AWS. */
#ifndef KINESD_LAMBDA_ASYNC_H
#define KINESD_LAMBDA_ASYNC_H

#include <stddef.h>
#include <stdint.h>

#include "../protocol/awserr.h"
#include "../store/store.h"
#include "function.h"

/* Opens the queue's log and reads the stored watermark (start-up, control thread not yet
 * running); -1 (logged) on error. */
int async_open(store *st, int retry_delay_ms);
/* Starts reading the queue on the environment thread (after envmgr_start). */
void async_start(void);
/* Stops reading (before envmgr_stop) ... */
void async_stop(void);
/* ... and closes the log (after envmgr_stop, before the store closes). */
void async_close(void);

/* Queues an event for the function (and qualifier) ref names (any thread) with its request id
 * (NULL: a new one). 0 with *ticket (the append is durable once the store reports it); -1 with
 * err. */
int async_enqueue(const fn_ref *target, const char *request_id, const void *payload, size_t len,
                  int64_t now_ms, uint64_t *ticket, aws_error *err);

/* The store made more appends durable (any loop thread): read them soon. */
void async_on_durable(void);
/* Stores the watermark now and then, trims old segments (Lambda control thread). */
void async_tick(int64_t now_ms);

#endif
