/* shardlog.c - opening a shard log, its segment list, retention, close and destroy (see
 * shardlog.h; recovery is in recovery.c, the write path in shardlog_append.c, reads in
 * shardlog_read.c).
 *
 * The torn-tail rule (recovery.c has the details): every offset below the state file's synced
 * end must be found intact, else the log is damaged (refused, or quarantined); the first bad frame
 * at or above it ends the log, and what follows is the torn tail, cut. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "cursor.h"
#include "fsutil.h"
#include "janitor.h"
#include "shardlog_impl.h"
#include "store_internal.h"

/* ---- the segment list ---------------------------------------------------------------------- */

void shardlog_add_segment(shardlog *log, segment *seg)
{
    pthread_rwlock_wrlock(&log->segs_lock);
    if (log->nsegs == log->segs_cap) {
        log->segs_cap = log->segs_cap ? log->segs_cap * 2 : 8;
        log->segs = realloc(log->segs, log->segs_cap * sizeof *log->segs);
        if (!log->segs)
            abort();
    }
    log->segs[log->nsegs++] = seg;
    pthread_rwlock_unlock(&log->segs_lock);
}

segment *shardlog_segment_at(shardlog *log, uint64_t *offset)
{
    pthread_rwlock_rdlock(&log->segs_lock);
    size_t lo = 0, hi = log->nsegs; /* segs [0, lo) start at or before *offset */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (log->segs[mid]->first_offset <= *offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* A segment rolled past (not the last) has its final end: past it lies a gap. */
    if (lo && lo < log->nsegs && *offset >= log->segs[lo - 1]->end_offset)
        *offset = log->segs[lo++]->first_offset;
    segment *seg = lo ? log->segs[lo - 1] : NULL;
    if (seg)
        segment_ref(seg);
    pthread_rwlock_unlock(&log->segs_lock);
    return seg;
}

/* ---- recovery ------------------------------------------------------------------------------ */

static int recover(shardlog *log)
{
    if (recovery_run(log) < 0)
        return -1;
    log->next_offset = log->written_end = log->tail->end_offset;
    for (size_t i = log->nsegs; i-- > 0 && !log->last_arrival_ms;)
        log->last_arrival_ms = log->segs[i]->last_arrival_ms;
    atomic_store(&log->committed, log->next_offset);
    atomic_store(&log->committed_arrival_ms, log->last_arrival_ms);
    atomic_store(&log->horizon, log->segs[0]->first_offset);
    return 0;
}

/* ---- open, close, destroy ------------------------------------------------------------------ */

static char *join_path(const char *a, const char *b)
{
    kbuf p = KBUF_INIT;
    kbuf_printf(&p, "%s/%s", a, b);
    return kbuf_detach(&p);
}

static void shardlog_free(shardlog *log)
{
    for (size_t i = 0; i < log->nsegs; i++)
        segment_unref(log->segs[i]);
    free(log->segs);
    pending_free(&log->pend);
    seal_ctx_free(&log->sealer);
    pending_free(&log->flush);
    pthread_mutex_destroy(&log->mu);
    pthread_rwlock_destroy(&log->segs_lock);
    logstate_close(&log->state);
    free(log->dir);
    free(log->relpath);
    free(log);
}

shardlog *shardlog_open(store *st, const char *relpath)
{
    shardlog *log = calloc(1, sizeof *log);
    if (!log)
        abort();
    log->st = st;
    log->dir = join_path(store_dir(st), relpath);
    log->relpath = strdup(relpath);
    log->state.fd = -1;
    if (!log->relpath)
        abort();
    pthread_mutex_init(&log->mu, NULL);
    pthread_rwlock_init(&log->segs_lock, NULL);
    if (store_attach(st, log, relpath) < 0) {
        log_error("store: shard log %s is already open", log->dir);
        shardlog_free(log);
        return NULL;
    }
    if (fs_mkdirs(log->dir) < 0 || recover(log) < 0) {
        log_error("store: cannot open shard log %s", log->dir);
        store_detach(st, log);
        shardlog_free(log);
        return NULL;
    }
    return log;
}

/* The tail gives its preallocated space back, so the next open scans only its records. */
static void release_tail_space(shardlog *log)
{
    segment *tail = log->tail;
    if (atomic_load(&log->failed) || tail->fd < 0 || tail->allocated <= tail->append_pos)
        return;
    if (segment_truncate(tail) < 0 || fdatasync(tail->fd) < 0)
        log_warn("store: %s: cannot release preallocated space", tail->path);
}

void shardlog_dispose(shardlog *log, bool destroy)
{
    if (!destroy) {
        shardlog_note_synced(log);
        shardlog_sync_state(log, 0, true);
        release_tail_space(log);
    }
    shardlog_free(log);
}

void shardlog_close_async(shardlog *log, shardlog_done_fn done, void *arg)
{
    store_request_close(log->st, log, false, done, arg);
}

void shardlog_destroy_async(shardlog *log, shardlog_done_fn done, void *arg)
{
    store_request_close(log->st, log, true, done, arg);
}

/* ---- waiting for the asynchronous versions ------------------------------------------------- */

typedef struct done_waiter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
} done_waiter;

