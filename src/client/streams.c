/* streams.c - the stream management calls: create, delete, describe, wait, list, reshard. */
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/clock.h"
#include "error.h"
#include "json.h"
#include "kines/kines.h"
#include "mem.h"
#include "ops_shapes.h"

static json_object *stream_request(const char *name)
{
    json_object *req = json_object_new_object();
    json_add_str(req, "StreamName", name);
    return req;
}

int kines_create_stream(kines_client *c, const char *name, int shard_count, kines_error *err)
{
    json_object *req = stream_request(name);
    if (shard_count > 0) {
        json_add_int(req, "ShardCount", shard_count);
    } else {
        json_object *mode = json_object_new_object();
        json_add_str(mode, "StreamMode", "ON_DEMAND");
        json_object_object_add(req, "StreamModeDetails", mode);
    }
    return json_call(c, "CreateStream", req, NULL, err);
}

int kines_delete_stream(kines_client *c, const char *name, kines_error *err)
{
    json_object *req = stream_request(name);
    json_object_object_add(req, "EnforceConsumerDeletion", json_object_new_boolean(1));
    return json_call(c, "DeleteStream", req, NULL, err);
}

/* ---- shards --------------------------------------------------------------------------------- */

/* Appends the shards of a JSON array to `acc` (a growing kines_shard array). */
static void collect_shards(struct kines_mem *m, json_object *array, kbuf *acc)
{
    size_t n =
        array && json_object_is_type(array, json_type_array) ? json_object_array_length(array) : 0;
    for (size_t i = 0; i < n; i++) {
        kines_shard s;
        shape_shard(m, json_object_array_get_idx(array, i), &s);
        kbuf_append(acc, &s, sizeof s);
    }
}

int kines_list_shards(kines_client *c, const char *name, kines_shard_list *out, kines_error *err)
{
    memset(out, 0, sizeof *out);
    out->mem = kines_mem_new();
    kbuf acc = KBUF_INIT;
    char *token = NULL;
    int rc;
    do {
        json_object *req = json_object_new_object(), *resp = NULL;
        if (token)
            json_add_str(req, "NextToken", token); /* StreamName must then be absent */
        else
            json_add_str(req, "StreamName", name);
        free(token);
        token = NULL;
        rc = json_call(c, "ListShards", req, &resp, err);
        if (rc == 0) {
            collect_shards(out->mem, json_field(resp, "Shards"), &acc);
            const char *next = json_str(resp, "NextToken");
            token = next ? strdup(next) : NULL;
        }
        json_object_put(resp);
    } while (rc == 0 && token);
    out->count = acc.len / sizeof(kines_shard);
    out->shards = kines_mem_take(out->mem, &acc);
    if (rc != 0)
        kines_shard_list_free(out);
    return rc;
}

/* ---- describe ------------------------------------------------------------------------------- */

int kines_describe_stream_summary(kines_client *c, const char *name, kines_stream *out,
                                  kines_error *err)
{
    memset(out, 0, sizeof *out);
    json_object *resp = NULL;
    int rc = json_call(c, "DescribeStreamSummary", stream_request(name), &resp, err);
    if (rc == 0) {
        out->mem = kines_mem_new();
        shape_stream(out->mem, json_field(resp, "StreamDescriptionSummary"), out);
    }
    json_object_put(resp);
    return rc;
}

/* DescribeStream pages through shards with ExclusiveStartShardId while HasMoreShards. */
int kines_describe_stream(kines_client *c, const char *name, kines_stream *out, kines_error *err)
{
    memset(out, 0, sizeof *out);
    out->mem = kines_mem_new();
    kbuf acc = KBUF_INIT;
    bool more = true;
    int rc = 0;
    while (rc == 0 && more) {
        json_object *req = stream_request(name), *resp = NULL;
        size_t have = acc.len / sizeof(kines_shard);
        if (have)
            json_add_str(req, "ExclusiveStartShardId",
                         ((kines_shard *)acc.data)[have - 1].shard_id);
        rc = json_call(c, "DescribeStream", req, &resp, err);
        json_object *d = json_field(resp, "StreamDescription");
        if (rc == 0) {
            shape_stream(out->mem, d, out);
            size_t before = acc.len;
            collect_shards(out->mem, json_field(d, "Shards"), &acc);
            more = json_object_get_boolean(json_field(d, "HasMoreShards")) && acc.len > before;
        }
        json_object_put(resp);
    }
    out->shard_count = acc.len / sizeof(kines_shard);
    out->shards = kines_mem_take(out->mem, &acc);
    if (rc != 0)
        kines_stream_free(out);
    return rc;
}

