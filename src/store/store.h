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
 * A ticket covers every shard of the store, so after a failed write or fdatasync (logged) no
 * further ticket is ever reported, and the failed shard's appends return -1.
 *
 * Environment (for tests): KINESD_SEGMENT_BYTES, read by store_open, sets the size at which a
 * shard's segment file is rolled over (default 64 MiB, at least 256). */
#ifndef KINESD_STORE_H
#define KINESD_STORE_H

#include <stdbool.h>
#include <stdint.h>

typedef enum { DURABILITY_SYNC, DURABILITY_INTERVAL, DURABILITY_NONE } durability_mode;

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

/* True once a write or fdatasync has failed (any thread): no ticket above the last reported one
 * will ever be reported, so whoever still waits for one must give up (the server answers
 * InternalFailure rather than keep the reply, and its shutdown, waiting forever). */
bool store_failed(const store *st);

#endif
