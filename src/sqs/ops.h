/* ops.h - the SQS operations (one handler each) and what they share. See service.c for where
 * each runs. */
#ifndef KINESD_SQS_OPS_H
#define KINESD_SQS_OPS_H

#include "../core/call.h"
#include "queue.h"

/* ops_queue.c: queues (control thread) */
void op_create_queue(op_call *call);
void op_delete_queue(op_call *call);
void op_set_queue_attributes(op_call *call);
void op_tag_queue(op_call *call);
void op_untag_queue(op_call *call);
void op_purge_queue(op_call *call);

/* ops_read.c: reads of queue metadata (loop threads, sqs_lock shared) */
void op_get_queue_url(op_call *call);
void op_list_queues(op_call *call);
void op_get_queue_attributes(op_call *call);
void op_list_queue_tags(op_call *call);
void op_list_dead_letter_source_queues(op_call *call);

/* ops_send.c, ops_receive.c, ops_message.c: messages (loop threads, sqs_lock shared) */
void op_send_message(op_call *call);
void op_send_message_batch(op_call *call);
void op_receive_message(op_call *call);
void op_delete_message(op_call *call);
void op_delete_message_batch(op_call *call);
void op_change_message_visibility(op_call *call);
void op_change_message_visibility_batch(op_call *call);

/* service.c: the store the queues live on; the control thread's tick (maintain.c). */
extern store *sqs_store;
void sqs_tick(int64_t now_ms);

/* ops_util.c */

/* Checks the input's required members (recursively) as SQS does; false with MissingParameter. */
bool ops_check_required(op_call *call);

/* The queue QueueUrl names (http://HOST/ACCOUNT/NAME, in the caller's region); NULL with
 * QueueDoesNotExist. */
sqs_queue *ops_queue(op_call *call);
/* Checks a batch's entries as SQS does (empty, more than ten, ids malformed or repeated);
 * false with the error set. entry_shape names the entry ("SendMessageBatchRequestEntry"). */
bool ops_check_batch(op_call *call, const kval *entries, const char *entry_shape);
/* InternalError for a store failure. */
void ops_fail_internal(op_call *call);

#define BATCH_MAX 10

#endif
