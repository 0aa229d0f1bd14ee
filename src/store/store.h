/* store.h - one data directory: its storage thread, group commit and durability mode.
 *
 * Appends (shardlog_append) copy records into a shard's pending buffer and get a commit ticket.
 * The storage thread repeatedly takes everything pending in all shards, writes it, fdatasyncs it
 * (durability `sync`), publishes the new committed lengths to readers, and then reports the
 * highest ticket that is now durable through the on_durable callback (called on the storage
 * thread; the server hops back to its loops from there). Tickets are generation numbers of the
 * commit cycles: ticket T is durable once on_durable has reported a value >= T.
 *
 *   durability sync:     report after fdatasync (an acknowledged record survives kill -9
 *                        and power loss)
 *   durability interval: report after write; fdatasync every interval_ms
 *   durability none:     report after write; never fdatasync except at close
 *
 * Full disk: a write that finds no space (ENOSPC, EDQUOT) abandons its cycle. Every append not
 * yet published (that cycle's and the next one's) is forgotten and its bytes cut from the files;
 * their tickets are lost (store_ticket_lost), never reported durable, and the server answers them
 * with a retryable error. Appends go on as before, and succeed again once space returns: nothing
 * that was not acknowledged is served or survives a restart.
 *
 * Any other failed write or fdatasync (an I/O error: after a failed fdatasync the page cache can
 * no longer be trusted) fails the store: no further ticket is ever reported, and the failed
 * shard's appends return -1 (errno EIO).
 *
 * The segments written in a cycle are fdatasynced in parallel by a small pool of sync threads.
 *
 * Environment (for tests and tuning), read by store_open: KINESD_SEGMENT_BYTES sets the size at
 * which a shard's segment file is rolled over (default 64 MiB, at least 256); KINESD_SYNC_THREADS
 * the number of sync threads besides the storage thread (default 4, 0 syncs one after another). */
#ifndef KINESD_STORE_H
#define KINESD_STORE_H

#include <stdbool.h>
#include <stdint.h>

typedef enum { DURABILITY_SYNC, DURABILITY_INTERVAL, DURABILITY_NONE } durability_mode;

/* What opening a shard log does with damage that is not a torn tail (see shardlog.c for the rule
 * and docs/storage.md), as a storage engine's WAL recovery modes:
 *
 *   RECOVER_STRICT      the default: the log is not opened, nothing is changed on disk, and the
 *                       damage is logged and kept in the store's damage report. For every server
 *                       whose data matters: an operator decides (restore a backup, or restart
 *                       with quarantine knowing what is lost).
 *   RECOVER_QUARANTINE  damaged files are moved into <data>/quarantine/<shard>/ (never deleted),
 *                       the intact frames before the damage are kept, the lost offset range is
 *                       recorded as a gap and logged, and the log opens. For getting a server back
 *                       up after a disk fault, accepting the loss the log names.
 *
 * A torn tail (the unsynced end of the last segment) is cut in both modes. */
typedef enum { RECOVER_STRICT, RECOVER_QUARANTINE } recovery_mode;

typedef struct store store;

typedef void (*store_durable_fn)(uint64_t durable_ticket, void *arg);

/* Opens (creating if needed) the data directory and starts the storage thread. NULL on error
 * (logged). */
store *store_open(const char *data_dir, durability_mode mode, int interval_ms,
                  store_durable_fn on_durable, void *arg);

/* Commits everything pending (fdatasync whatever the mode), stops the thread, frees. Close the
 * store's shard logs first. */
void store_close(store *st);

const char *store_dir(const store *st);

/* Makes everything appended so far durable (whatever the mode) before returning: one commit
 * cycle with its fdatasyncs. Blocks: never call it on a loop thread. */
void store_flush(store *st);
/* True when the appends holding `ticket` were abandoned (the disk was full): they will never be
 * durable. Recorded before any later ticket is reported durable. */
bool store_ticket_lost(store *st, uint64_t ticket);

/* Sets how shard logs opened from now on treat damage (RECOVER_STRICT until called). */
void store_set_recovery(store *st, recovery_mode mode);
recovery_mode store_recovery(const store *st);

/* Moves <data>/<relpath> (a file or a directory) to <data>/quarantine/<relpath> (with a ".N"
 * suffix if that exists), never deleting anything, and syncs both directories. -1 on error. */
int store_quarantine(store *st, const char *relpath);

/* The damage found by shard log opens so far, one line per damaged file or lost range ("" when
 * none); valid until the next open or store_close. */
const char *store_damage_report(store *st);

/* ---- keys of sealed (encrypted) records ----------------------------------------------------
 *
 * A shard log can store records sealed with AES-256-GCM (shardlog_append_sealed) under a store
 * key: 32 secret bytes and an id the frames name (frame.h). Its owner keeps the keys (wrapped,
 * wherever it keeps its metadata) and hands them to the store before any log sealed under them
 * is read; reads then open sealed records transparently. Each log seals under its own subkey,
 * derived from the store key and the log's path. Keys stay until store_close. */
#define STORE_KEY_LEN 32

typedef struct store_key {
    uint64_t id;                         /* named by the frames sealed under it; never 0 */
    unsigned char secret[STORE_KEY_LEN]; /* AES-256 key material */
} store_key;

/* Adds a key (any thread); adding an id again returns the key first added. The pointer stays
 * valid until store_close. */
const store_key *store_add_key(store *st, uint64_t id, const unsigned char secret[STORE_KEY_LEN]);
/* The key of that id; NULL when none was added. */
const store_key *store_find_key(store *st, uint64_t id);

/* True once a write or fdatasync has failed (any thread): no ticket above the last reported one
 * will ever be reported, so whoever still waits for one must give up (the server answers
 * InternalFailure rather than keep the reply, and its shutdown, waiting forever). */
bool store_failed(const store *st);

/* What one commit cycle did, for whoever watches the store's health (the monitoring service). */
typedef struct store_cycle_stats {
    uint64_t logs;    /* shard logs the cycle wrote */
    uint64_t records; /* records it made durable (committed) */
    int64_t sync_ns;  /* time its fdatasyncs took; -1 when it did not sync */
} store_cycle_stats;

typedef void (*store_cycle_fn)(const store_cycle_stats *stats, void *arg);

/* Calls fn on the storage thread after each cycle that wrote something (it must be quick and must
 * not block); NULL stops it. Set it before appends begin. */
void store_set_cycle_observer(store *st, store_cycle_fn fn, void *arg);

#endif
