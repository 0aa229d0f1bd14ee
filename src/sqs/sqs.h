/* sqs.h - the SQS-compatible queue service (src/sqs): what kinesd/main.c wires, and the
 * internal API other services use to put messages on a queue.
 *
 * Each queue keeps its messages and their state on kinesd's durable store (record.h, queue.h)
 * and its metadata in DATA/sqs.sqlite (meta.h); docs/sqs.md describes the design.
 *
 * sqs_deliver is how the function runtime sends failure records (Lambda's OnFailure
 * destinations, event source mapping failures) to a dead-letter queue. */
#ifndef KINESD_SQS_H
#define KINESD_SQS_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/service.h"
#include "../store/store.h"

extern service sqs_service;

/* Start-up (main thread, before service_register): opens DATA/sqs.sqlite, the queues' logs,
 * and rebuilds their indexes. -1 on error (logged). */
int sqs_open(store *st);
/* Shutdown, before http_server_stop: answers every waiting long poll (with no messages) and
 * lets no new one wait, so the server's stop is not held up to 20 s. */
void sqs_quiesce(void);
/* After service_stop_all: closes the queues and the database. */
void sqs_close(void);

/* Called once with ok=true when the message is durable (it survives kill -9 and power loss
 * from then on), or ok=false when the queue was deleted before that. Runs on a loop thread or
 * the SQS control thread: it must not block. */
typedef void (*sqs_delivered_fn)(void *arg, bool ok);

/* Sends a message (body of len bytes, UTF-8, the queue's size limit) to the queue with this ARN
 * (arn:aws:sqs:REGION:ACCOUNT:NAME), as SendMessage would with the queue's default delay and no
 * message attributes; SenderId is "kinesd". Any thread, never blocks (a loop thread may call it
 * too). Returns 0 when the message was appended (done is called later, exactly once), -1 when
 * the queue does not exist or the message is not valid for it (done is never called). */
int sqs_deliver(const char *queue_arn, const char *body, size_t len, sqs_delivered_fn done,
                void *arg);

#endif
