/* shardlog_append.c - the write path of a shard log: appends copy frames into the pending
 * buffer under the log's mutex; the storage thread takes, writes, publishes and seals them.
 *
 * An append costs one memcpy and one CRC per record (a sealed run: one memcpy, one AES-GCM pass
 * and one CRC for the whole run) and no system call, even when the tail segment
 * is full: it then rolls to a new segment whose file the storage thread creates (a run of records
 * never spans segments, and a run larger than a segment gets a segment of its own). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "frame.h"
#include "fsutil.h"
#include "shardlog_impl.h"
#include "store_internal.h"

/* ---- pending pieces ------------------------------------------------------------------------ */

/* The piece collecting bytes for seg at its current append position, added if needed. */
static piece *pending_piece(pending *p, segment *seg)
{
    if (p->n && p->pieces[p->n - 1].seg == seg)
        return &p->pieces[p->n - 1];
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 2;
        p->pieces = realloc(p->pieces, p->cap * sizeof *p->pieces);
        if (!p->pieces)
            abort();
        for (size_t i = p->n; i < p->cap; i++)
            kbuf_init(&p->pieces[i].bytes);
    }
    piece *pc = &p->pieces[p->n++];
    pc->seg = seg;
    pc->pos = seg->append_pos;
    pc->seals = false;
    kbuf_reset(&pc->bytes);
    return pc;
}

void pending_free(pending *p)
{
    for (size_t i = 0; i < p->cap; i++)
        kbuf_free(&p->pieces[i].bytes);
    free(p->pieces);
}

/* ---- appends ------------------------------------------------------------------------------- */

/* No system call: the storage thread creates the new segment's file before writing to it. */
static void roll(shardlog *log)
{
    segment *seg = segment_new_unborn(log->dir, log->next_offset, log);
    seg->unpublished = true;
    pending_piece(&log->pend, log->tail)->seals = true;
    log->tail = seg;
    shardlog_add_segment(log, seg);
}

/* Lays out the run's frames: one per record, or sealed runs under key. */
static void encode_run(shardlog *log, const store_key *key, const log_record_in *recs, size_t n,
                       size_t run_bytes, int64_t arrival_ms)
{
    segment *seg = log->tail;
    kbuf *b = &pending_piece(&log->pend, seg)->bytes;
    kbuf_reserve(b, run_bytes);
    uint64_t offset = log->next_offset;
    for (size_t i = 0, count; i < n; i += count, offset += count) {
        const log_record_in *r = &recs[i];
        size_t len;
        if (key) {
            count = seal_chunk(r, n - i);
            len = seal_frame_size(r, count);
            seal_encode(&log->sealer, key, log->relpath, b->data + b->len, offset, arrival_ms, r,
                        count);
        } else {
            count = 1;
            len = frame_size(r->partition_key_len, r->data_len);
            frame_encode(b->data + b->len, offset, arrival_ms, r->partition_key,
                         r->partition_key_len, r->data, r->data_len);
        }
        b->len += len;
        segment_note_frame(seg, offset, count, arrival_ms, len);
    }
    b->data[b->len] = '\0';
}

/* The bytes the run's frames take; false when a record cannot fit a frame. */
static bool run_size(const store_key *key, const log_record_in *recs, size_t n, size_t *bytes)
{
    size_t overhead =
        key ? FRAME_SEALED_HEADER + FRAME_SEALED_TAG + FRAME_MIN_RECORD_BYTES : FRAME_HEADER;
    *bytes = 0;
    for (size_t i = 0; i < n; i++)
        if (recs[i].partition_key_len > UINT16_MAX ||
            recs[i].data_len > FRAME_MAX - overhead - recs[i].partition_key_len)
            return false;
    for (size_t i = 0, count; i < n; i += count) {
        count = key ? seal_chunk(&recs[i], n - i) : 1;
        *bytes += key ? seal_frame_size(&recs[i], count)
                      : frame_size(recs[i].partition_key_len, recs[i].data_len);
    }
    return true;
}

