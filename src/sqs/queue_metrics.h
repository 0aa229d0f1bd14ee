/* queue_metrics.h - each queue's AWS/SQS metrics (dimension QueueName), as CloudWatch publishes
 * them for SQS: what the operations did, and the queue's depth sampled on the control thread.
 *
 * Counted as AWS counts them: NumberOfMessagesSent and SentMessageSize for SendMessage(Batch)
 * and for messages delivered from inside kinesd (a function's destination sends them), but not
 * for messages a redrive policy moves to a dead-letter queue; NumberOfMessagesReceived per
 * message handed out and NumberOfEmptyReceives per ReceiveMessage that returned none;
 * NumberOfMessagesDeleted per deletion with a valid receipt handle, duplicates included. Any
 * thread may call (metrics.h). */
#ifndef KINESD_SQS_QUEUE_METRICS_H
#define KINESD_SQS_QUEUE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "queue.h"

#define QUEUE_GAUGES_PERIOD_MS 10000 /* how often the depth gauges are sampled */

/* One message of `bytes` (body and attributes) sent to q. */
void queue_metrics_sent(const sqs_queue *q, size_t bytes);

/* A receive on q that handed out n messages (0: an empty receive). */
void queue_metrics_received(const sqs_queue *q, int n);

/* A deletion with a valid receipt handle of q. */
void queue_metrics_deleted(const sqs_queue *q);

/* Every QUEUE_GAUGES_PERIOD_MS: ApproximateNumberOfMessagesVisible, ...NotVisible, ...Delayed
 * and ApproximateAgeOfOldestMessage of every queue (the control thread's tick). */
void queue_metrics_tick(int64_t now_ms);

#endif
