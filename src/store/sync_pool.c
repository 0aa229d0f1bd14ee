/* sync_pool.c - parallel fdatasync helpers (see sync_pool.h).
 *
 * A run is published under the mutex with a new generation number; helpers and the caller take
 * items by an atomic index. The caller returns once every item is done and no helper is still
 * inside the run, so the next run never meets a straggler of this one. */
#include "sync_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

struct sync_pool {
    pthread_t *threads;
    int nthreads;
    pthread_mutex_t mu;
    pthread_cond_t work_cv; /* a new run, or stopping */
    pthread_cond_t done_cv; /* the run's last item finished */
    uint64_t generation;    /* of the current run (under mu) */
    bool stopping;          /* under mu */
    void **items;           /* the current run */
    size_t n;
    void (*fn)(void *item);
    atomic_size_t next; /* the next item to take */
    int busy;           /* helpers inside the current run (under mu) */
};

static void work(sync_pool *p)
{
    size_t i;
    while ((i = atomic_fetch_add(&p->next, 1)) < p->n)
        p->fn(p->items[i]);
}

static void *helper_main(void *arg)
{
    sync_pool *p = arg;
    uint64_t seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stopping && p->generation == seen)
            pthread_cond_wait(&p->work_cv, &p->mu);
        if (p->stopping)
            break;
        seen = p->generation;
        p->busy++;
        pthread_mutex_unlock(&p->mu);
        work(p);
        pthread_mutex_lock(&p->mu);
        if (--p->busy == 0)
            pthread_cond_signal(&p->done_cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

sync_pool *sync_pool_start(int threads)
{
    sync_pool *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work_cv, NULL);
    pthread_cond_init(&p->done_cv, NULL);
    p->threads = calloc((size_t)(threads > 0 ? threads : 1), sizeof *p->threads);
    if (!p->threads)
        abort();
    for (int i = 0; i < threads; i++)
        if (pthread_create(&p->threads[p->nthreads], NULL, helper_main, p) == 0)
            p->nthreads++;
    return p;
}

void sync_pool_stop(sync_pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work_cv);
    pthread_cond_destroy(&p->done_cv);
    free(p->threads);
    free(p);
}

void sync_pool_run(sync_pool *p, void **items, size_t n, void (*fn)(void *item))
{
    if (n < 2 || p->nthreads == 0) {
        for (size_t i = 0; i < n; i++)
            fn(items[i]);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->items = items;
    p->n = n;
    p->fn = fn;
    atomic_store(&p->next, 0);
    p->generation++;
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->mu);
    work(p);
    pthread_mutex_lock(&p->mu);
    while (p->busy)
        pthread_cond_wait(&p->done_cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
}
