/* registry.h - the streams and shards kinesd knows, in memory, persisted in SQLite.
 *
 * Every stream of every account and region lives here with its shards (open and closed); each
 * shard owns its shardlog. The metadata is stored in <data-dir>/meta.sqlite and loaded at start.
 *
 * Threads and locking (docs/threading.md): only the Kinesis control thread changes the registry
 * (registry_edit.h), so it reads it without a lock. Loop threads read it holding registry_lock
 * shared (OP_LOOP_READ operations get it from the dispatcher). The control thread does its disk
 * work (SQLite, shard files, waiting for the store) first and then takes registry_lock
 * exclusively only to publish the change in memory, so a control-plane call never stalls the data
 * plane for longer than a pointer swap. Pointers to streams and shards are valid only while the
 * lock is held (or on the control thread). */
#ifndef KINESD_REGISTRY_H
#define KINESD_REGISTRY_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "../common/u128.h"
#include "../protocol/awserr.h"
#include "../protocol/value.h"
#include "../store/shardlog.h"
#include "quota.h"

typedef enum { STREAM_CREATING, STREAM_ACTIVE, STREAM_UPDATING, STREAM_DELETING } stream_status;

typedef struct shard {
    int index;           /* the number in "shardId-000000000007" */
    char id[24];         /* "shardId-000000000007" */
    u128 hash_start;     /* inclusive */
    u128 hash_end;       /* inclusive */
    int parent;          /* shard index, -1 for none */
    int adjacent_parent; /* shard index, -1 for none */
    int64_t created_ms;  /* creation time; also the prefix of its sequence numbers */
    bool closed;         /* by a reshard: takes no more records */
    uint64_t end_offset; /* when closed: the offset after its last record */
    shardlog *log;
    shard_quota *quota; /* its throughput gates and throttle counters; shared, like log, by the
                           copies a reshard makes (and freed with the log's owner) */
} shard;

typedef struct stream {
    uint64_t uid; /* unique for each stream ever created: data directory, iterator binding */
    char account[16];
    char region[32];
    char name[129];
    char arn[256]; /* arn:aws:kinesis:REGION:ACCOUNT:stream/NAME */
    stream_status status;
    stream_status next_status; /* status after the pending transition */
    int64_t transition_at_ms;  /* registry_deadline_clock: when its transition ends; 0: none */
    bool on_demand;
    int retention_hours;
    int64_t created_ms;
    int shard_count; /* all shards, open and closed; shards[i]->index == i */
    shard **shards;
    /* A reshard waiting for its UPDATING transition to end: the shards it adds (indexes from
     * shard_count on), which take no records until then; the parents they name stay open. */
    int pending_count;
    shard **pending;
    unsigned shard_level_metrics; /* enhanced monitoring: bit i = the model's MetricsName i */
    int max_record_kib;           /* largest record accepted (MaxRecordSizeInKiB), default 1024 */
    struct stream_contract *contract; /* the schema its records must match (contract.h); NULL:
                                         none. Owned: freed with the stream */
    char kms_key_id[2049];     /* server-side encryption key (EncryptionType KMS); "" = NONE */
    uint64_t data_key_id;      /* the data key new records are sealed under; 0: stored plain */
    const store_key *data_key; /* that key, in the store's keyring (NULL when 0) */
    int warm_target_mibps;     /* UpdateStreamWarmThroughput's target; 0 = never set */
    int warm_current_mibps;    /* becomes the target when the UPDATING transition ends */
    bool auto_distribution;    /* RecordDistributionStrategy AUTO (on-demand streams only):
                                  records spread evenly, partition keys ignored */
    stream_quota *quota;       /* on-demand write capacity and throttle counters (quota.h) */
} stream;

/* Over every stream, shard and consumer in memory (see above). */
extern pthread_rwlock_t registry_lock;

/* Loads <data-dir>/meta.sqlite and opens every shard's log; -1 on error (logged). Removes what a
 * crash left of uncommitted creations and of committed deletions. */
int registry_open(store *st);
void registry_close(void);
store *registry_store(void); /* the store registry_open was given; NULL when closed */

void registry_read_lock(void);
void registry_unlock(void);

/* Finds the stream named by StreamName or StreamARN in the input (at least one must be present,
 * and both must name the same stream, else InvalidArgumentException) for this account and region.
 * On failure sets err (ResourceNotFoundException "Stream NAME under account ACCOUNT not found.")
 * and returns NULL. A stream in DELETING is found (callers decide what that means). */
stream *registry_resolve(const kval *input, const char *account, const char *region,
                         aws_error *err);

/* The open shard whose hash range contains key; NULL if none. */
shard *stream_route(const stream *s, u128 hash_key);

/* A shard id as AWS reads one: "<anything>-<digits>" or bare digits ("shardId-000000000005",
 * "shard-5", "5"), naming index 0 .. 2^31-1. The index, or -1 when the text is no shard id. */
int shard_id_index(const char *shard_id);
/* "shardId-000000000005", as AWS reports the shard a request named. */
void shard_id_format(int index, char out[24]);
/* The shard a shard id names (see shard_id_index); NULL if none. */
shard *stream_shard_by_id(const stream *s, const char *shard_id);

const char *stream_status_name(stream_status status);

#endif