int shardlog_append(shardlog *log, const log_record_in *recs, size_t n, int64_t now_ms,
                    uint64_t *first_offset, int64_t *arrival_ms, uint64_t *ticket)
{
    return shardlog_append_sealed(log, NULL, recs, n, now_ms, first_offset, arrival_ms, ticket);
}

int shardlog_append_sealed(shardlog *log, const store_key *key, const log_record_in *recs, size_t n,
                           int64_t now_ms, uint64_t *first_offset, int64_t *arrival_ms,
                           uint64_t *ticket)
{
    size_t run_bytes;
    if (!run_size(key, recs, n, &run_bytes)) {
        log_error("store: record too large for a frame");
        return -1;
    }
    pthread_mutex_lock(&log->mu);
    segment *tail = log->tail;
    if (atomic_load(&log->failed) || store_appends_paused(log->st)) {
        pthread_mutex_unlock(&log->mu);
        errno = atomic_load(&log->failed) ? EIO : ENOSPC;
        return -1;
    }
    if (tail->append_pos && tail->append_pos + run_bytes > store_segment_bytes(log->st))
        roll(log);
    int64_t arrival = now_ms > log->last_arrival_ms ? now_ms : log->last_arrival_ms;
    encode_run(log, key, recs, n, run_bytes, arrival);
    *first_offset = log->next_offset;
    *arrival_ms = arrival;
    log->next_offset += n;
    log->last_arrival_ms = arrival;
    log->pend.end_offset = log->next_offset;
    log->pend.last_arrival_ms = arrival;
    bool wake = !log->queued;
    log->queued = true;
    if (wake)
        log->queued_ticket = store_enqueue(log->st, log); /* the cycle that will take the log */
    *ticket = log->queued_ticket;
    pthread_mutex_unlock(&log->mu);
    if (wake)
        store_wake(log->st);
    return 0;
}

int shardlog_sync_end(shardlog *log, uint64_t *end)
{
    store_barrier(log->st);
    *end = shardlog_committed(log);
    return atomic_load(&log->failed) || store_failed(log->st) ? -1 : 0;
}

uint64_t shardlog_next_offset(shardlog *log)
{
    pthread_mutex_lock(&log->mu);
    uint64_t next = log->next_offset;
    pthread_mutex_unlock(&log->mu);
    return next;
}

/* ---- the storage thread's half ------------------------------------------------------------- */

void shardlog_flush_take(shardlog *log)
{
    pthread_mutex_lock(&log->mu);
    pending taken = log->pend;
    log->pend = log->flush;
    log->flush = taken;
    log->pend.n = 0;
    log->queued = false;
    pthread_mutex_unlock(&log->mu);
}

static int pwrite_all(int fd, const char *p, size_t n, uint64_t pos)
{
    while (n) {
        ssize_t w = pwrite(fd, p, n, (off_t)pos);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
        pos += (uint64_t)w;
    }
    return 0;
}

/* Out of space is the cycle's failure (abandoned, retried by later appends); anything else the
 * store's. */
static void write_failed(shardlog *log, segment *seg)
{
    if (errno == ENOSPC || errno == EDQUOT) {
        log_warn("store: write %s: %s", seg->path, strerror(errno));
        store_out_of_space(log->st);
        return;
    }
    log_error("store: write %s: %s", seg->path, strerror(errno));
    store_fail(log->st, log);
}

void shardlog_flush_write(shardlog *log)
{
    for (size_t i = 0; i < log->flush.n && !atomic_load(&log->failed); i++) {
        piece *pc = &log->flush.pieces[i];
        if (!pc->bytes.len)
            continue;
        bool ok = pc->seg->fd >= 0 || segment_create_file(pc->seg) == 0;
        if (ok) {
            segment_preallocate(pc->seg, pc->pos + pc->bytes.len, store_segment_bytes(log->st));
            ok = pwrite_all(pc->seg->fd, pc->bytes.data, pc->bytes.len, pc->pos) == 0;
        }
        if (!ok) {
            write_failed(log, pc->seg);
            break;
        }
        store_track_unsynced(log->st, pc->seg);
    }
    if (!atomic_load(&log->failed))
        log->written_end = log->flush.end_offset;
}

