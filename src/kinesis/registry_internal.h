/* registry_internal.h - what registry.c (memory, lookups, loading) and registry_change.c (the
 * control thread's changes) share. Not for operations. */
#ifndef KINESD_REGISTRY_INTERNAL_H
#define KINESD_REGISTRY_INTERNAL_H

#include "../common/buf.h"
#include "registry_edit.h"

/* In a stream's directory while its creation has not committed (see registry.c). */
#define CREATING_MARKER "CREATING"

void *registry_xcalloc(size_t n, size_t size);                   /* aborts when memory is out */
void shards_free(shard **shards, int n);                         /* closes their logs */
void shard_log_path(const stream *s, int index, kbuf *out);      /* "streams/<uid>/<index>" */
void stream_dir_path(uint64_t uid, const char *file, kbuf *out); /* absolute; file may be NULL */
/* Opens the log of shard `index`; `fresh` first deletes whatever is at that path. */
shardlog *open_shard_log(const stream *s, int index, bool fresh);
void remove_stream_dir(uint64_t uid); /* its logs, its marker, itself */

/* The sorted array; the caller holds registry_lock exclusively (or no loop runs yet). */
void registry_insert(stream *s);
void registry_unlink(const stream *s);

#endif