int kines_wait_stream(kines_client *c, const char *name, bool gone, int timeout_ms,
                      kines_error *err)
{
    int64_t deadline = clock_mono_ns() + (int64_t)timeout_ms * 1000000;
    kines_error e;
    for (;;) {
        kines_stream s;
        int rc = kines_describe_stream_summary(c, name, &s, &e);
        bool done = gone ? rc != 0 && strcmp(e.type, "ResourceNotFoundException") == 0
                         : rc == 0 && s.status && strcmp(s.status, "ACTIVE") == 0;
        kines_stream_free(&s);
        if (done) {
            kines_error_clear(err);
            return 0;
        }
        if (rc != 0) {
            if (err)
                *err = e;
            return rc;
        }
        if (clock_mono_ns() > deadline)
            return kines_fail(err, KINES_ERR_TIMEOUT, "stream %s was not %s within %d ms", name,
                              gone ? "deleted" : "ACTIVE", timeout_ms);
        struct timespec pause = {0, 100 * 1000000L};
        nanosleep(&pause, NULL);
    }
}

int kines_list_streams(kines_client *c, kines_string_list *out, kines_error *err)
{
    memset(out, 0, sizeof *out);
    out->mem = kines_mem_new();
    kbuf acc = KBUF_INIT;
    bool more = true;
    int rc = 0;
    while (rc == 0 && more) {
        json_object *req = json_object_new_object(), *resp = NULL;
        size_t have = acc.len / sizeof(char *);
        if (have)
            json_add_str(req, "ExclusiveStartStreamName", ((char **)acc.data)[have - 1]);
        rc = json_call(c, "ListStreams", req, &resp, err);
        json_object *names = json_field(resp, "StreamNames");
        size_t n = rc == 0 && names ? json_object_array_length(names) : 0;
        for (size_t i = 0; i < n; i++) {
            char *s = kines_mem_strdup(out->mem,
                                       json_object_get_string(json_object_array_get_idx(names, i)));
            kbuf_append(&acc, &s, sizeof s);
        }
        more = rc == 0 && n > 0 && json_object_get_boolean(json_field(resp, "HasMoreStreams"));
        json_object_put(resp);
    }
    out->count = acc.len / sizeof(char *);
    out->items = kines_mem_take(out->mem, &acc);
    if (rc != 0)
        kines_string_list_free(out);
    return rc;
}

/* ---- resharding ----------------------------------------------------------------------------- */

int kines_update_shard_count(kines_client *c, const char *name, int target, kines_error *err)
{
    json_object *req = stream_request(name);
    json_add_int(req, "TargetShardCount", target);
    json_add_str(req, "ScalingType", "UNIFORM_SCALING");
    return json_call(c, "UpdateShardCount", req, NULL, err);
}

int kines_split_shard(kines_client *c, const char *name, const char *shard_id,
                      const char *new_starting_hash_key, kines_error *err)
{
    json_object *req = stream_request(name);
    json_add_str(req, "ShardToSplit", shard_id);
    json_add_str(req, "NewStartingHashKey", new_starting_hash_key);
    return json_call(c, "SplitShard", req, NULL, err);
}

int kines_merge_shards(kines_client *c, const char *name, const char *shard_id,
                       const char *adjacent_shard_id, kines_error *err)
{
    json_object *req = stream_request(name);
    json_add_str(req, "ShardToMerge", shard_id);
    json_add_str(req, "AdjacentShardToMerge", adjacent_shard_id);
    return json_call(c, "MergeShards", req, NULL, err);
}

/* ---- freeing -------------------------------------------------------------------------------- */

void kines_stream_free(kines_stream *s)
{
    kines_mem_free(s->mem);
    memset(s, 0, sizeof *s);
}

void kines_shard_list_free(kines_shard_list *l)
{
    kines_mem_free(l->mem);
    memset(l, 0, sizeof *l);
}

void kines_string_list_free(kines_string_list *l)
{
    kines_mem_free(l->mem);
    memset(l, 0, sizeof *l);
}
