/* shards.h - a stream's shards: their ids (ListShards) and iterators (GetShardIterator). */
#ifndef KINESD_BENCH_SHARDS_H
#define KINESD_BENCH_SHARDS_H

#include <stddef.h>

#include "kinesis_call.h"

typedef struct shard_list {
    char **ids;
    size_t count;
} shard_list;

/* Lists the shards of `stream` over c. Returns 0, or -1 with the failure printed. */
int shards_list(hc_conn *c, const kinesis_endpoint *ep, const char *stream, shard_list *out);
void shards_free(shard_list *list);

/* Gets an iterator of `type` ("TRIM_HORIZON", "LATEST") for one shard into `iterator`.
 * Returns 0, or -1 with the failure printed. */
int shards_iterator(hc_conn *c, const kinesis_endpoint *ep, const char *stream,
                    const char *shard_id, const char *type, kbuf *iterator);

#endif
