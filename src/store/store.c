/* store.c - a data directory's storage thread: group commit cycles, durability tickets, syncing,
 * and the registry of its open shard logs (see store.h and store_internal.h).
 *
 * Cycle c (tickets start at 1): under the store mutex, open_ticket becomes c + 1 and the queue of
 * logs with pending bytes is taken; then every taken log's bytes are written, synced when due,
 * published, and c is reported. An appender that queues its log gets, under the store mutex, the
 * ticket of the cycle that will take it, and later appenders to the still queued log get the same
 * one (kept in the log): ticket c covers exactly the bytes cycle c writes, which is what lets a
 * cycle abandoned for lack of space lose exactly its tickets (abandon_cycle). */
#include "store_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/log.h"
#include "fsutil.h"
#include "shardlog_impl.h"
#include "sync_pool.h"

#define DEFAULT_SEGMENT_BYTES (64ull << 20)
#define MIN_SEGMENT_BYTES 256ull
#define DEFAULT_SYNC_THREADS 4

typedef struct open_log {
    struct open_log *next;
    shardlog *log;
    char *relpath;
} open_log;

/* A shardlog_close_async or shardlog_destroy_async waiting for the end of a cycle. */
typedef struct close_req {
    shardlog *log;
    bool destroy;
    shardlog_done_fn done;
    void *arg;
} close_req;

/* Tickets first .. last (inclusive). */
typedef struct ticket_range {
    uint64_t first, last;
} ticket_range;

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
    _Atomic(store_cycle_fn) on_cycle; /* the cycle observer; NULL: none (set while running) */
    void *_Atomic cycle_arg;
    uint64_t segment_bytes;
    pthread_t thread;

    pthread_mutex_t mu;
    pthread_cond_t work_cv; /* to the storage thread: something to do */
    pthread_cond_t done_cv; /* from it: a barrier completed */
    ptrvec queue;           /* logs with pending bytes (under mu) */
    ptrvec retain;          /* logs whose retention is due (under mu) */
    ptrvec closing;         /* close_req: logs to close at the end of the next cycle (under mu) */
    uint64_t barrier_asked, barrier_done;
    bool stopping;
    open_log *open_logs;
    _Atomic uint64_t open_ticket;

    atomic_bool failed; /* set by the storage thread, read by anyone (store_failed) */
    atomic_bool paused; /* appends fail at once: a cycle is being abandoned */
    ticket_range *lost; /* tickets whose appends were abandoned (under mu), oldest first */
    size_t nlost, caplost;
    atomic_bool any_lost;   /* lost is not empty: readers take mu only then */
    recovery_mode recovery; /* for shard logs opened from now on */
    kbuf damage;            /* the damage report (under mu) */
    keyring *keys;          /* the keys of sealed runs (its own mutex) */

    /* Storage thread only. */
    ptrvec batch;         /* the queue taken by the current cycle */
    ptrvec retain_batch;  /* the retention requests taken by the current cycle */
    ptrvec closing_batch; /* the close requests taken by the current cycle */
    janitor *janitor;     /* deletes files off the storage thread */
    ptrvec unsynced;      /* segments written since their last sync */
    ptrvec synced_logs;   /* logs some of whose segments the current cycle synced */
    ptrvec dirty_states;  /* logs whose state file was written and not yet synced */
    sync_pool *syncers;   /* sync the segments of a cycle in parallel */
    bool out_of_space;    /* a write of the current cycle found the disk full */
    uint64_t reported;    /* the last ticket reported to on_durable */
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

static void note_synced_log(store *st, segment *seg)
{
    shardlog *log = seg->owner;
    if (log && !log->synced_in_cycle) {
        log->synced_in_cycle = true;
        ptrvec_push(&st->synced_logs, log);
    }
}

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

/* On a sync pool thread: touches only the segment. */
static void sync_item(void *item)
{
    segment *seg = item;
    seg->sync_failed = sync_now(seg) < 0;
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
    sync_pool_run(st->syncers, st->unsynced.items, st->unsynced.n, sync_item);
    for (size_t i = 0; i < st->unsynced.n; i++) {
        segment *seg = st->unsynced.items[i];
        if (seg->sync_failed)
            store_fail(st, seg->owner);
        else
            note_synced_log(st, seg);
    }
    st->unsynced.n = 0;
    st->next_sync_ns = clock_mono_ns() + (int64_t)st->interval_ms * 1000000;
}

/* Records the new synced ends in the state files, and syncs those that are due (all of them at a
 * barrier). */
