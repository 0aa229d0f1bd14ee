/* shards.c - listing a stream's shards and getting their iterators (see shards.h). */
#include "shards.h"

#include <stdlib.h>
#include <string.h>

#include "bodies.h"
#include "json_scan.h"

/* Appends every "ShardId" of one ListShards answer to out. */
static void collect_ids(const char *s, size_t n, shard_list *out)
{
    size_t pos = 0, len;
    const char *id;
    while (json_next_string(s, n, "ShardId", &pos, &id, &len)) {
        out->ids = realloc(out->ids, (out->count + 1) * sizeof(*out->ids));
        if (!out->ids)
            abort();
        out->ids[out->count++] = strndup(id, len);
    }
}

int shards_list(hc_conn *c, const kinesis_endpoint *ep, const char *stream, shard_list *out)
{
    kbuf body = KBUF_INIT;
    body_stream(&body, stream);
    out->ids = NULL;
    out->count = 0;
    int status = kinesis_call(c, ep, "ListShards", &body);
    kbuf_free(&body);
    if (status != 200) {
        kinesis_report_failure("ListShards", status, hc_body(c), hc_body_len(c));
        return -1;
    }
    collect_ids(hc_body(c), hc_body_len(c), out);
    return 0;
}

void shards_free(shard_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->ids[i]);
    free(list->ids);
    list->ids = NULL;
    list->count = 0;
}

int shards_iterator(hc_conn *c, const kinesis_endpoint *ep, const char *stream,
                    const char *shard_id, const char *type, kbuf *iterator)
{
    kbuf body = KBUF_INIT;
    body_get_shard_iterator(&body, stream, shard_id, type);
    int status = kinesis_call(c, ep, "GetShardIterator", &body);
    kbuf_free(&body);
    size_t pos = 0, len;
    const char *value;
    if (status != 200 ||
        !json_next_string(hc_body(c), hc_body_len(c), "ShardIterator", &pos, &value, &len)) {
        kinesis_report_failure("GetShardIterator", status, hc_body(c), hc_body_len(c));
        return -1;
    }
    kbuf_reset(iterator);
    kbuf_append(iterator, value, len);
    return 0;
}
