/* store.c - a data directory's storage thread: group commit cycles, durability tickets, syncing,
 * and the registry of its open shard logs (see store.h and store_internal.h).
 *
 * Cycle c (tickets start at 1): under the store mutex, open_ticket becomes c + 1 and the queue of
 * logs with pending bytes is taken; then every taken log's bytes are written, synced when due,
 * published, and c is reported. An appender reads its ticket under its log's mutex, and under the
 * store mutex when it queues the log, so its bytes always go out in cycle <= its ticket. An
 * appender whose log was queued before a cycle began may hold ticket c + 1 for bytes written in
 * cycle c, so a cycle that wrote anything is always followed by one more (possibly empty) cycle. */
#include "store_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "fsutil.h"

#define DEFAULT_SEGMENT_BYTES (64ull << 20)
#define MIN_SEGMENT_BYTES 256ull

typedef struct open_log {
    struct open_log *next;
    shardlog *log;
    char *relpath;
} open_log;

/* A growable array of pointers (logs or segments). */
typedef struct ptrvec {
    void **items;
    size_t n, cap;
} ptrvec;

struct store {
    char *dir;
    durability_mode mode;
    int interval_ms;
    store_durable_fn on_durable;
    void *arg;
    uint64_t segment_bytes;
    pthread_t thread;

    pthread_mutex_t mu;
    pthread_cond_t work_cv; /* to the storage thread: something to do */
    pthread_cond_t done_cv; /* from it: a barrier completed */
    ptrvec queue;           /* logs with pending bytes (under mu) */
    uint64_t barrier_asked, barrier_done;
    bool stopping;
    open_log *open_logs;
    _Atomic uint64_t open_ticket;

    atomic_bool failed; /* set by the storage thread, read by anyone (store_failed) */

    /* Storage thread only. */
    ptrvec batch;    /* the queue taken by the current cycle */
    ptrvec unsynced; /* segments written since their last sync */
    int64_t next_sync_ns;
};

static void ptrvec_push(ptrvec *v, void *p)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 16;
        v->items = realloc(v->items, v->cap * sizeof *v->items);
        if (!v->items)
            abort();
    }
    v->items[v->n++] = p;
}

static void ptrvec_swap(ptrvec *a, ptrvec *b)
{
    ptrvec t = *a;
    *a = *b;
    *b = t;
}

/* ---- syncing ------------------------------------------------------------------------------- */

static int sync_now(segment *seg)
{
    if (fdatasync(seg->fd) < 0 || (seg->new_file && fs_sync_parent(seg->path) < 0)) {
        log_error("store: sync %s: %s", seg->path, strerror(errno));
        return -1;
    }
    seg->new_file = false;
    seg->unsynced = false;
    return 0;
}

void store_track_unsynced(store *st, segment *seg)
{
    if (!seg->unsynced) {
        seg->unsynced = true;
        ptrvec_push(&st->unsynced, seg);
    }
}

int store_sync_segment(store *st, segment *seg)
{
    for (size_t i = 0; seg->unsynced && i < st->unsynced.n; i++) {
        if (st->unsynced.items[i] == seg) {
            st->unsynced.items[i] = st->unsynced.items[--st->unsynced.n];
            break;
        }
    }
    int rc = sync_now(seg);
    if (rc < 0)
        store_fail(st, seg->owner);
    return rc;
}

static void sync_all(store *st)
{
    for (size_t i = 0; i < st->unsynced.n; i++) {
        segment *seg = st->unsynced.items[i];
        if (sync_now(seg) < 0)
            store_fail(st, seg->owner);
    }
    st->unsynced.n = 0;
    st->next_sync_ns = clock_mono_ns() + (int64_t)st->interval_ms * 1000000;
}

static bool interval_sync_due(const store *st)
{
    return st->mode == DURABILITY_INTERVAL && st->unsynced.n && clock_mono_ns() >= st->next_sync_ns;
}

void store_fail(store *st, shardlog *log)
{
    if (!atomic_exchange(&st->failed, true))
        log_error("store %s: I/O failed; no further appends are acknowledged", st->dir);
    shardlog_mark_failed(log);
}

/* ---- the storage thread -------------------------------------------------------------------- */

static void run_cycle(store *st, uint64_t ticket, bool barrier)
{
    shardlog **logs = (shardlog **)st->batch.items;
    size_t n = st->batch.n;
    for (size_t i = 0; i < n; i++) {
        shardlog_flush_take(logs[i]);
        shardlog_flush_write(logs[i]);
    }
    if (st->mode == DURABILITY_SYNC || barrier || interval_sync_due(st))
        sync_all(st);
    for (size_t i = 0; i < n; i++) {
        shardlog_flush_publish(logs[i]);
        shardlog_flush_seal(logs[i]);
    }
    if (!atomic_load(&st->failed) && st->on_durable)
        st->on_durable(ticket, st->arg);
}

static bool cycle_wanted(const store *st, bool follow_up)
{
    return st->queue.n || follow_up || st->barrier_asked != st->barrier_done || st->stopping ||
           interval_sync_due(st);
}

static void wait_for_work(store *st)
{
    if (st->mode != DURABILITY_INTERVAL || !st->unsynced.n) {
        pthread_cond_wait(&st->work_cv, &st->mu);
        return;
    }
    struct timespec until = {.tv_sec = st->next_sync_ns / 1000000000,
                             .tv_nsec = st->next_sync_ns % 1000000000};
    pthread_cond_timedwait(&st->work_cv, &st->mu, &until);
}

