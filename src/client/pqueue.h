/* pqueue.h - the producer's buffer: a doubly linked list of owned record copies, so that a batch
 * can take records from the middle (one per partition key) and failed ones can go back in front. */
#ifndef KINES_CLIENT_PQUEUE_H
#define KINES_CLIENT_PQUEUE_H

#include <stddef.h>
#include <stdint.h>

typedef struct precord {
    struct precord *prev, *next;
    void *ctx;        /* the caller's record_ctx */
    int64_t put_ns;   /* monotonic time of kines_producer_put */
    int attempts;     /* times sent so far */
    int64_t retry_ns; /* after a failure: not sent again before this monotonic time */
    int entry;        /* in a batch: the PutRecords entry (aggregate) it belongs to */
    size_t len;       /* data bytes */
    size_t key_len;
    char *key, *explicit_hash_key; /* explicit_hash_key may be NULL */
    unsigned char *data;
} precord;

typedef struct pqueue {
    precord *head, *tail;
    size_t count;
} pqueue;

/* One allocation holding the record, its key, hash key and data. */
precord *precord_new(const void *data, size_t len, const char *key, const char *explicit_hash_key,
                     void *ctx, int64_t put_ns);
void precord_free(precord *r);
/* The bytes a record counts against the batch and buffer limits: data plus key. */
size_t precord_size(const precord *r);

void pqueue_push_back(pqueue *q, precord *r);
void pqueue_remove(pqueue *q, precord *r);
/* Moves all of `front` (in order) before the first record of q; front becomes empty. */
void pqueue_prepend(pqueue *q, pqueue *front);

#endif
