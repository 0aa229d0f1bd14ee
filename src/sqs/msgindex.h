/* msgindex.h - the in-memory state of one queue's messages: which are visible, in flight,
 * delayed or gone, and in which order to hand them out.
 *
 * Messages are numbered by their offset in the queue's messages log, so the index is a deque of
 * small entries by offset (`base` is the offset of the first one kept; entries are dropped from
 * the front once deleted). Around it:
 *   ready  a FIFO of offsets visible now (roughly oldest first; entries that went stale, by a
 *          delete or a purge, are skipped when popped);
 *   timers a min-heap of (time, offset): when a delayed message becomes visible and when an
 *          in-flight message's visibility timeout ends (stale entries are skipped when popped).
 * An entry is added when its message is appended, but is placed (counted, made receivable) only
 * once the log has committed it (msgindex_promote): nobody receives what is not yet durable.
 *
 * Not thread-safe: the queue's mutex guards it. Pure memory, no I/O. */
#ifndef KINESD_SQS_MSGINDEX_H
#define KINESD_SQS_MSGINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    MSG_DELAYED,  /* committed or not, invisible until visible_at_ms */
    MSG_VISIBLE,  /* may be received */
    MSG_INFLIGHT, /* received; visible again at visible_at_ms */
    MSG_MOVING,   /* being moved to the dead-letter queue */
    MSG_DELETED,  /* gone: deleted, expired, moved or purged */
} msg_state;

typedef struct msg_entry {
    int64_t sent_ms;          /* SentTimestamp: retention runs from it */
    int64_t visible_at_ms;    /* DELAYED / INFLIGHT: when it becomes visible */
    int64_t first_receive_ms; /* ApproximateFirstReceiveTimestamp; 0 before the first */
    uint32_t receive_count;   /* ApproximateReceiveCount */
    uint8_t state;            /* msg_state */
} msg_entry;

typedef struct msg_timer {
    int64_t at_ms;   /* when it fires */
    uint64_t offset; /* the message */
} msg_timer;

typedef struct msg_index {
    msg_entry *ring; /* the entries of [base, base + len), circular from head */
    size_t head, len, cap;
    uint64_t base;     /* offset of the first entry kept */
    uint64_t promoted; /* entries below this offset are committed and placed */
    uint64_t *ready;   /* circular FIFO of visible offsets */
    size_t ready_head, ready_len, ready_cap;
    msg_timer *timers; /* min-heap by at_ms */
    size_t timer_len, timer_cap;
    uint64_t visible, inflight, delayed; /* ApproximateNumberOfMessages{,NotVisible,Delayed} */
    int64_t oldest_sent_ms;              /* no live entry was sent before this (retention) */
} msg_index;

void msgindex_init(msg_index *ix, uint64_t base);
void msgindex_free(msg_index *ix);

/* The entry of offset; NULL when it is not kept (before base, or not appended yet). */
msg_entry *msgindex_get(msg_index *ix, uint64_t offset);
/* Adds the entry of the next offset (base + len), not yet placed; delayed until visible_at_ms
 * unless that is 0. */
void msgindex_add(msg_index *ix, int64_t sent_ms, int64_t visible_at_ms, uint32_t receive_count,
                  int64_t first_receive_ms);
uint64_t msgindex_end(const msg_index *ix); /* the offset after the last entry */

/* Places the entries the log has committed (offsets below `committed`), then fires the timers
 * due at now_ms. */
void msgindex_advance(msg_index *ix, uint64_t committed, int64_t now_ms);
/* Whether a message is visible (after msgindex_advance). */
bool msgindex_has_visible(const msg_index *ix);

/* Pops the next visible message into *offset; false when none. The entry stays VISIBLE: the
 * caller receives, moves or deletes it. */
bool msgindex_pop_visible(msg_index *ix, uint64_t *offset);
/* Receives a visible message: in flight until now_ms + visibility_ms. */
void msgindex_receive(msg_index *ix, uint64_t offset, int64_t now_ms, int64_t visibility_ms);
/* Marks a visible message as being moved (not receivable, counted not visible). */
void msgindex_start_move(msg_index *ix, uint64_t offset);
/* A move that could not be made: the message is visible again. */
void msgindex_cancel_move(msg_index *ix, uint64_t offset);
/* Changes an in-flight message's visibility to end at now_ms + visibility_ms; false when the
 * message is not in flight. */
bool msgindex_change_visibility(msg_index *ix, uint64_t offset, int64_t now_ms,
                                int64_t visibility_ms);
/* Deletes the kept messages of [from, to) (whatever their state). */
void msgindex_delete(msg_index *ix, uint64_t from, uint64_t to);
/* Calls fn for each live message sent before cutoff_ms, deleting it; updates oldest_sent_ms. */
void msgindex_expire(msg_index *ix, int64_t cutoff_ms, void (*fn)(void *arg, uint64_t offset),
                     void *arg);

/* Replay (start-up): a receive count and first receive time recorded in the state log. */
void msgindex_replay_received(msg_index *ix, uint64_t offset, uint32_t count, int64_t first_ms);

#endif