static void update_states(store *st, bool barrier)
{
    for (size_t i = 0; i < st->synced_logs.n; i++) {
        shardlog *log = st->synced_logs.items[i];
        log->synced_in_cycle = false;
        if (shardlog_note_synced(log))
            ptrvec_push(&st->dirty_states, log);
    }
    st->synced_logs.n = 0;
    int64_t now = clock_mono_ns();
    size_t keep = 0;
    for (size_t i = 0; i < st->dirty_states.n; i++)
        if (shardlog_sync_state(st->dirty_states.items[i], now, barrier))
            st->dirty_states.items[keep++] = st->dirty_states.items[i];
    st->dirty_states.n = keep;
}

static bool interval_sync_due(const store *st)
{
    return st->mode == DURABILITY_INTERVAL && st->unsynced.n && clock_mono_ns() >= st->next_sync_ns;
}

void store_out_of_space(store *st)
{
    st->out_of_space = true;
}

bool store_appends_paused(store *st)
{
    return atomic_load(&st->paused);
}

static void record_lost(store *st, uint64_t first, uint64_t last)
{
    if (st->nlost == st->caplost) {
        st->caplost = st->caplost ? st->caplost * 2 : 8;
        st->lost = realloc(st->lost, st->caplost * sizeof *st->lost);
        if (!st->lost)
            abort();
    }
    st->lost[st->nlost++] = (ticket_range){first, last};
    atomic_store(&st->any_lost, true);
}

bool store_ticket_lost(store *st, uint64_t ticket)
{
    if (!atomic_load(&st->any_lost))
        return false;
    pthread_mutex_lock(&st->mu);
    bool lost = false;
    for (size_t i = st->nlost; i-- > 0 && !lost && st->lost[i].last >= ticket;)
        lost = st->lost[i].first <= ticket;
    pthread_mutex_unlock(&st->mu);
    return lost;
}

/* Every open log, snapshot under mu. */
static void open_logs_snapshot(store *st, ptrvec *out)
{
    pthread_mutex_lock(&st->mu);
    for (open_log *e = st->open_logs; e; e = e->next)
        ptrvec_push(out, e->log);
    pthread_mutex_unlock(&st->mu);
}

static void pass_through_appenders(shardlog *log)
{
    pthread_mutex_lock(&log->mu);
    pthread_mutex_unlock(&log->mu);
}

/* The disk was full for a write of cycle `ticket`. Appends are paused (they fail at once), those
 * in progress finish, and every append not yet published is forgotten: this cycle's (ticket) and
 * the next one's (ticket + 1, already handed out). Their bytes are cut from the files, their
 * tickets recorded as lost (never reported durable: the server answers an error), and tickets go
 * on from ticket + 2. Nothing of them was visible, nor survives a restart. */
static void abandon_cycle(store *st, uint64_t ticket)
{
    atomic_store(&st->paused, true);
    ptrvec logs = {0};
    open_logs_snapshot(st, &logs);
    for (size_t i = 0; i < logs.n; i++)
        pass_through_appenders(logs.items[i]);
    pthread_mutex_lock(&st->mu);
    uint64_t last = atomic_load(&st->open_ticket);
    atomic_store(&st->open_ticket, last + 1);
    record_lost(st, ticket, last);
    st->queue.n = 0; /* all of them are in logs: every open log is rolled back */
    pthread_mutex_unlock(&st->mu);
    for (size_t i = 0; i < logs.n; i++)
        shardlog_rollback(logs.items[i]);
    free(logs.items);
    st->out_of_space = false;
    atomic_store(&st->paused, false);
    log_warn("store %s: disk full: the appends of tickets %llu-%llu failed and were discarded; "
             "appends resume when space returns",
             st->dir, (unsigned long long)ticket, (unsigned long long)last);
    if (st->on_durable)
        st->on_durable(st->reported, st->arg); /* wakes the waiters: their tickets are lost */
}

void store_fail(store *st, shardlog *log)
{
    if (!atomic_exchange(&st->failed, true))
        log_error("store %s: I/O failed; no further appends are acknowledged", st->dir);
    shardlog_mark_failed(log);
}

/* ---- closing logs -------------------------------------------------------------------------- */

/* Forgets a closing log in the storage thread's lists (its segments that are unsynced, its state
 * file), syncing them first unless it is destroyed. */
static void forget_log(store *st, shardlog *log, bool sync)
{
    size_t keep = 0;
    for (size_t i = 0; i < st->unsynced.n; i++) {
        segment *seg = st->unsynced.items[i];
        if (seg->owner != log)
            st->unsynced.items[keep++] = seg;
        else if (sync && sync_now(seg) < 0)
            store_fail(st, log);
    }
    st->unsynced.n = keep;
    keep = 0;
    for (size_t i = 0; i < st->dirty_states.n; i++)
        if (st->dirty_states.items[i] != log)
            st->dirty_states.items[keep++] = st->dirty_states.items[i];
    st->dirty_states.n = keep;
}

