/* deliver.h - the internal deliveries (sqs_deliver in sqs.h) waiting for durability. */
#ifndef KINESD_SQS_DELIVER_H
#define KINESD_SQS_DELIVER_H

#include "queue.h"

/* Reports the deliveries that became durable (sqs_lock held shared, or the control thread). */
void deliver_poll(void);
/* Control thread, q removed from the registry: reports q's deliveries (durable or not). */
void deliver_forget(sqs_queue *q);

#endif