static void *storage_main(void *arg)
{
    store *st = arg;
    bool follow_up = false;
    pthread_mutex_lock(&st->mu);
    for (;;) {
        while (!cycle_wanted(st, follow_up))
            wait_for_work(st);
        if (st->stopping && !st->queue.n && !follow_up && st->barrier_asked == st->barrier_done)
            break;
        uint64_t ticket = atomic_load(&st->open_ticket);
        atomic_store(&st->open_ticket, ticket + 1);
        ptrvec_swap(&st->queue, &st->batch);
        st->queue.n = 0;
        uint64_t barrier = st->barrier_asked;
        bool barrier_due = barrier != st->barrier_done;
        pthread_mutex_unlock(&st->mu);

        run_cycle(st, ticket, barrier_due);
        follow_up = st->batch.n > 0;

        pthread_mutex_lock(&st->mu);
        st->barrier_done = barrier;
        if (barrier_due)
            pthread_cond_broadcast(&st->done_cv);
    }
    pthread_mutex_unlock(&st->mu);
    return NULL;
}

/* ---- appenders ----------------------------------------------------------------------------- */

uint64_t store_segment_bytes(const store *st)
{
    return st->segment_bytes;
}

uint64_t store_enqueue(store *st, shardlog *log)
{
    pthread_mutex_lock(&st->mu);
    ptrvec_push(&st->queue, log);
    uint64_t ticket = atomic_load(&st->open_ticket);
    pthread_mutex_unlock(&st->mu);
    return ticket;
}

uint64_t store_ticket(store *st)
{
    return atomic_load(&st->open_ticket);
}

void store_wake(store *st)
{
    pthread_cond_signal(&st->work_cv);
}

void store_barrier(store *st)
{
    pthread_mutex_lock(&st->mu);
    uint64_t mine = ++st->barrier_asked;
    pthread_cond_signal(&st->work_cv);
    while (st->barrier_done < mine)
        pthread_cond_wait(&st->done_cv, &st->mu);
    pthread_mutex_unlock(&st->mu);
}

/* ---- the registry of open logs ------------------------------------------------------------- */

static open_log **find_entry(store *st, const char *relpath)
{
    open_log **p = &st->open_logs;
    while (*p && strcmp((*p)->relpath, relpath) != 0)
        p = &(*p)->next;
    return p;
}

int store_attach(store *st, shardlog *log, const char *relpath)
{
    pthread_mutex_lock(&st->mu);
    open_log **p = find_entry(st, relpath);
    int rc = *p ? -1 : 0;
    if (rc == 0) {
        open_log *e = malloc(sizeof *e);
        if (!e || !(e->relpath = strdup(relpath)))
            abort();
        e->log = log;
        e->next = NULL;
        *p = e;
    }
    pthread_mutex_unlock(&st->mu);
    return rc;
}

void store_detach(store *st, shardlog *log)
{
    pthread_mutex_lock(&st->mu);
    for (open_log **p = &st->open_logs; *p; p = &(*p)->next) {
        if ((*p)->log == log) {
            open_log *e = *p;
            *p = e->next;
            free(e->relpath);
            free(e);
            break;
        }
    }
    pthread_mutex_unlock(&st->mu);
}

shardlog *store_find(store *st, const char *relpath)
{
    pthread_mutex_lock(&st->mu);
    open_log *e = *find_entry(st, relpath);
    pthread_mutex_unlock(&st->mu);
    return e ? e->log : NULL;
}

/* ---- open and close ------------------------------------------------------------------------ */

static uint64_t segment_bytes_from_env(void)
{
    const char *s = getenv("KINESD_SEGMENT_BYTES");
    if (!s || !*s)
        return DEFAULT_SEGMENT_BYTES;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || v < MIN_SEGMENT_BYTES) {
        log_warn("store: ignoring KINESD_SEGMENT_BYTES=%s", s);
        return DEFAULT_SEGMENT_BYTES;
    }
    return v;
}

static int init_sync(store *st)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    int rc = pthread_mutex_init(&st->mu, NULL) || pthread_cond_init(&st->work_cv, &attr) ||
             pthread_cond_init(&st->done_cv, NULL);
    pthread_condattr_destroy(&attr);
    return rc ? -1 : 0;
}

store *store_open(const char *data_dir, durability_mode mode, int interval_ms,
                  store_durable_fn on_durable, void *arg)
{
    if (fs_mkdirs(data_dir) < 0)
        return NULL;
    store *st = calloc(1, sizeof *st);
    if (!st || !(st->dir = strdup(data_dir)))
        abort();
    st->mode = mode;
    st->interval_ms = interval_ms > 0 ? interval_ms : 1;
    st->on_durable = on_durable;
    st->arg = arg;
    st->segment_bytes = segment_bytes_from_env();
    atomic_init(&st->open_ticket, 1);
    st->next_sync_ns = clock_mono_ns();
    if (init_sync(st) < 0 || pthread_create(&st->thread, NULL, storage_main, st) != 0) {
        log_error("store: cannot start the storage thread");
        free(st->dir);
        free(st);
        return NULL;
    }
    return st;
}

void store_close(store *st)
{
    store_barrier(st);
    pthread_mutex_lock(&st->mu);
    st->stopping = true;
    pthread_cond_signal(&st->work_cv);
    pthread_mutex_unlock(&st->mu);
    pthread_join(st->thread, NULL);
    while (st->open_logs)
        store_detach(st, st->open_logs->log);
    pthread_mutex_destroy(&st->mu);
    pthread_cond_destroy(&st->work_cv);
    pthread_cond_destroy(&st->done_cv);
    free(st->queue.items);
    free(st->batch.items);
    free(st->unsynced.items);
    free(st->dir);
    free(st);
}

void store_flush(store *st)
{
    store_barrier(st);
}

const char *store_dir(const store *st)
{
    return st->dir;
}

bool store_failed(const store *st)
{
    return atomic_load(&st->failed);
}
