/* registry_edit.h - the changing side of the registry, for the control-plane operations.
 *
 * registry.h is what every operation needs (find a stream, route to a shard); this header is what
 * the stream lifecycle and resharding operations need on top. Everything here runs on the Kinesis
 * control thread (or at start-up, before the loops run), except the lookups marked "any thread
 * holding registry_lock".
 *
 * Every change follows one pattern: check, do the disk work, commit it to meta.sqlite in ONE
 * transaction, then publish it in memory under registry_lock held exclusively. A change that
 * cannot be committed is dropped before anything was published: memory never shows what the
 * database does not hold. */
#ifndef KINESD_REGISTRY_EDIT_H
#define KINESD_REGISTRY_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meta.h"
#include "registry.h"

/* ---- lookups (control thread, or any thread holding registry_lock) ------------------------- */

/* The streams of all accounts and regions, sorted by (account, region, name). */
size_t registry_stream_count(void);
stream *registry_stream_at(size_t i);
/* Index of the first stream ordered after (account, region, name); name "" gives the first
 * stream of that account and region. */
size_t registry_stream_after(const char *account, const char *region, const char *name);
/* The stream of that account, region and name, or NULL. */
stream *registry_find(const char *account, const char *region, const char *name);
stream *registry_find_uid(uint64_t uid);
/* The stream a StreamARN names, as registry_resolve finds it. NULL with err set. */
stream *registry_resolve_arn(const char *arn, const char *account, const char *region,
                             aws_error *err);
/* Open shards of every stream of the account in the region, counting those a pending reshard
 * will open (the shard limit counts these). */
int registry_open_shards(const char *account, const char *region);
/* Number of open shards. */
int stream_open_shards(const stream *s);
/* The time a closed shard stopped taking records (its children's creation), or INT64_MAX for
 * an open shard. */
int64_t shard_closed_ms(const stream *s, const shard *sh);

/* Range i of n equal ranges of the hash key space, as AWS splits it: each range has
 * floor(2^128 / n) keys, the last one also the remainder. */
void hash_range_even(int i, int n, u128 *start, u128 *end);

/* ---- memory of streams and shards (meta.c builds them when loading) ------------------------ */

/* stream_push_shard appends a zeroed shard with the next index and its id to shards (or, with
 * `pending`, to the pending reshard); the names are truncated to their fields. */
stream *stream_new(const char *account, const char *region, const char *name);
shard *stream_push_shard(stream *s, bool pending);
void stream_free(stream *s); /* closes the shards' logs */

/* The metadata database: only the control thread uses it. */
meta *registry_meta(void);

/* ---- changes (control thread) -------------------------------------------------------------- */

/* Writes the tags of a KV_MAP (NULL: none) for the owner, in the caller's transaction. */
int registry_put_tags(meta *m, const tag_owner *o, const kval *tags);
/* The clock transitions run on (streams' and consumers'), and the tick's retention period: the
 * monotonic clock, so that a wall clock stepped back an hour does not hold a stream in CREATING
 * for that hour. Unit tests put a made-up clock in its place. A deadline is persisted only as
 * "pending" (non-zero): one loaded at start-up is re-armed for a whole transition from then. */
extern int64_t (*registry_deadline_clock)(void);
/* When a transition starting now ends: kinesd_cfg.transition_ms (at least 0) on that clock. */
int64_t registry_transition_deadline(void);

/* What a new stream is made with (CreateStream's settings). */
typedef struct stream_request {
    int shard_count;        /* shards that split the hash key space evenly */
    bool on_demand;         /* capacity mode ON_DEMAND */
    bool auto_distribution; /* RecordDistributionStrategy AUTO */
    int max_record_kib;     /* 0: the default */
    int warm_target_mibps;  /* 0: none */
    const kval *tags;       /* a KV_MAP, or NULL */
} stream_request;

/* Creates a stream as req says, in status CREATING (or ACTIVE when kinesd_cfg.transition_ms is 0):
 * files, then one transaction, then published. NULL on an I/O error (logged): nothing of it
 * remains. */
stream *registry_create_stream(const char *account, const char *region, const char *name,
                               const stream_request *req, int64_t now_ms);

/* Commits `next` - a copy of s (same shards) with changed settings and status - and publishes it
 * into s. With next->status UPDATING and no transition time set, the UPDATING transition is
 * started (and, with transition_ms 0, finished at once). 0, or -1 (logged; s unchanged). */
int stream_update(stream *s, const stream *next, int64_t now_ms);
/* The same, also storing a new data key's row (StartStreamEncryption) in the transaction. */
int stream_update_keyed(stream *s, const stream *next, const data_key_row *key, int64_t now_ms);

/* Starts deleting s: DELETING (with its consumers) in one transaction; when the transition ends
 * (at once with transition_ms 0: s may be gone on return) its rows go in one transaction and its
 * logs are deleted. 0, or -1 (logged; s unchanged). */
int stream_delete(stream *s);

/* A reshard in the making: a scratch copy of the stream's shards to which splits and merges
 * add children (reshard_split, reshard_merge). Nothing is visible until reshard_commit. */
typedef struct reshard {
    stream *live; /* the stream being resharded */
    stream draft; /* its settings, with shards = copies of the live shards plus the new ones */
    bool failed;  /* a child's log could not be created */
} reshard;

void reshard_begin(reshard *r, stream *s);
/* The draft's copy of shard `index`. */
shard *reshard_shard(reshard *r, int index);
/* Closes draft shard sh and adds its children [start, key-1] and [key, end]. */
bool reshard_split(reshard *r, shard *sh, u128 key, int64_t now_ms);
/* Closes draft shards a and b (adjacent) and adds the child covering both; NULL on error. */
shard *reshard_merge(reshard *r, shard *a, shard *b, int64_t now_ms);
/* Commits the new shards as pending, with the stream UPDATING, in one transaction, and publishes
 * them; the parents close and the children open when the transition ends (at once with
 * transition_ms 0). Frees the draft either way. 0, or -1 (logged; nothing changed). */
int reshard_commit(reshard *r, int64_t now_ms);
/* Drops a reshard that will not be committed (its children's logs are deleted). */
void reshard_abandon(reshard *r);

/* Applies due transitions (CREATING/UPDATING -> ACTIVE, pending reshards, DELETING -> gone), by
 * registry_deadline_clock, and retention, by now_ms (wall clock: records carry wall-clock arrival
 * times). The Kinesis service's tick. */
void registry_tick(int64_t now_ms);

#endif