static void finish_close(store *st, close_req *rq)
{
    forget_log(st, rq->log, !rq->destroy);
    store_detach(st, rq->log);
    char *dir = rq->destroy ? strdup(rq->log->dir) : NULL;
    shardlog_dispose(rq->log, rq->destroy);
    if (dir)
        janitor_remove_dir(st->janitor, dir, rq->done, rq->arg);
    else if (rq->done)
        rq->done(rq->arg);
    free(rq);
}

void store_request_close(store *st, shardlog *log, bool destroy, shardlog_done_fn done, void *arg)
{
    close_req *rq = malloc(sizeof *rq);
    if (!rq)
        abort();
    *rq = (close_req){log, destroy, done, arg};
    pthread_mutex_lock(&st->mu);
    ptrvec_push(&st->closing, rq);
    pthread_cond_signal(&st->work_cv);
    pthread_mutex_unlock(&st->mu);
}

janitor *store_janitor(store *st)
{
    return st->janitor;
}

keyring *store_keyring(store *st)
{
    return st->keys;
}

const store_key *store_add_key(store *st, uint64_t id, const unsigned char secret[STORE_KEY_LEN])
{
    return keyring_add(st->keys, id, secret);
}

const store_key *store_find_key(store *st, uint64_t id)
{
    return keyring_find(st->keys, id);
}

/* ---- the storage thread -------------------------------------------------------------------- */

/* Syncs (when due), publishes and seals what the cycle wrote, then reports its ticket. */
static void complete_cycle(store *st, uint64_t ticket, bool barrier)
{
    shardlog **logs = (shardlog **)st->batch.items;
    size_t n = st->batch.n;
    store_cycle_stats stats = {.logs = n, .sync_ns = -1};
    for (size_t i = 0; i < n; i++)
        stats.records -= shardlog_committed(logs[i]); /* published below */
    if (st->mode == DURABILITY_SYNC || barrier || interval_sync_due(st)) {
        int64_t started = clock_mono_ns();
        sync_all(st);
        stats.sync_ns = clock_mono_ns() - started;
    }
    for (size_t i = 0; i < n; i++) {
        shardlog_flush_publish(logs[i]);
        shardlog_flush_seal(logs[i]);
        stats.records += shardlog_committed(logs[i]);
    }
    update_states(st, barrier);
    if (!atomic_load(&st->failed) && st->on_durable)
        st->on_durable(st->reported = ticket, st->arg);
    store_cycle_fn on_cycle = atomic_load(&st->on_cycle);
    if (n && on_cycle)
        on_cycle(&stats, atomic_load(&st->cycle_arg));
}

static void run_cycle(store *st, uint64_t ticket, bool barrier)
{
    shardlog **logs = (shardlog **)st->batch.items;
    size_t n = st->batch.n;
    for (size_t i = 0; i < n; i++) {
        logs[i]->in_batch = true;
        shardlog_flush_take(logs[i]);
        if (!st->out_of_space)
            shardlog_flush_write(logs[i]);
    }
    if (st->out_of_space)
        abandon_cycle(st, ticket);
    else
        complete_cycle(st, ticket, barrier);
    for (size_t i = 0; i < n; i++)
        logs[i]->in_batch = false;
    for (size_t i = 0; i < st->retain_batch.n; i++)
        shardlog_apply_retention(st->retain_batch.items[i]);
    st->retain_batch.n = 0;
    for (size_t i = 0; i < st->closing_batch.n; i++)
        finish_close(st, st->closing_batch.items[i]);
    st->closing_batch.n = 0;
}

