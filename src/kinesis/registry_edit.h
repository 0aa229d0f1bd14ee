/* registry_edit.h - the changing side of the registry, for the control-plane operations.
 *
 * registry.h is what every operation needs (find a stream, route to a shard); this header is what
 * the stream lifecycle and resharding operations need on top: add and remove streams, add and
 * close shards, start status transitions, and persist a stream in one transaction. Every function
 * here requires the caller to hold the registry lock exclusively, except where it says shared. */
#ifndef KINESD_REGISTRY_EDIT_H
#define KINESD_REGISTRY_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meta.h"
#include "registry.h"

/* The streams of all accounts and regions, sorted by (account, region, name). Shared lock is
 * enough. */
size_t registry_stream_count(void);
stream *registry_stream_at(size_t i);
/* Index of the first stream ordered after (account, region, name); name "" gives the first
 * stream of that account and region. Shared lock is enough. */
size_t registry_stream_after(const char *account, const char *region, const char *name);
/* The stream of that account, region and name, or NULL. Shared lock is enough. */
stream *registry_find(const char *account, const char *region, const char *name);
stream *registry_find_uid(uint64_t uid);
/* The stream a StreamARN names, as registry_resolve finds it. NULL with err set. */
stream *registry_resolve_arn(const char *arn, const char *account, const char *region,
                             aws_error *err);
/* Open shards of every stream of the account in the region (the shard limit counts these). */
int registry_open_shards(const char *account, const char *region);

/* Memory of streams and shards (meta.c builds them when loading). stream_push_shard appends a
 * zeroed shard with the next index and its id; the names are truncated to their fields. */
stream *stream_new(const char *account, const char *region, const char *name);
shard *stream_push_shard(stream *s);
void stream_free(stream *s); /* closes the shards' logs */

/* The metadata database, for rows the in-memory registry does not hold (tags). */
meta *registry_meta(void);

/* When a transition (of a stream or a consumer) that starts at mono_ms ends:
 * kinesd_cfg.transition_ms later, on the monotonic clock. A deadline is persisted only as "pending"
 * (non-zero): one loaded at start-up is re-armed for a whole transition from then. */
int64_t registry_transition_deadline(int64_t mono_ms);

/* Creates a stream of shard_count shards that split the hash key space evenly, in status
 * CREATING (or ACTIVE when kinesd_cfg.transition_ms is 0), persisted, created at now_ms (wall
 * clock) and ACTIVE a transition after mono_ms. max_record_kib 0 means the default. NULL on an
 * I/O error. */
stream *registry_create_stream(const char *account, const char *region, const char *name,
                               int shard_count, bool on_demand, int max_record_kib, int64_t now_ms,
                               int64_t mono_ms);

/* Sets status (UPDATING or DELETING) for a transition from mono_ms (monotonic clock), after which
 * an UPDATING stream becomes ACTIVE and a DELETING one is removed. With transition_ms 0 the change
 * happens at once: the stream may be gone on return. Persists the stream. 0, or -1 on I/O error. */
int stream_start_transition(stream *s, stream_status status, int64_t mono_ms);

/* Appends a new open shard (index = s->shard_count) and opens its log; created_ms is raised above
 * every parent's. Not persisted until stream_save. NULL on error. */
shard *stream_add_shard(stream *s, u128 hash_start, u128 hash_end, int parent, int adjacent_parent,
                        int64_t now_ms);
/* Closes an open shard after its last appended record. */
void shard_close(shard *sh);
/* Range i of n equal ranges of the hash key space, as AWS splits it: each range has
 * floor(2^128 / n) keys, the last one also the remainder. */
void hash_range_even(int i, int n, u128 *start, u128 *end);

/* The time a closed shard stopped taking records (its children's creation), or INT64_MAX for
 * an open shard. Shared lock is enough. */
int64_t shard_closed_ms(const stream *s, const shard *sh);
/* Number of open shards. Shared lock is enough. */
int stream_open_shards(const stream *s);

/* Writes the stream's row and all its shards' rows in one transaction. 0, or -1 (logged). */
int stream_save(const stream *s);

/* What a stream looked like before a change, so that a change that cannot be persisted is taken
 * back in memory too: the database and the registry never disagree. */
typedef struct stream_undo {
    stream before;
} stream_undo;

void stream_undo_begin(const stream *s, stream_undo *undo);
/* Restores the settings and status, removes the shards added since (and their logs) and reopens
 * the shards they closed. */
void stream_undo_apply(stream *s, const stream_undo *undo);

#endif
