/* destination.h - where asynchronous invocations report: another function (queued as an event),
 * a Kinesis stream (appended as one record, partition key the request id: an extension AWS does
 * not have), or an SQS queue (through sqs_deliver, which kinesd/main.c installs). */
#ifndef KINESD_LAMBDA_DESTINATION_H
#define KINESD_LAMBDA_DESTINATION_H

#include <stdbool.h>
#include <stddef.h>

#include "../protocol/awserr.h"
#include "function.h"

/* Sends body as one message to the queue (sqs_deliver's contract: 0 when appended, done called
 * later once with whether it became durable; -1 when the queue is missing or refuses it, done
 * never called). Any thread, never blocks. */
typedef int (*lambda_sqs_deliver_fn)(const char *queue_arn, const char *body, size_t len,
                                     void (*done)(void *arg, bool ok), void *arg);

void destination_set_sqs(lambda_sqs_deliver_fn deliver);

/* Whether arn can be a destination of fn's invocations; false with
 * InvalidParameterValueException. */
bool destination_valid(const char *arn, const char *function_arn, aws_error *err);

/* Sends a record to the destination (environment thread); failures are logged. */
void destination_send(const char *arn, const char *record, size_t len, const char *request_id);

#endif
