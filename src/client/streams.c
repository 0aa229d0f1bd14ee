/* streams.c - the stream management calls: create, delete, describe, wait, list, reshard. */
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/oom.h"
#include "error.h"
#include "gather.h"
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
    return kines_delete_stream_ref(c, &(kines_stream_ref){.name = name}, err);
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
            token = next ? oom_strdup(next) : NULL;
        }
        json_object_put(resp);
    } while (rc == 0 && token);
    free(token);
    out->shards = kines_mem_take(out->mem, &acc, sizeof(kines_shard), &out->count);
    rc = kines_check_memory(err, rc);
    if (rc != 0)
        kines_shard_list_free(out);
    return rc;
}

/* ---- describe ------------------------------------------------------------------------------- */

int kines_describe_stream_summary(kines_client *c, const char *name, kines_stream *out,
                                  kines_error *err)
{
    return kines_describe_stream_summary_ref(c, &(kines_stream_ref){.name = name}, out, err);
}

static json_object *describe_request(const gather *g, const void *last)
{
    json_object *req = stream_request(g->key);
    if (last)
        json_add_str(req, "ExclusiveStartShardId", ((const kines_shard *)last)->shard_id);
    return req;
}

static bool read_description(const gather *g, json_object *resp, kbuf *acc)
{
    json_object *d = json_field(resp, "StreamDescription");
    shape_stream(g->mem, d, g->out);
    collect_shards(g->mem, json_field(d, "Shards"), acc);
    return json_object_get_boolean(json_field(d, "HasMoreShards"));
}

/* DescribeStream pages through shards with ExclusiveStartShardId while HasMoreShards. */
int kines_describe_stream(kines_client *c, const char *name, kines_stream *out, kines_error *err)
{
    memset(out, 0, sizeof *out);
    out->mem = kines_mem_new();
    gather g = {.operation = "DescribeStream",
                .item_size = sizeof(kines_shard),
                .request = describe_request,
                .read_page = read_description,
                .key = name,
                .out = out,
                .mem = out->mem};
    int rc;
    out->shards = gather_pages(c, &g, &out->shard_count, &rc, err);
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

static json_object *list_streams_request(const gather *g, const void *last)
{
    (void)g;
    json_object *req = json_object_new_object();
    if (last)
        json_add_str(req, "ExclusiveStartStreamName", *(char *const *)last);
    return req;
}

static bool read_stream_names(const gather *g, json_object *resp, kbuf *acc)
{
    json_object *names = json_field(resp, "StreamNames");
    size_t n = names ? json_object_array_length(names) : 0;
    for (size_t i = 0; i < n; i++) {
        char *s =
            kines_mem_strdup(g->mem, json_object_get_string(json_object_array_get_idx(names, i)));
        kbuf_append(acc, &s, sizeof s);
    }
    return json_object_get_boolean(json_field(resp, "HasMoreStreams"));
}

/* ListStreams pages with ExclusiveStartStreamName while HasMoreStreams. */
int kines_list_streams(kines_client *c, kines_string_list *out, kines_error *err)
{
    memset(out, 0, sizeof *out);
    out->mem = kines_mem_new();
    gather g = {.operation = "ListStreams",
                .item_size = sizeof(char *),
                .request = list_streams_request,
                .read_page = read_stream_names,
                .out = out,
                .mem = out->mem};
    int rc;
    out->items = gather_pages(c, &g, &out->count, &rc, err);
    if (rc != 0)
        kines_string_list_free(out);
    return rc;
}

/* ---- resharding ----------------------------------------------------------------------------- */

int kines_update_shard_count(kines_client *c, const char *name, int target, kines_error *err)
{
    return kines_update_shard_count_ref(c, &(kines_stream_ref){.name = name}, target, err);
}

int kines_split_shard(kines_client *c, const char *name, const char *shard_id,
                      const char *new_starting_hash_key, kines_error *err)
{
    return kines_split_shard_ref(c, &(kines_stream_ref){.name = name}, shard_id,
                                 new_starting_hash_key, err);
}

int kines_merge_shards(kines_client *c, const char *name, const char *shard_id,
                       const char *adjacent_shard_id, kines_error *err)
{
    return kines_merge_shards_ref(c, &(kines_stream_ref){.name = name}, shard_id, adjacent_shard_id,
                                  err);
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
