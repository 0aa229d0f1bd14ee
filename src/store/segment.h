/* segment.h - one segment file of a shard log and its sparse index.
 *
 * A segment holds the frames of consecutive offsets starting at first_offset, in the file
 * <dir>/<first_offset as %020llu>.log. Its sparse index (one entry every INDEX_EVERY_BYTES or
 * INDEX_EVERY_RECORDS frames, and always the first frame) maps offsets and arrival times to file
 * positions; it lives in memory and, once the segment is sealed (full and durable), also in
 * <first_offset>.idx so that reopening the shard needs no scan of it.
 *
 * Who touches what: the appender (holding the shard's mutex) adds frames and index entries; the
 * storage thread writes, syncs, publishes committed_end and seals; readers use the index and
 * committed_end without locks (index entries are published with release semantics and never
 * move). A segment is freed when its last reference goes (readers hold one while reading). */
#ifndef KINESD_SEGMENT_H
#define KINESD_SEGMENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

#define INDEX_EVERY_BYTES (64u << 10)
#define INDEX_EVERY_RECORDS 1024u

struct shardlog;

typedef struct index_entry {
    uint64_t offset;
    uint64_t pos;
    int64_t arrival_ms;
} index_entry;

typedef struct index_block index_block;

typedef struct segment {
    uint64_t first_offset;
    int fd;                 /* -1 until the storage thread creates the file (a rolled segment) */
    char *path;             /* of the .log file */
    struct shardlog *owner; /* told when an I/O on the segment fails */
    atomic_int refs;

    /* Appender side, under the shard's mutex (final once the segment is rolled past). */
    uint64_t append_pos;     /* end of the frames appended so far */
    uint64_t end_offset;     /* offset after the last appended frame */
    int64_t last_arrival_ms; /* of the last appended frame; 0 when empty */

    /* The sparse index: written by the appender, read by anyone. */
    _Atomic(index_block *) index;
    atomic_size_t index_len;

    /* Storage thread side. */
    uint64_t allocated; /* bytes preallocated */
    bool unsynced;      /* written since its last fdatasync */
    bool new_file;      /* its directory entry is not yet synced */
    bool sync_failed;   /* its last sync failed (set by a sync pool thread) */
    bool unpublished;   /* rolled to, none of its bytes published yet (under the shard's mutex) */

    atomic_uint_fast64_t committed_end; /* bytes written (and durable in mode sync) */
    atomic_bool sealed; /* full, durable, .idx written: may be deleted by retention */
} segment;

/* Creates <dir>/<first_offset>.log, empty (truncating any stale file of that name). */
segment *segment_create(const char *dir, uint64_t first_offset, struct shardlog *owner);
/* A segment whose file does not exist yet: an appender rolls to it without a system call, and the
 * storage thread creates the file (segment_create_file) before its first write. */
segment *segment_new_unborn(const char *dir, uint64_t first_offset, struct shardlog *owner);
int segment_create_file(segment *seg);
/* Opens an existing segment file; its index is empty until segment_load_index or segment_scan. */
segment *segment_open(const char *dir, uint64_t first_offset, struct shardlog *owner);

void segment_ref(segment *seg);
void segment_unref(segment *seg); /* the last reference closes and frees */

/* Accounts a frame of `count` offsets from `offset` on appended at append_pos (adding an index
 * entry when one is due: entries always point at the start of a frame). */
void segment_note_frame(segment *seg, uint64_t offset, uint32_t count, int64_t arrival_ms,
                        size_t frame_len);

/* The index entry of the last indexed frame starting at or before offset; false if none. */
bool segment_seek_offset(segment *seg, uint64_t offset, index_entry *out);
/* The last index entry whose arrival is before ts_ms; false if none. */
bool segment_seek_time(segment *seg, int64_t ts_ms, index_entry *out);
/* Arrival time of the segment's first frame; false when it has none yet. */
bool segment_first_arrival(segment *seg, int64_t *arrival_ms);

/* What a scan found past the last good frame. */
typedef struct segment_scan_result {
    uint64_t file_size;
    bool garbage;        /* a non-zero byte after the last good frame */
    bool later_frames;   /* an intact frame after the last good one (past a damaged stretch) */
    uint64_t max_offset; /* the highest offset those frames hold (when later_frames) */
} segment_scan_result;

/* Recovery: reads the frames from the start, keeping those with good CRCs and consecutive offsets
 * (rebuilding the index, append_pos, end_offset and last arrival), then looks through the rest of
 * the file for non-zero bytes and intact frames. Reads only. -1 on read error. */
int segment_scan(segment *seg, frame_cursor *cur, segment_scan_result *r);

/* Writes <first_offset>.idx (index plus end position, end offset, last arrival; CRC'd) and syncs
 * it and its directory entry. */
int segment_save_index(segment *seg);

typedef enum {
    INDEX_ABSENT,   /* no valid .idx: the segment must be scanned */
    INDEX_LOADED,   /* the index, end and last arrival come from the .idx; the segment is sealed */
    INDEX_MISMATCH, /* a valid .idx whose end position is not the .log's size: damaged segment */
} index_load;
index_load segment_load_index(segment *seg);

/* Makes sure at least `end` bytes are preallocated, growing by doubling up to `cap`. */
void segment_preallocate(segment *seg, uint64_t end, uint64_t cap);
/* Cuts the file at append_pos (not synced): drops any stale bytes past the last good frame, so
 * none is ever read back, and releases preallocated space. */
int segment_truncate(segment *seg);
/* After an abandoned cycle (the disk was full): forgets the frames at end_offset and after (index
 * entries, append position back to committed_end) and cuts the file there, synced. */
int segment_rewind(segment *seg, uint64_t end_offset, int64_t last_arrival_ms);
/* The path of the segment's .idx file (malloc'd). */
char *segment_index_path(const segment *seg);
/* Deletes the segment's .idx file (when it becomes the tail again after recovery). */
void segment_remove_index(segment *seg);
/* Deletes the segment's files (the open descriptor stays usable until the last unref). */
void segment_remove_files(segment *seg);

#endif
