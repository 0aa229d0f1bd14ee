/* worker.h - a service's control thread: a queue of jobs run one at a time, and a periodic tick.
 *
 * The control thread is where a service may block: SQLite commits, creating and deleting files,
 * waiting for the store's barriers (docs/threading.md). Jobs run in the order they were posted;
 * the tick runs between jobs, every tick_ms (monotonic clock), with the wall clock's time. */
#ifndef KINESD_WORKER_H
#define KINESD_WORKER_H

#include <stdbool.h>
#include <stdint.h>

typedef struct core_worker core_worker;

typedef void (*worker_job)(void *arg);
typedef void (*worker_tick)(int64_t now_ms);

/* Starts a control thread named `name` (at most 15 characters show in ps/gdb); tick may be NULL.
 * Aborts when the thread cannot start. */
core_worker *worker_start(const char *name, worker_tick tick, int tick_ms);
/* Queues a job (any thread). Jobs posted after worker_stop began still run before it returns. */
void worker_post(core_worker *w, worker_job job, void *arg);
/* Runs every queued job, stops the thread, frees. */
void worker_stop(core_worker *w);
/* Whether the calling thread is w's (for assertions in code that must run there). */
bool worker_is_current(const core_worker *w);

#endif
