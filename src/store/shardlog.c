/* shardlog.c - opening a shard log (recovery), its segment list, retention, close and destroy
 * (see shardlog.h; the write path is in shardlog_append.c, reads in shardlog_read.c).
 *
 * Recovery: segments are listed by name. Every segment but the last is trusted from its .idx
 * when that exists and chains on (its end offset is the next segment's first offset); otherwise
 * it is scanned frame by frame (CRC and consecutive offsets). The first segment that does not
 * chain on, or else the last one, becomes the tail: whatever follows its last good frame is cut
 * off, and later segments are deleted (their bytes were never acknowledged, since a cycle's
 * writes are reported only when all of them are durable). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "cursor.h"
#include "fsutil.h"
#include "shardlog_impl.h"
#include "store_internal.h"

#define SCAN_BUFFER (1u << 20)

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

segment *shardlog_segment_at(shardlog *log, uint64_t offset)
{
    pthread_rwlock_rdlock(&log->segs_lock);
    size_t lo = 0, hi = log->nsegs; /* segs [0, lo) start at or before offset */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (log->segs[mid]->first_offset <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    segment *seg = lo ? log->segs[lo - 1] : NULL;
    if (seg)
        segment_ref(seg);
    pthread_rwlock_unlock(&log->segs_lock);
    return seg;
}

/* ---- files and directories ----------------------------------------------------------------- */

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static bool segment_file_offset(const char *name, uint64_t *offset)
{
    if (strlen(name) != 24 || strcmp(name + 20, ".log") != 0)
        return false;
    *offset = 0;
    for (int i = 0; i < 20; i++) {
        if (name[i] < '0' || name[i] > '9')
            return false;
        *offset = *offset * 10 + (uint64_t)(name[i] - '0');
    }
    return true;
}

/* The first offsets of the segment files in dir, sorted. -1 if dir cannot be read. */
static int list_segments(const char *dir, uint64_t **offsets, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d) {
        log_error("store: opendir %s: %s", dir, strerror(errno));
        return -1;
    }
    kbuf found = KBUF_INIT;
    struct dirent *e;
    uint64_t off;
    while ((e = readdir(d)))
        if (segment_file_offset(e->d_name, &off))
            kbuf_append(&found, &off, sizeof off);
    closedir(d);
    *n = found.len / sizeof off;
    *offsets = (uint64_t *)kbuf_detach(&found);
    if (*n > 1)
        qsort(*offsets, *n, sizeof **offsets, compare_u64);
    return 0;
}

static void remove_segment_files(const char *dir, uint64_t first_offset)
{
    segment *seg = segment_open(dir, first_offset, NULL);
    if (seg) {
        segment_remove_files(seg);
        segment_unref(seg);
    }
}

/* ---- recovery ------------------------------------------------------------------------------ */

/* A non-last segment whose .idx is valid and chains on to the next segment; NULL otherwise. */
static segment *open_sealed(shardlog *log, uint64_t first, uint64_t next_first)
{
    segment *seg = segment_open(log->dir, first, log);
    if (seg && segment_load_index(seg) && seg->end_offset == next_first)
        return seg;
    if (seg)
        segment_unref(seg);
    return NULL;
}

/* Seals a scanned segment that chains on but had no valid .idx. */
static int seal_scanned(segment *seg)
{
    if (segment_truncate(seg) < 0 || fdatasync(seg->fd) < 0 || segment_save_index(seg) < 0)
        return -1;
    atomic_store(&seg->sealed, true);
    return 0;
}

static int make_tail(shardlog *log, segment *seg, const uint64_t *firsts, size_t later)
{
    for (size_t i = 0; i < later; i++) {
        log_warn("store: %s: dropping segment %llu after a torn segment", log->dir,
                 (unsigned long long)firsts[i]);
        remove_segment_files(log->dir, firsts[i]);
    }
    segment_remove_index(seg);
    if (segment_truncate(seg) < 0 || fdatasync(seg->fd) < 0)
        return -1;
    log->tail = seg;
    return 0;
}

