/* shardlog_impl.h - the inside of a shard log, shared by its three files: shardlog.c (open,
 * recovery, retention, close), shardlog_append.c (the write path and its storage-thread half)
 * and shardlog_read.c (reads and time lookups).
 *
 * Locks: `mu` serialises appends and guards the appender-side fields. `segs_lock` guards the
 * segment list (taken shared by readers just to find a segment and reference it, exclusively to
 * add a segment at roll or drop some at retention). Readers learn how far they may read from
 * `committed` and each segment's committed_end, both published with release semantics by the
 * storage thread after the bytes are written (and synced, in mode sync). */
#ifndef KINESD_SHARDLOG_IMPL_H
#define KINESD_SHARDLOG_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "common/buf.h"
#include "logstate.h"
#include "seal.h"
#include "segment.h"
#include "shardlog.h"

/* Bytes appended to one segment that the storage thread has not written yet. */
typedef struct piece {
    segment *seg;
    uint64_t pos; /* file position of bytes.data[0] */
    kbuf bytes;
    bool seals; /* the segment was rolled past: it is complete after these bytes */
} piece;

typedef struct pending {
    piece *pieces; /* slots keep their buffers between uses */
    size_t n, cap;
    uint64_t end_offset;     /* the log's next offset after these bytes */
    int64_t last_arrival_ms; /* of the last record in them */
} pending;

struct shardlog {
    store *st;
    char *dir;     /* <data dir>/<relpath> */
    char *relpath; /* as opened */

    pthread_mutex_t mu;
    segment *tail; /* receives appends */
    uint64_t next_offset;
    int64_t last_arrival_ms; /* of the last appended record */
    bool queued;             /* on the store's queue for the next cycle */
    uint64_t queued_ticket;  /* when queued: the cycle that will take the pending bytes */
    pending pend;            /* appended, not yet taken by the storage thread */
    seal_ctx sealer;         /* the subkey sealed appends were last sealed under */

    pending flush; /* storage thread: taken, being written */

    pthread_rwlock_t segs_lock;
    segment **segs; /* by first offset */
    size_t nsegs, segs_cap;

    atomic_uint_fast64_t committed;
    atomic_int_fast64_t committed_arrival_ms;
    atomic_uint_fast64_t horizon;
    atomic_bool failed;
    _Atomic int64_t retain_cutoff_ms; /* retention asked to delete segments older than this */
    _Atomic int64_t retain_below;     /* ... and segments whose records are all below this */
    atomic_bool retain_queued;        /* on the store's retention queue */

    /* Storage thread only (and recovery, before the log is shared). */
    uint64_t written_end;    /* offset after the last record written to its file */
    bool in_batch;           /* taken by the current cycle */
    bool synced_in_cycle;    /* one of its segments was synced in the current cycle */
    logstate state;          /* the state file (synced_end advanced after each sync) */
    bool state_dirty;        /* written since its last fdatasync */
    int64_t state_synced_ns; /* when it was last fdatasynced */
};

/* A state file written after a sync is fdatasynced when its log goes idle, at a barrier, or at
 * least this often while the log stays busy. */
#define STATE_SYNC_NS (200 * 1000000LL)

/* The segment holding *offset (the last one starting at or before it), referenced; NULL if none.
 * An offset in a gap between segments (a range recovery skipped) moves to the next segment's
 * first offset. */
segment *shardlog_segment_at(shardlog *log, uint64_t *offset);
/* Appends seg to the segment list (which takes the caller's reference). */
void shardlog_add_segment(shardlog *log, segment *seg);

void pending_free(pending *p);

/* Recovery (recovery.c): builds the segment list, the tail, next_offset and the state of a log
 * from its directory, under the store's recovery mode. -1 when the log cannot be opened. */
int recovery_run(shardlog *log);

#endif
