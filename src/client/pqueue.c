/* pqueue.c - the producer's record list (see pqueue.h). */
#include "pqueue.h"

#include <stdlib.h>
#include <string.h>

#include "common/oom.h"

precord *precord_new(const void *data, size_t len, const char *key, const char *explicit_hash_key,
                     void *ctx, int64_t put_ns)
{
    size_t key_len = strlen(key);
    size_t hash_len = explicit_hash_key ? strlen(explicit_hash_key) + 1 : 0;
    precord *r = malloc(sizeof *r + key_len + 1 + hash_len + len);
    if (!r) {
        oom_failed();
        return NULL;
    }
    memset(r, 0, sizeof *r);
    char *p = (char *)(r + 1);
    r->key = memcpy(p, key, key_len + 1);
    p += key_len + 1;
    if (explicit_hash_key) {
        r->explicit_hash_key = memcpy(p, explicit_hash_key, hash_len);
        p += hash_len;
    }
    r->data = (unsigned char *)p;
    if (len)
        memcpy(r->data, data, len);
    r->len = len;
    r->key_len = key_len;
    r->ctx = ctx;
    r->put_ns = put_ns;
    return r;
}

void precord_free(precord *r)
{
    free(r);
}

size_t precord_size(const precord *r)
{
    return r->len + r->key_len;
}

void pqueue_push_back(pqueue *q, precord *r)
{
    r->next = NULL;
    r->prev = q->tail;
    if (q->tail)
        q->tail->next = r;
    else
        q->head = r;
    q->tail = r;
    q->count++;
}

void pqueue_remove(pqueue *q, precord *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        q->head = r->next;
    if (r->next)
        r->next->prev = r->prev;
    else
        q->tail = r->prev;
    r->prev = r->next = NULL;
    q->count--;
}

void pqueue_prepend(pqueue *q, pqueue *front)
{
    if (!front->head)
        return;
    front->tail->next = q->head;
    if (q->head)
        q->head->prev = front->tail;
    else
        q->tail = front->tail;
    q->head = front->head;
    q->count += front->count;
    memset(front, 0, sizeof *front);
}