static void signal_done(void *arg)
{
    done_waiter *w = arg;
    pthread_mutex_lock(&w->mu);
    w->done = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static void wait_done(done_waiter *w)
{
    pthread_mutex_lock(&w->mu);
    while (!w->done)
        pthread_cond_wait(&w->cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
}

void shardlog_close(shardlog *log)
{
    done_waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
    shardlog_close_async(log, signal_done, &w);
    wait_done(&w);
}

int shardlog_destroy(store *st, const char *relpath)
{
    done_waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
    shardlog *open_log = store_find(st, relpath);
    if (open_log)
        shardlog_destroy_async(open_log, signal_done, &w);
    else
        janitor_remove_dir(store_janitor(st), join_path(store_dir(st), relpath), signal_done, &w);
    wait_done(&w);
    return 0;
}

/* ---- retention and queries ----------------------------------------------------------------- */

/* Raises an atomic mark to at least v. */
static void raise_mark(_Atomic int64_t *mark, int64_t v)
{
    int64_t was = atomic_load(mark);
    while (v > was && !atomic_compare_exchange_weak(mark, &was, v))
        ;
}

static void request_retention(shardlog *log)
{
    if (!atomic_exchange(&log->retain_queued, true))
        store_request_retention(log->st, log);
}

void shardlog_trim_before(shardlog *log, int64_t cutoff_ms)
{
    raise_mark(&log->retain_cutoff_ms, cutoff_ms);
    request_retention(log);
}

void shardlog_trim_below(shardlog *log, uint64_t offset)
{
    raise_mark(&log->retain_below, offset > INT64_MAX ? INT64_MAX : (int64_t)offset);
    request_retention(log);
}

/* How many leading segments retention may delete: sealed, all records before the time cutoff or
 * below the offset mark, never the tail. */
static size_t expired_segments(shardlog *log)
{
    int64_t cutoff_ms = atomic_load(&log->retain_cutoff_ms);
    uint64_t below = (uint64_t)atomic_load(&log->retain_below);
    pthread_rwlock_rdlock(&log->segs_lock);
    size_t k = 0;
    while (k + 1 < log->nsegs &&
           atomic_load_explicit(&log->segs[k]->sealed, memory_order_acquire) &&
           (log->segs[k]->last_arrival_ms < cutoff_ms || log->segs[k]->end_offset <= below))
        k++;
    pthread_rwlock_unlock(&log->segs_lock);
    return k;
}

/* Storage thread. The new horizon is made durable first, then the janitor unlinks the segments
 * oldest first and syncs the directory: a crash at any point leaves a log recovery accepts
 * (segments below a durable horizon are retention's leftovers). */
void shardlog_apply_retention(shardlog *log)
{
    atomic_store(&log->retain_queued, false);
    size_t k = expired_segments(log);
    if (!k)
        return;
    pthread_rwlock_wrlock(&log->segs_lock);
    segment **gone = malloc(k * sizeof *gone);
    if (!gone)
        abort();
    memcpy(gone, log->segs, k * sizeof *gone);
    uint64_t horizon = log->segs[k]->first_offset;
    pthread_rwlock_unlock(&log->segs_lock);
    log->state.horizon = horizon;
    logstate_drop_gaps_below(&log->state, horizon);
    if (logstate_write(&log->state, log->dir, true) == 0) {
        pthread_rwlock_wrlock(&log->segs_lock);
        memmove(log->segs, log->segs + k, (log->nsegs - k) * sizeof *log->segs);
        log->nsegs -= k;
        atomic_store(&log->horizon, horizon);
        pthread_rwlock_unlock(&log->segs_lock);
        char **paths = malloc(2 * k * sizeof *paths);
        if (!paths)
            abort();
        for (size_t i = 0; i < k; i++) { /* oldest first */
            paths[2 * i] = strdup(gone[i]->path);
            paths[2 * i + 1] = segment_index_path(gone[i]);
            segment_unref(gone[i]);
        }
        janitor_unlink(store_janitor(log->st), paths, 2 * k, strdup(log->dir));
    }
    free(gone);
}

uint64_t shardlog_trim_horizon(shardlog *log)
{
    return atomic_load(&log->horizon);
}

uint64_t shardlog_committed(shardlog *log)
{
    return atomic_load_explicit(&log->committed, memory_order_acquire);
}

int64_t shardlog_last_arrival_ms(shardlog *log)
{
    return atomic_load(&log->committed_arrival_ms);
}
