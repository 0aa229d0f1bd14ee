/* queue.h - a queue as the SQS service holds it in memory, and the registry of queues.
 *
 * Locks (docs/threading.md): `sqs_lock` (the service's state lock) guards the registry and
 * every queue's configuration (attributes, tags, redrive). Loop threads hold it shared while they
 * use a queue; only the control thread changes them, holding it exclusively for the in-memory
 * publish alone. Each queue's `mu` guards its message index, its waiting receives and its moves,
 * and serialises its appends (so the index gets its entries in offset order); it is taken after
 * sqs_lock and before the store's locks. Only the control thread changes the registry, so it
 * reads it without the lock. */
#ifndef KINESD_SQS_QUEUE_H
#define KINESD_SQS_QUEUE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../store/shardlog.h"
#include "attrs.h"
#include "msgindex.h"

typedef struct sqs_waiter sqs_waiter;

typedef struct queue_tag {
    char *key, *value;
} queue_tag;

typedef struct sqs_queue {
    uint64_t uid;  /* never reused: names the log directories and receipt handles */
    char *region;  /* "us-east-1" */
    char *account; /* "000000000000" */
    char *name;    /* "orders-dlq" */
    char *arn;     /* arn:aws:sqs:REGION:ACCOUNT:NAME */
    int64_t created_ms, modified_ms;
    queue_attrs attrs; /* the settable attributes (sqs_lock) */
    queue_tag *tags;   /* (sqs_lock) */
    size_t tag_count;
    int64_t last_purge_ms; /* control thread: PurgeQueue's 60 s rule */

    shardlog *messages; /* one record per message */
    shardlog *state;    /* receives and deletions */

    pthread_mutex_t mu;       /* guards what follows */
    msg_index index;          /* the messages */
    sqs_waiter *waiters;      /* long polls waiting for a message, oldest first */
    sqs_waiter *waiters_last; /* the newest */
    uint64_t *moves;          /* offsets in MSG_MOVING, for the control thread to move */
    size_t move_count, move_cap;
    uint64_t state_since_snapshot; /* state records appended since the last snapshot */
    atomic_int waiting;            /* waiters (read without mu to skip idle queues) */
} sqs_queue;

extern pthread_rwlock_t sqs_lock;

/* ---- the registry (registry.c) ---- */

/* The queue named so; NULL if none (sqs_lock held, or the control thread). */
sqs_queue *queues_find(const char *region, const char *account, const char *name);
/* The queue of an ARN (arn:aws:sqs:REGION:ACCOUNT:NAME); NULL if none. */
sqs_queue *queues_find_arn(const char *arn);
/* The queues of an account and region whose names start with prefix, in name order: calls fn
 * until it returns false. */
void queues_each(const char *region, const char *account, const char *prefix,
                 bool (*fn)(sqs_queue *q, void *arg), void *arg);
/* Every queue (any account), for the service's housekeeping. */
void queues_all(void (*fn)(sqs_queue *q, void *arg), void *arg);

/* Control thread, holding sqs_lock exclusively: adds or removes a queue. */
void queues_insert(sqs_queue *q);
void queues_remove(sqs_queue *q);
/* Forgets every queue (shutdown, after closing them). */
void queues_clear(void);

/* ---- a queue's lifecycle (queue.c) ---- */

/* A queue with its logs opened and its index rebuilt from them; NULL on error (logged). */
sqs_queue *queue_open(store *st, uint64_t uid, const char *region, const char *account,
                      const char *name);
/* Closes the logs and frees; with destroy, deletes the logs' files too. */
void queue_close(store *st, sqs_queue *q, bool destroy);
/* The log directory of a queue ("sqs/<uid>/messages"). */
void queue_log_path(uint64_t uid, const char *log, char *out, size_t len);

/* Appends a state record (q->mu held); false on a store failure. */
bool queue_append_state(sqs_queue *q, const kbuf *rec, int64_t now_ms, uint64_t *ticket);

/* The queue URL for a request's Host: http://HOST/ACCOUNT/NAME (into the call's arena). */
struct op_call;
const char *queue_url(struct op_call *call, const sqs_queue *q);

#endif
