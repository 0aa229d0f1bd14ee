/* record.h - what a queue keeps on the store: its messages and the changes to their state.
 *
 * Every queue has two shard logs (src/store): `messages`, one record per message sent, and
 * `state`, one record per API call that received or deleted messages. A message is known by its
 * offset in the messages log; the state log refers to messages by offset.
 *
 * A message record's partition key holds the message header (below), its data the body followed
 * by the message attributes in AWS's MD5 encoding (so the MD5 of the attributes is the MD5 of
 * that part, and it can be read back attribute by attribute):
 *
 *   per attribute, sorted by name: u32 BE name length, name, u32 BE type length, type,
 *   u8 transport (1 string, 2 binary), u32 BE value length, value
 *
 * A state record is a run of operations, each one byte of kind then its fields (little-endian):
 *   STATE_RECEIVED  u64 offset, u32 receive count, i64 first receive ms
 *   STATE_DELETED   u64 from, u64 to: the messages [from, to) are gone (deleted, expired, moved,
 *                   purged); a purge is [0, next offset)
 * Replaying them is idempotent and order-insensitive: a receive count only grows, a deletion is
 * final. So any suffix of the state log that starts before a complete snapshot (maintain.c)
 * rebuilds the same state. */
#ifndef KINESD_SQS_RECORD_H
#define KINESD_SQS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"

#define MESSAGE_ID_LEN 36
#define MD5_HEX_LEN 32

/* The header of a message record. */
typedef struct msg_header {
    char message_id[MESSAGE_ID_LEN + 1]; /* a UUID, kept when the message moves */
    int64_t sent_ms;                     /* SentTimestamp, kept when the message moves */
    uint32_t delay_s;                    /* invisible for this long after it was appended */
    uint32_t receive_count;              /* receives before it was appended here (moves) */
    int64_t first_receive_ms;            /* ApproximateFirstReceiveTimestamp before a move */
    uint32_t body_len;                   /* the body's bytes at the start of the data */
    unsigned char body_md5[16];          /* MD5 of the body */
    unsigned char attrs_md5[16];         /* MD5 of the attribute encoding (zero: none) */
    const char *sender_id;               /* SenderId (not NUL-terminated) */
    size_t sender_id_len;
    const char *source_arn; /* DeadLetterQueueSourceArn: the queue it was moved from */
    size_t source_arn_len;
} msg_header;

/* Appends the encoding of h to out. */
void record_header_encode(const msg_header *h, kbuf *out);
/* Decodes a header (pointers into p); false when malformed. */
bool record_header_decode(const char *p, size_t n, msg_header *h);

/* One message attribute, as its encoding holds it. */
typedef struct msg_attr {
    const char *name, *type, *value;
    uint32_t name_len, type_len, value_len;
    bool binary;          /* transport 2: BinaryValue */
    const char *encoding; /* the attribute's whole encoding, for MD5s of a selection */
    size_t encoding_len;
} msg_attr;

/* Appends one attribute's encoding (attributes must be appended sorted by name). */
void record_attr_encode(kbuf *out, const char *name, size_t name_len, const char *type,
                        size_t type_len, bool binary, const void *value, size_t value_len);
/* Reads the attribute at *at in an encoding of n bytes and moves *at past it; false at the end
 * or when malformed. */
bool record_attr_next(const char *p, size_t n, size_t *at, msg_attr *a);

/* Lower-case hex of an MD5 (33 bytes with the NUL). */
void record_md5_hex(const unsigned char md5[16], char out[MD5_HEX_LEN + 1]);

/* ---- the state log ---- */

enum { STATE_RECEIVED = 1, STATE_DELETED = 2 };

void record_state_received(kbuf *out, uint64_t offset, uint32_t count, int64_t first_ms);
void record_state_deleted(kbuf *out, uint64_t from, uint64_t to);

/* Calls the handler for each operation of a state record; false when it is malformed. */
typedef struct state_visitor {
    void (*received)(void *arg, uint64_t offset, uint32_t count, int64_t first_ms);
    void (*deleted)(void *arg, uint64_t from, uint64_t to);
    void *arg;
} state_visitor;
bool record_state_replay(const char *p, size_t n, const state_visitor *v);

#endif
