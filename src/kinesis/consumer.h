/* consumer.h - the enhanced fan-out consumers registered with streams, in memory, persisted in
 * meta.sqlite.
 *
 * A consumer belongs to one stream uid (a stream recreated under the same name has none). Its
 * status goes CREATING -> ACTIVE and DELETING -> gone after kinesd_cfg.transition_ms, applied by
 * registry_tick. As streams are (registry.h), consumers are changed by the Kinesis control thread
 * only, which commits each change to meta.sqlite first and then publishes it holding
 * registry_lock exclusively; the lookups run there or under registry_lock held shared. */
#ifndef KINESD_CONSUMER_H
#define KINESD_CONSUMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../protocol/awserr.h"
#include "../protocol/value.h"

#define CONSUMERS_PER_STREAM 20  /* AWS's limit for provisioned and on-demand standard streams */
#define CONSUMERS_CREATING_MAX 5 /* at most this many in CREATING at once, per stream */

typedef enum { CONSUMER_CREATING, CONSUMER_ACTIVE, CONSUMER_DELETING } consumer_status;

typedef struct consumer {
    uint64_t stream_uid;
    char name[129];
    char arn[512]; /* STREAM_ARN/consumer/NAME:CREATION_EPOCH_SECONDS */
    char stream_arn[256];
    int64_t created_ms;
    consumer_status status;
    int64_t transition_at_ms; /* registry_deadline_clock: when its transition ends; 0: none */
} consumer;

const char *consumer_status_name(consumer_status status);
/* The status of a name from consumer_status_name; CONSUMER_ACTIVE for anything else. */
consumer_status consumer_status_parse(const char *name);

/* Loads the consumers from meta.sqlite (registry_open); -1 on error. */
int consumers_load(void);
/* Forgets every consumer in memory (registry_close). */
void consumers_clear(void);

/* Consumers of a stream in name order: count, and the i-th one. */
size_t consumers_of(uint64_t stream_uid);
consumer *consumer_at(uint64_t stream_uid, size_t i);
/* Index of the first consumer of the stream whose name sorts after `name`. */
size_t consumer_after(uint64_t stream_uid, const char *name);
consumer *consumer_find(uint64_t stream_uid, const char *name);
/* The consumer with exactly this ARN, or NULL (for SubscribeToShard and the ConsumerARN
 * inputs). */
consumer *consumer_find_arn(const char *arn);
/* ResourceInUseException unless the consumer is ACTIVE (SubscribeToShard's check, in AWS's
 * words); false when raised. */
bool consumer_require_active(const consumer *c, const char *stream_name, const char *account,
                             aws_error *err);

/* Registers a consumer created at now_ms (wall clock: its timestamp and ARN) with its tags (a
 * KV_MAP, or NULL), in CREATING for a transition (ACTIVE when transition_ms is 0): committed,
 * then published. NULL on an I/O error. Control thread. */
consumer *consumer_register(uint64_t stream_uid, const char *stream_arn, const char *name,
                            const kval *tags, int64_t now_ms);
/* Sets DELETING for a transition (with transition_ms 0 the consumer is gone on return):
 * committed, then published. 0, or -1 on an I/O error (the consumer is then unchanged). Control
 * thread. */
int consumer_start_deleting(consumer *c);
/* DeleteStream's part, in two halves around the stream's own change: writes the rows of the
 * stream's consumers as DELETING until `until_ms` (inside the caller's transaction), and, once
 * committed, sets them so in memory (the caller holds registry_lock exclusively). */
int consumers_put_deleting(uint64_t stream_uid, int64_t until_ms);
void consumers_set_deleting(uint64_t stream_uid, int64_t until_ms);
/* Drops the consumers of a removed stream from memory (meta_delete_stream removes the rows); the
 * caller holds registry_lock exclusively. */
void consumers_forget_stream(uint64_t stream_uid);

/* Applies the transitions due by deadline_now (registry_deadline_clock; registry_tick, control
 * thread). */
void consumers_apply_transitions(int64_t deadline_now);

#endif