static int recover_segments(shardlog *log, const uint64_t *firsts, size_t n, frame_cursor *cur)
{
    for (size_t i = 0; i < n; i++) {
        bool last = i + 1 == n;
        segment *seg = last ? NULL : open_sealed(log, firsts[i], firsts[i + 1]);
        if (seg) {
            shardlog_add_segment(log, seg);
            continue;
        }
        if (!(seg = segment_open(log->dir, firsts[i], log)))
            return -1;
        shardlog_add_segment(log, seg);
        if (segment_scan(seg, cur) < 0)
            return -1;
        if (!last && seg->end_offset == firsts[i + 1]) {
            if (seal_scanned(seg) < 0)
                return -1;
            continue;
        }
        return make_tail(log, seg, firsts + i + 1, n - i - 1);
    }
    return 0;
}

static int recover(shardlog *log)
{
    uint64_t *firsts;
    size_t n;
    if (list_segments(log->dir, &firsts, &n) < 0)
        return -1;
    int rc;
    if (n == 0) {
        log->tail = segment_create(log->dir, 0, log);
        rc = log->tail ? 0 : -1;
        if (log->tail)
            shardlog_add_segment(log, log->tail);
    } else {
        frame_cursor cur;
        cursor_init(&cur, SCAN_BUFFER);
        rc = recover_segments(log, firsts, n, &cur);
        cursor_free(&cur);
    }
    free(firsts);
    if (rc < 0)
        return -1;
    log->next_offset = log->tail->end_offset;
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
    pending_free(&log->flush);
    pthread_mutex_destroy(&log->mu);
    pthread_rwlock_destroy(&log->segs_lock);
    free(log->dir);
    free(log);
}

shardlog *shardlog_open(store *st, const char *relpath)
{
    shardlog *log = calloc(1, sizeof *log);
    if (!log)
        abort();
    log->st = st;
    log->dir = join_path(store_dir(st), relpath);
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

void shardlog_close(shardlog *log)
{
    store_barrier(log->st);
    store_detach(log->st, log);
    shardlog_free(log);
}

int shardlog_destroy(store *st, const char *relpath)
{
    shardlog *open_log = store_find(st, relpath);
    if (open_log)
        shardlog_close(open_log);
    char *dir = join_path(store_dir(st), relpath);
    DIR *d = opendir(dir);
    int rc = 0;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
                unlinkat(dirfd(d), e->d_name, 0) < 0)
                rc = -1;
        closedir(d);
        if (rmdir(dir) < 0)
            rc = -1;
    } else if (errno != ENOENT) {
        rc = -1;
    }
    if (rc < 0)
        log_error("store: cannot delete %s: %s", dir, strerror(errno));
    free(dir);
    return rc;
}

/* ---- retention and queries ----------------------------------------------------------------- */

/* Deletes the leading sealed segments (never the tail) for which done() holds. */
static void trim_front(shardlog *log, bool (*done)(const segment *seg, const void *limit),
                       const void *limit)
{
    pthread_rwlock_wrlock(&log->segs_lock);
    size_t k = 0;
    while (k + 1 < log->nsegs &&
           atomic_load_explicit(&log->segs[k]->sealed, memory_order_acquire) &&
           done(log->segs[k], limit))
        k++;
    segment **gone = NULL;
    if (k) {
        if (!(gone = malloc(k * sizeof *gone)))
            abort();
        memcpy(gone, log->segs, k * sizeof *gone);
        memmove(log->segs, log->segs + k, (log->nsegs - k) * sizeof *log->segs);
        log->nsegs -= k;
        atomic_store(&log->horizon, log->segs[0]->first_offset);
    }
    pthread_rwlock_unlock(&log->segs_lock);
    for (size_t i = 0; i < k; i++) {
        segment_remove_files(gone[i]);
        segment_unref(gone[i]);
    }
    free(gone);
}

static bool arrived_before(const segment *seg, const void *cutoff_ms)
{
    return seg->last_arrival_ms < *(const int64_t *)cutoff_ms;
}

static bool ends_by(const segment *seg, const void *offset)
{
    return seg->end_offset <= *(const uint64_t *)offset;
}

void shardlog_trim_before(shardlog *log, int64_t cutoff_ms)
{
    trim_front(log, arrived_before, &cutoff_ms);
}

void shardlog_trim_below(shardlog *log, uint64_t offset)
{
    trim_front(log, ends_by, &offset);
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
