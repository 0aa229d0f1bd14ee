/* receipt.h - receipt handles: opaque, authenticated names of one receive of one message.
 *
 * A handle names the queue (its uid, never reused), the message (its offset) and the receive
 * (the message's receive count after it), signed with HMAC-SHA256 under a key kept in
 * sqs.sqlite, so handles survive a restart and a forged or altered one is recognised. Only the
 * handle of a message's latest receive changes it (DeleteMessage, ChangeMessageVisibility);
 * AWS: "you must provide the most recently received ReceiptHandle for the message (otherwise,
 * the request succeeds, but the message will not be deleted)". */
#ifndef KINESD_SQS_RECEIPT_H
#define KINESD_SQS_RECEIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RECEIPT_MAX_LEN 64

typedef struct receipt {
    uint64_t queue_uid;
    uint64_t offset;
    uint32_t receive_count;
} receipt;

/* Loads (or creates) the key; after sqsmeta_open. -1 on error. */
int receipt_init(void);
/* Writes the handle (NUL-terminated) into out. */
void receipt_encode(const receipt *r, char out[RECEIPT_MAX_LEN + 1]);
/* Reads a handle; false when it is malformed or its signature does not match. */
bool receipt_decode(const char *text, receipt *r);

#endif
