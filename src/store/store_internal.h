/* store_internal.h - the interface between a store (store.c: storage thread, tickets, syncing)
 * and its shard logs (shardlog.c: pending bytes, segments, publishing). Not for other modules.
 *
 * Per cycle the storage thread calls, for every queued log: take, write; then (when due) syncs
 * every segment written since the last sync; then for every log: publish, seal, and finally
 * reports the cycle's ticket. */
#ifndef KINESD_STORE_INTERNAL_H
#define KINESD_STORE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "janitor.h"
#include "seal.h"
#include "segment.h"
#include "shardlog.h"

/* ---- provided by store.c ---- */

uint64_t store_segment_bytes(const store *st); /* roll size: KINESD_SEGMENT_BYTES or 64 MiB */

/* Appender, holding the log's mutex, log not yet queued: queues it for the next cycle and
 * returns the ticket of that cycle. Call store_wake after releasing the log's mutex. */
uint64_t store_enqueue(store *st, shardlog *log);
void store_wake(store *st);
/* True while the storage thread abandons a cycle (the disk was full): appends fail at once. */
bool store_appends_paused(store *st);
/* The keys of sealed runs (store_add_key). */
keyring *store_keyring(store *st);
/* The store's deleting thread. */
janitor *store_janitor(store *st);
/* Queues a close (or destroy) of log for the end of the next cycle. */
void store_request_close(store *st, shardlog *log, bool destroy, shardlog_done_fn done, void *arg);

/* Queues log (not queued yet) for retention in the next cycle, and wakes the storage thread. */
void store_request_retention(store *st, shardlog *log);

/* Recovery: adds a line to the damage report (and logs it as an error). */
void store_report_damage(store *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Runs a cycle that writes everything pending and syncs every segment, and waits for it. */
void store_barrier(store *st);

/* The registry of open logs, by relpath: attach fails (-1) when relpath is already open. */
int store_attach(store *st, shardlog *log, const char *relpath);
void store_detach(store *st, shardlog *log);
shardlog *store_find(store *st, const char *relpath);

/* Storage thread: remember a written segment for the next sync; or sync it now and forget it. */
void store_track_unsynced(store *st, segment *seg);
int store_sync_segment(store *st, segment *seg);
/* Storage thread: an I/O on log failed; it refuses appends and no ticket is reported anymore. */
void store_fail(store *st, shardlog *log);
/* Storage thread: a write found the disk full; the cycle is abandoned (see store.c). */
void store_out_of_space(store *st);

/* ---- provided by shardlog.c, called on the storage thread ---- */

void shardlog_flush_take(shardlog *log);    /* swaps the pending bytes out, under the mutex */
void shardlog_flush_write(shardlog *log);   /* pwrites them */
void shardlog_flush_publish(shardlog *log); /* makes them visible to readers */
void shardlog_flush_seal(shardlog *log);    /* seals segments that became full */
void shardlog_mark_failed(shardlog *log);
/* After an abandoned cycle: forgets every appended, unpublished record (pending and taken) and
 * cuts their bytes from the files; appends continue at the committed offset. */
void shardlog_rollback(shardlog *log);
/* Storage thread, the log detached: syncs what remains unsynced of it (unless destroyed) and frees
 * it. */
void shardlog_dispose(shardlog *log, bool destroy);
/* Deletes the segments retention asked for (shardlog_trim_before). */
void shardlog_apply_retention(shardlog *log);
/* After a sync of its segments: records the synced end in the state file (not synced); true when
 * the state file became dirty. */
bool shardlog_note_synced(shardlog *log);
/* fdatasyncs a written state file when due (force: now); true while it stays unsynced. */
bool shardlog_sync_state(shardlog *log, int64_t now_ns, bool force);

#endif
