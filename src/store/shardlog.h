/* shardlog.h - the durable, append-only record log of one shard.
 *
 * A shard's records are numbered by offset 0, 1, 2, ... in append order. On disk a shard is a
 * directory of preallocated segment files named by their first offset; each record frame holds
 * length, CRC, offset, arrival time (ms), partition key and data, and a sparse index per segment
 * maps offsets and arrival times to file positions. Arrival times never decrease within a shard.
 *
 * Thread safety: appends to one shard are serialised by the shard's own mutex; readers may run
 * concurrently with appends and never see a record before it is committed (see store.h). */
#ifndef KINESD_SHARDLOG_H
#define KINESD_SHARDLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef struct shardlog shardlog;

/* Opens the shard log stored under <data_dir>/<relpath>, creating it empty if absent. Cuts a torn
 * tail; damage is handled as the store's recovery mode says (store.h): NULL then, as on any error
 * (logged). */
shardlog *shardlog_open(store *st, const char *relpath);

typedef void (*shardlog_done_fn)(void *arg);

/* Closes the log without blocking: the storage thread writes and syncs (whatever the durability
 * mode) everything appended to it, records its synced end, frees it, then calls done(arg) (may
 * be NULL) on the storage thread. The caller must stop appending, reading and calling anything on
 * the log before this call; readers holding a segment keep it until they let go. */
void shardlog_close_async(shardlog *log, shardlog_done_fn done, void *arg);
/* As shardlog_close_async, but its records are dropped and its files and directory deleted (by the
 * store's deleting thread, which then calls done(arg)). */
void shardlog_destroy_async(shardlog *log, shardlog_done_fn done, void *arg);

/* shardlog_close_async, waiting for it (blocks on disk: never on an event loop). */
void shardlog_close(shardlog *log);
/* Destroys the log at relpath, open or not, and waits (blocks on disk). */
int shardlog_destroy(store *st, const char *relpath);

typedef struct log_record_in {
    const char *partition_key;
    size_t partition_key_len;
    const void *data;
    size_t data_len;
} log_record_in;

/* Appends n records as one contiguous run. On success returns 0 and sets the first record's offset
 * (the others follow), the arrival time given to all of them (max(now_ms, last arrival)), and the
 * commit ticket to wait for. Returns -1 on I/O failure (logged). */
int shardlog_append(shardlog *log, const log_record_in *recs, size_t n, int64_t now_ms,
                    uint64_t *first_offset, int64_t *arrival_ms, uint64_t *ticket);
/* The same, the run sealed (encrypted, see store.h) under key; a NULL key appends plain text. */
int shardlog_append_sealed(shardlog *log, const store_key *key, const log_record_in *recs, size_t n,
                           int64_t now_ms, uint64_t *first_offset, int64_t *arrival_ms,
                           uint64_t *ticket);

typedef struct log_record {
    uint64_t offset;
    int64_t arrival_ms;
    const char *partition_key;
    size_t partition_key_len;
    const void *data;
    size_t data_len;
    bool sealed; /* it was stored sealed (the read opened it) */
} log_record;

/* Return false to stop the read after this record. The pointers are valid only during the call.
 * Sealed records are visited opened; a sealed run whose key the store does not hold, or that does
 * not authenticate, fails the read as a bad CRC does. */
typedef bool (*log_visit_fn)(const log_record *rec, void *arg);

/* Visits committed records from `from` on, at most max_records of them and stopping before the
 * one that would take the data+key bytes over max_bytes (at least one record is always visited
 * when one is available). Sets *next to the offset after the last visited record (or `from`).
 * Returns 0, or -1 on I/O error. Offsets below the trim horizon start at the horizon (and *next
 * is then at least the horizon). */
int shardlog_read(shardlog *log, uint64_t from, size_t max_records, size_t max_bytes,
                  log_visit_fn visit, void *arg, uint64_t *next);

uint64_t shardlog_trim_horizon(shardlog *log);   /* first offset still stored */
uint64_t shardlog_committed(shardlog *log);      /* offsets below this are durable and readable */
uint64_t shardlog_next_offset(shardlog *log);    /* offset the next append gets */
int64_t shardlog_last_arrival_ms(shardlog *log); /* of the last committed record; 0 when empty */
/* First committed offset whose arrival time is >= ts_ms (shardlog_committed if none). */
uint64_t shardlog_offset_at_time(shardlog *log, int64_t ts_ms);

/* Retention: asks for the whole segments all of whose records arrived before cutoff_ms to be
 * deleted. Only marks the log and returns: the storage thread makes the new trim horizon durable,
 * then unlinks them (oldest first) and syncs the directory. No disk work on the caller's thread. */
void shardlog_trim_before(shardlog *log, int64_t cutoff_ms);
/* The same for the whole segments all of whose records are below offset (a queue's consumed
 * messages). */
void shardlog_trim_below(shardlog *log, uint64_t offset);

/* Makes every record appended to the log so far durable (a full store cycle with fdatasync,
 * whatever the durability mode, which also runs pending retention) and sets *end to the log's
 * committed end: the offset after its last durable record. For a reshard or a close: stop
 * appending to the log first, then call this, then commit metadata naming *end. Blocks: call it
 * from a thread that may wait on disk (never an event loop). -1 when the store has failed (then
 * *end is what was committed before the failure). */
int shardlog_sync_end(shardlog *log, uint64_t *end);

#endif