static bool cycle_wanted(const store *st)
{
    return st->queue.n || st->retain.n || st->closing.n || st->barrier_asked != st->barrier_done ||
           st->stopping || interval_sync_due(st);
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
    pthread_mutex_lock(&st->mu);
    for (;;) {
        while (!cycle_wanted(st))
            wait_for_work(st);
        if (st->stopping && !st->queue.n && !st->retain.n && !st->closing.n &&
            st->barrier_asked == st->barrier_done)
            break;
        uint64_t ticket = atomic_load(&st->open_ticket);
        atomic_store(&st->open_ticket, ticket + 1);
        ptrvec_swap(&st->queue, &st->batch);
        st->queue.n = 0;
        ptrvec_swap(&st->retain, &st->retain_batch);
        st->retain.n = 0;
        ptrvec_swap(&st->closing, &st->closing_batch);
        st->closing.n = 0;
        uint64_t barrier = st->barrier_asked;
        bool barrier_due = barrier != st->barrier_done;
        pthread_mutex_unlock(&st->mu);

        run_cycle(st, ticket, barrier_due);

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

void store_wake(store *st)
{
    pthread_cond_signal(&st->work_cv);
}

void store_request_retention(store *st, shardlog *log)
{
    pthread_mutex_lock(&st->mu);
    ptrvec_push(&st->retain, log);
    pthread_cond_signal(&st->work_cv);
    pthread_mutex_unlock(&st->mu);
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

static int sync_threads_from_env(void)
{
    const char *s = getenv("KINESD_SYNC_THREADS");
    char *end;
    long n = s && *s ? strtol(s, &end, 10) : DEFAULT_SYNC_THREADS;
    if (s && *s && (*end || n < 0 || n > 64)) {
        log_warn("store: ignoring KINESD_SYNC_THREADS=%s", s);
        n = DEFAULT_SYNC_THREADS;
    }
    return (int)n;
}

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
    st->syncers = sync_pool_start(sync_threads_from_env());
    st->janitor = janitor_start();
    st->keys = keyring_new();
    atomic_init(&st->open_ticket, 1);
    st->next_sync_ns = clock_mono_ns();
    if (init_sync(st) < 0 || pthread_create(&st->thread, NULL, storage_main, st) != 0) {
        log_error("store: cannot start the storage thread");
        sync_pool_stop(st->syncers);
        janitor_stop(st->janitor);
        keyring_free(st->keys);
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
    sync_pool_stop(st->syncers);
    janitor_stop(st->janitor);
    while (st->open_logs)
        store_detach(st, st->open_logs->log);
    pthread_mutex_destroy(&st->mu);
    pthread_cond_destroy(&st->work_cv);
    pthread_cond_destroy(&st->done_cv);
    free(st->queue.items);
    free(st->batch.items);
    free(st->retain.items);
    free(st->retain_batch.items);
    free(st->closing.items);
    free(st->closing_batch.items);
    free(st->unsynced.items);
    free(st->synced_logs.items);
    free(st->dirty_states.items);
    free(st->lost);
    kbuf_free(&st->damage);
    keyring_free(st->keys);
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

void store_set_recovery(store *st, recovery_mode mode)
{
    st->recovery = mode;
}

recovery_mode store_recovery(const store *st)
{
    return st->recovery;
}

void store_report_damage(store *st, const char *fmt, ...)
{
    kbuf line = KBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    kbuf_vprintf(&line, fmt, ap);
    va_end(ap);
    log_error("store: DAMAGE: %s", line.data);
    pthread_mutex_lock(&st->mu);
    kbuf_printf(&st->damage, "%s\n", line.data);
    pthread_mutex_unlock(&st->mu);
    kbuf_free(&line);
}

int store_quarantine(store *st, const char *relpath)
{
    kbuf from = KBUF_INIT, to = KBUF_INIT;
    kbuf_printf(&from, "%s/%s", st->dir, relpath);
    kbuf_printf(&to, "%s/quarantine/%s", st->dir, relpath);
    char *parent = strdup(to.data);
    if (!parent)
        abort();
    *strrchr(parent, '/') = '\0';
    int rc = fs_mkdirs(parent);
    size_t base_len = to.len;
    for (int k = 1; rc == 0 && access(to.data, F_OK) == 0; k++) {
        to.len = base_len;
        kbuf_printf(&to, ".%d", k);
    }
    if (rc == 0 && (rename(from.data, to.data) < 0 || fs_sync_parent(to.data) < 0 ||
                    fs_sync_parent(from.data) < 0))
        rc = -1;
    if (rc < 0)
        log_error("store: cannot move %s into quarantine: %s", from.data, strerror(errno));
    else
        log_warn("store: moved %s to %s", from.data, to.data);
    free(parent);
    kbuf_free(&from);
    kbuf_free(&to);
    return rc;
}

const char *store_damage_report(store *st)
{
    pthread_mutex_lock(&st->mu);
    const char *report = st->damage.data ? st->damage.data : "";
    pthread_mutex_unlock(&st->mu);
    return report;
}

bool store_failed(const store *st)
{
    return atomic_load(&st->failed);
}

void store_set_cycle_observer(store *st, store_cycle_fn fn, void *arg)
{
    atomic_store(&st->on_cycle, NULL);
    atomic_store(&st->cycle_arg, arg);
    atomic_store(&st->on_cycle, fn);
}
