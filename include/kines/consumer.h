/* consumer.h - the libkines consumer: reads every shard of a stream, a parent to its end before its
 * children, and optionally checkpoints to a local SQLite file so that a restarted consumer resumes
 * after the last checkpoint (at-least-once: nothing after a checkpoint is skipped).
 *
 * KPL-aggregated records are split into their user records (with sub-sequence numbers). A
 * consumer is used from one thread. */
#ifndef KINES_CONSUMER_H
#define KINES_CONSUMER_H

#include "kines.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kines_consumer_options {
    size_t struct_size; /* sizeof(kines_consumer_options): KINES_CONSUMER_OPTIONS_INIT sets it */
    /* Where shards without a checkpoint start (default TRIM_HORIZON). With LATEST, shards that are
     * already closed are skipped; shards created later always start at TRIM_HORIZON. With
     * AT_SEQUENCE_NUMBER, the shard holding that number starts there and the others skip records
     * numbered below it. */
    kines_position start;
    const char *checkpoint_path; /* SQLite file; NULL: no checkpoints */
    const char *application;     /* checkpoint namespace; default "default" */
    int limit;                   /* GetRecords Limit; default 1000 */
    int idle_ms;                 /* pause before polling a caught-up shard again; default 250 */
} kines_consumer_options;

#define KINES_CONSUMER_OPTIONS_INIT                                                                \
    {                                                                                              \
        .struct_size = sizeof(kines_consumer_options)                                              \
    }

typedef struct kines_consumer_record {
    const char *shard_id;
    const char *sequence_number;
    uint64_t sub_sequence_number; /* index in its KPL aggregate; 0 for plain records */
    bool aggregated;
    const char *partition_key;
    const unsigned char *data;
    size_t len;
    double arrival_timestamp;
} kines_consumer_record;

typedef struct kines_consumer kines_consumer;

kines_consumer *kines_consumer_new(const kines_options *client, const char *stream,
                                   const kines_consumer_options *opts, kines_error *err);

/* The next record (valid until the next call): returns 1 and fills *out; 0 when nothing arrived
 * within wait_ms or the stream is finished (kines_consumer_finished); -1 on error. */
int kines_consumer_next(kines_consumer *c, kines_consumer_record *out, int wait_ms,
                        kines_error *err);

/* Saves, for every shard, the last record returned by next (and which shards are read to their
 * end). A no-op without checkpoint_path. */
int kines_consumer_checkpoint(kines_consumer *c, kines_error *err);

/* True once every shard is closed and read to its end: no record can arrive any more. */
bool kines_consumer_finished(const kines_consumer *c);

void kines_consumer_free(kines_consumer *c);

#ifdef __cplusplus
}
#endif

#endif
