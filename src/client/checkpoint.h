/* checkpoint.h - the consumer's checkpoints in a local SQLite file: per (application, stream,
 * shard) the last processed sequence number, the sub-sequence within a KPL aggregate when only
 * part of it was processed, and whether the shard was read to its end. */
#ifndef KINES_CLIENT_CHECKPOINT_H
#define KINES_CLIENT_CHECKPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "kines/kines.h"

typedef struct checkpoint_store checkpoint_store;

typedef struct checkpoint {
    bool found;
    char sequence_number[130];
    int64_t sub_sequence; /* -1: the whole record was processed */
    bool finished;        /* the shard was read to its end */
} checkpoint;

checkpoint_store *checkpoint_open(const char *path, kines_error *err);
void checkpoint_close(checkpoint_store *s);

int checkpoint_load(checkpoint_store *s, const char *app, const char *stream, const char *shard,
                    checkpoint *out, kines_error *err);

int checkpoint_begin(checkpoint_store *s, kines_error *err);
int checkpoint_save(checkpoint_store *s, const char *app, const char *stream, const char *shard,
                    const checkpoint *cp, kines_error *err);
int checkpoint_commit(checkpoint_store *s, kines_error *err);

#endif
