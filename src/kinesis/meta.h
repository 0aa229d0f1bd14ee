/* meta.h - the stream metadata database: <data-dir>/meta.sqlite.
 *
 * Rows for streams, their shards (open, closed and pending), their tags, resource policies,
 * contracts, consumers and data keys (wrapped under the master key: datakey.h), the account
 * settings of each account and region, the counter that hands out stream uids, and the uids of
 * deleted streams whose files may still need deleting. The registry keeps streams and shards in
 * memory and writes them through here; tags are only kept here. SQLite runs in WAL mode with
 * synchronous=FULL, so a committed transaction survives a crash. Every API call's change is one
 * transaction (meta_begin
 * ... meta_commit around the puts). Not thread-safe: only the Kinesis control thread uses it (and
 * the main thread at start-up). */
#ifndef KINESD_META_H
#define KINESD_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "consumer.h"
#include "registry.h"

typedef struct meta meta;

meta *meta_open(const char *data_dir); /* creates the file and tables if absent; NULL on error */
void meta_close(meta *m);

int meta_begin(meta *m);
int meta_commit(meta *m);
void meta_rollback(meta *m);
/* Ends a transaction begun with meta_begin: commits when rc is 0, else rolls back; 0, or -1. */
int meta_end(meta *m, int rc);

/* The last stream uid handed out (0 when none); a new stream takes the next one and records it
 * with meta_set_last_uid in its creation's transaction, so uids are never reused. */
int meta_last_uid(meta *m, uint64_t *uid);
int meta_set_last_uid(meta *m, uint64_t uid);

/* Insert or replace one row. */
int meta_put_stream(meta *m, const stream *s);
/* `pending`: the shard is a child of a reshard whose transition has not ended. */
int meta_put_shard(meta *m, uint64_t stream_uid, const shard *sh, bool pending);
/* Removes the stream's row, its shards' rows, its tags, its policies and its consumers, and
 * records the uid as deleted until meta_forget_deleted (its files are then deleted). */
int meta_delete_stream(meta *m, uint64_t stream_uid);
/* The uids recorded as deleted, for fn; and forgetting one once its files are gone. */
int meta_deleted_each(meta *m, void (*fn)(uint64_t uid, void *arg), void *arg);
int meta_forget_deleted(meta *m, uint64_t stream_uid);

/* Calls fn for every stored stream, fully built (shards and pending shards with log == NULL), in
 * no given order. fn takes ownership of the stream. Returns 0, or -1 on error. */
typedef int (*meta_stream_fn)(stream *s, void *arg);
int meta_load(meta *m, meta_stream_fn fn, void *arg);

/* The data keys of encrypted streams (datakey.h), removed with their stream. */
typedef struct data_key_row {
    uint64_t id;
    uint64_t stream_uid;
    int64_t created_ms;
    const void *wrapped; /* the key sealed under the master key */
    size_t wrapped_len;
} data_key_row;

int meta_put_data_key(meta *m, const data_key_row *k);
typedef int (*meta_data_key_fn)(const data_key_row *k, void *arg); /* non-zero stops */
int meta_data_keys_each(meta *m, meta_data_key_fn fn, void *arg);

/* Tags, ordered by key, of a stream or of one of its consumers (removed with either). */
typedef struct tag_owner {
    uint64_t stream_uid;      /* the stream (or the consumer's stream) */
    const char *consumer_arn; /* the consumer's ARN; NULL: the stream itself */
} tag_owner;

typedef bool (*meta_tag_fn)(const char *key, const char *value, void *arg); /* false stops */
int meta_tags_each(meta *m, const tag_owner *o, const char *after_key, meta_tag_fn fn, void *arg);
int meta_tag_count(meta *m, const tag_owner *o);
int meta_tag_exists(meta *m, const tag_owner *o, const char *key); /* 1, 0, or -1 on error */
int meta_tag_put(meta *m, const tag_owner *o, const char *key, const char *value);
int meta_tag_delete(meta *m, const tag_owner *o, const char *key);

/* Resource policies, by the ARN of their resource (a stream or a consumer, filed with the
 * stream's uid); removed with the stream, or the consumer. */
int meta_policy_get(meta *m, const char *arn, kbuf *out); /* 1 found, 0 none, -1 error */
int meta_policy_put(meta *m, uint64_t stream_uid, const char *arn, const char *policy);
int meta_policy_delete(meta *m, const char *arn);

/* Consumers, by stream uid and name. meta_load_consumers hands fn a consumer it allocated (free
 * it with free()); fn takes ownership. */
int meta_put_consumer(meta *m, const consumer *c);
/* Removes the consumer's row, its tags and its policy. */
int meta_delete_consumer(meta *m, const consumer *c);
typedef int (*meta_consumer_fn)(consumer *c, void *arg);
int meta_load_consumers(meta *m, meta_consumer_fn fn, void *arg);

/* Stream contracts (contract.h): the schema text as it was set, by stream uid; removed with the
 * stream (meta_contracts.c). */
typedef struct contract_row {
    uint64_t stream_uid;
    const char *schema; /* the JSON Schema text */
    bool assert_format; /* "format" keywords are assertions */
    int64_t updated_ms; /* when it was set */
} contract_row;

int meta_put_contract(meta *m, const contract_row *r);
int meta_delete_contract(meta *m, uint64_t stream_uid);
typedef int (*meta_contract_fn)(const contract_row *r, void *arg); /* non-zero stops */
int meta_contracts_each(meta *m, meta_contract_fn fn, void *arg);

/* The settings of one account in one region (UpdateAccountSettings). */
typedef struct account_row {
    char account[16];
    char region[32];
    char commitment[40]; /* MinimumThroughputBillingCommitment status, as the API names it */
    int64_t started_ms;  /* 0: never */
    int64_t ended_ms;
    int64_t earliest_end_ms;
} account_row;

int meta_put_account(meta *m, const account_row *a);
/* Fills the row of a->account and a->region: 1 found, 0 none (a unchanged), -1 error. */
int meta_get_account(meta *m, account_row *a);

#endif
