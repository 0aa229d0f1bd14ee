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
    char *dir;

    pthread_mutex_t mu;
    segment *tail; /* receives appends */
    uint64_t next_offset;
    int64_t last_arrival_ms; /* of the last appended record */
    bool queued;             /* on the store's queue for the next cycle */
    pending pend;            /* appended, not yet taken by the storage thread */

    pending flush; /* storage thread: taken, being written */

    pthread_rwlock_t segs_lock;
    segment **segs; /* by first offset */
    size_t nsegs, segs_cap;

    atomic_uint_fast64_t committed;
    atomic_int_fast64_t committed_arrival_ms;
    atomic_uint_fast64_t horizon;
    atomic_bool failed;
};

/* The segment holding offset (the last one starting at or before it), referenced; NULL if none. */
segment *shardlog_segment_at(shardlog *log, uint64_t offset);
/* Appends seg to the segment list (which takes the caller's reference). */
void shardlog_add_segment(shardlog *log, segment *seg);

void pending_free(pending *p);

#endif
