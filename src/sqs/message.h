/* message.h - a message on its way into a queue: checked as SQS checks it, encoded as the
 * messages log keeps it (record.h), appended, and indexed.
 *
 * Used by SendMessage(Batch), by the internal sqs_deliver and by redrive moves. */
#ifndef KINESD_SQS_MESSAGE_H
#define KINESD_SQS_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../protocol/value.h"
#include "errors.h"
#include "queue.h"
#include "record.h"

typedef struct message_out {
    kbuf key;                        /* the encoded header */
    kbuf data;                       /* body, then the attribute encoding */
    msg_header h;                    /* what the header says */
    char body_md5[MD5_HEX_LEN + 1];  /* MD5OfMessageBody */
    char attrs_md5[MD5_HEX_LEN + 1]; /* MD5OfMessageAttributes; "" without attributes */
} message_out;

/* Why a message was refused: an error kind and AWS's text. */
typedef struct message_problem {
    sqs_error_kind kind;
    char text[512];
} message_problem;

/* Checks a message against q's limits and SQS's rules (body characters, attributes, size,
 * delay); false with the problem described. delay_s < 0: none given. */
bool message_check(const sqs_queue *q, const char *body, size_t len, const kval *attrs,
                   int64_t delay_s, message_problem *why);

/* Encodes a new message (a fresh MessageId); attrs may be NULL. */
void message_build(message_out *m, const char *body, size_t len, const kval *attrs,
                   uint32_t delay_s, const char *sender_id, int64_t now_ms);
void message_free(message_out *m);

/* q->mu held: appends n encoded messages in one run and indexes them. False on a store failure.
 * *ticket becomes the ticket to wait for, *first the first one's offset. */
bool message_append(sqs_queue *q, const message_out *const *msgs, size_t n, int64_t now_ms,
                    uint64_t *ticket, uint64_t *first);

#endif
