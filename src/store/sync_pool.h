/* sync_pool.h - a few threads that fdatasync in parallel for the storage thread.
 *
 * With many hot shards a commit cycle has many segments to sync; one after another they cost the
 * sum of their latencies, in parallel about the longest one (the device and the file system's
 * journal batch concurrent flushes). The storage thread hands the cycle's list over and works on
 * it too; the call returns when every item is done. */
#ifndef KINESD_SYNC_POOL_H
#define KINESD_SYNC_POOL_H

#include <stddef.h>

typedef struct sync_pool sync_pool;

/* Starts `threads` helpers (0: none, every run is done by its caller). */
sync_pool *sync_pool_start(int threads);
void sync_pool_stop(sync_pool *p);

/* Calls fn(items[i]) once for every i, on the helpers and the calling thread; returns when all
 * calls have returned. One run at a time. */
void sync_pool_run(sync_pool *p, void **items, size_t n, void (*fn)(void *item));

#endif