/* Drops the segments appends rolled to since the last publish (nothing in them was published);
 * returns the new tail. Under mu. */
static segment *drop_unpublished_segments(shardlog *log)
{
    pthread_rwlock_wrlock(&log->segs_lock);
    size_t n = log->nsegs;
    while (n > 1 && log->segs[n - 1]->unpublished)
        n--;
    segment **gone = log->segs + n;
    size_t ngone = log->nsegs - n;
    log->nsegs = n;
    pthread_rwlock_unlock(&log->segs_lock);
    for (size_t i = 0; i < ngone; i++) {
        if (gone[i]->fd >= 0 && unlink(gone[i]->path) == 0)
            fs_sync_parent(gone[i]->path);
        segment_unref(gone[i]);
    }
    return log->segs[n - 1];
}

void shardlog_rollback(shardlog *log)
{
    pthread_mutex_lock(&log->mu);
    if (!log->pend.n && !log->flush.n) {
        pthread_mutex_unlock(&log->mu);
        return;
    }
    uint64_t keep = atomic_load(&log->committed);
    int64_t arrival = atomic_load(&log->committed_arrival_ms);
    log->pend.n = log->flush.n = 0;
    log->queued = false;
    log->next_offset = log->written_end = keep;
    log->last_arrival_ms = arrival;
    log->tail = drop_unpublished_segments(log);
    if (segment_rewind(log->tail, keep, arrival) < 0) {
        log_error("store: %s: cannot cut the unacknowledged bytes", log->tail->path);
        store_fail(log->st, log);
    }
    pthread_mutex_unlock(&log->mu);
}

bool shardlog_note_synced(shardlog *log)
{
    if (log->written_end <= log->state.synced_end || atomic_load(&log->failed))
        return false;
    bool was_dirty = log->state_dirty;
    log->state.synced_end = log->written_end;
    if (logstate_write(&log->state, log->dir, false) == 0)
        log->state_dirty = true;
    return log->state_dirty && !was_dirty;
}

bool shardlog_sync_state(shardlog *log, int64_t now_ns, bool force)
{
    if (!log->state_dirty)
        return false;
    if (!force && log->in_batch && now_ns - log->state_synced_ns < STATE_SYNC_NS)
        return true;
    if (logstate_sync(&log->state) < 0)
        log_error("store: %s: cannot sync its state file", log->dir);
    log->state_dirty = false;
    log->state_synced_ns = now_ns;
    return false;
}

void shardlog_flush_publish(shardlog *log)
{
    if (atomic_load(&log->failed))
        return;
    for (size_t i = 0; i < log->flush.n; i++) {
        piece *pc = &log->flush.pieces[i];
        pc->seg->unpublished = false;
        atomic_store_explicit(&pc->seg->committed_end, pc->pos + pc->bytes.len,
                              memory_order_release);
    }
    atomic_store_explicit(&log->committed_arrival_ms, log->flush.last_arrival_ms,
                          memory_order_relaxed);
    atomic_store_explicit(&log->committed, log->flush.end_offset, memory_order_release);
}

/* A full segment is cut to its length, synced, and its index saved; only then may retention
 * delete it. */
static void seal(shardlog *log, segment *seg)
{
    if (segment_truncate(seg) < 0) {
        store_fail(log->st, log);
        return;
    }
    if (store_sync_segment(log->st, seg) == 0 && segment_save_index(seg) == 0)
        atomic_store_explicit(&seg->sealed, true, memory_order_release);
}

void shardlog_flush_seal(shardlog *log)
{
    for (size_t i = 0; i < log->flush.n && !atomic_load(&log->failed); i++)
        if (log->flush.pieces[i].seals)
            seal(log, log->flush.pieces[i].seg);
    log->flush.n = 0;
}

void shardlog_mark_failed(shardlog *log)
{
    atomic_store(&log->failed, true);
}
