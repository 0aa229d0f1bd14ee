/* settings.c - the stream setting calls: retention period, capacity mode, tags (the stream named
 * by name, or by name or ARN in the _ref variants) and their request builders, account limits. */
#include <string.h>

#include "common/buf.h"
#include "gather.h"
#include "json.h"
#include "kines/kines.h"
#include "mem.h"
#include "ops_shapes.h"
#include "settings.h"

int kines_increase_retention(kines_client *c, const char *name, int hours, kines_error *err)
{
    return kines_increase_retention_ref(c, &(kines_stream_ref){.name = name}, hours, err);
}

int kines_decrease_retention(kines_client *c, const char *name, int hours, kines_error *err)
{
    return kines_decrease_retention_ref(c, &(kines_stream_ref){.name = name}, hours, err);
}

int kines_update_stream_mode(kines_client *c, const char *stream_arn, bool on_demand,
                             kines_error *err)
{
    json_object *req = json_object_new_object(), *mode = json_object_new_object();
    json_add_str(req, "StreamARN", stream_arn);
    json_add_str(mode, "StreamMode", on_demand ? "ON_DEMAND" : "PROVISIONED");
    json_object_object_add(req, "StreamModeDetails", mode);
    return json_call(c, "UpdateStreamMode", req, NULL, err);
}

/* ---- tags ----------------------------------------------------------------------------------- */

json_object *request_add_tags(const kines_stream_ref *stream, const kines_tag *tags, size_t count)
{
    json_object *req = request_for_stream(stream);
    json_object_object_add(req, "Tags", json_tag_map(tags, count));
    return req;
}

json_object *request_remove_tags(const kines_stream_ref *stream, const char *const *keys,
                                 size_t count)
{
    json_object *req = request_for_stream(stream);
    json_object_object_add(req, "TagKeys", json_string_array(keys, count));
    return req;
}

json_object *request_list_tags(const kines_stream_ref *stream, const char *exclusive_start_key)
{
    json_object *req = request_for_stream(stream);
    json_add_str(req, "ExclusiveStartTagKey", exclusive_start_key);
    return req;
}

int kines_add_tags_ref(kines_client *c, const kines_stream_ref *stream, const kines_tag *tags,
                       size_t count, kines_error *err)
{
    return json_call(c, "AddTagsToStream", request_add_tags(stream, tags, count), NULL, err);
}

int kines_add_tags(kines_client *c, const char *name, const kines_tag *tags, size_t count,
                   kines_error *err)
{
    return kines_add_tags_ref(c, &(kines_stream_ref){.name = name}, tags, count, err);
}

int kines_remove_tags_ref(kines_client *c, const kines_stream_ref *stream, const char *const *keys,
                          size_t count, kines_error *err)
{
    return json_call(c, "RemoveTagsFromStream", request_remove_tags(stream, keys, count), NULL,
                     err);
}

int kines_remove_tags(kines_client *c, const char *name, const char *const *keys, size_t count,
                      kines_error *err)
{
    return kines_remove_tags_ref(c, &(kines_stream_ref){.name = name}, keys, count, err);
}

static json_object *list_tags_request(const gather *g, const void *last)
{
    return request_list_tags(g->key, last ? ((const kines_tag *)last)->key : NULL);
}

static bool read_tags(const gather *g, json_object *resp, kbuf *acc)
{
    json_object *tags = json_field(resp, "Tags");
    size_t n = tags ? json_object_array_length(tags) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *t = json_object_array_get_idx(tags, i);
        const char *value = json_str(t, "Value");
        kines_tag tag = {kines_mem_strdup(g->mem, json_str(t, "Key")),
                         kines_mem_strdup(g->mem, value ? value : "")};
        kbuf_append(acc, &tag, sizeof tag);
    }
    return json_object_get_boolean(json_field(resp, "HasMoreTags"));
}

/* ListTagsForStream pages with ExclusiveStartTagKey while HasMoreTags. */
int kines_list_tags_ref(kines_client *c, const kines_stream_ref *stream, kines_tag_list *out,
                        kines_error *err)
{
    memset(out, 0, sizeof *out);
    out->mem = kines_mem_new();
    gather g = {.operation = "ListTagsForStream",
                .item_size = sizeof(kines_tag),
                .request = list_tags_request,
                .read_page = read_tags,
                .key = stream,
                .out = out,
                .mem = out->mem};
    int rc;
    out->tags = gather_pages(c, &g, &out->count, &rc, err);
    if (rc != 0)
        kines_tag_list_free(out);
    return rc;
}

int kines_list_tags(kines_client *c, const char *name, kines_tag_list *out, kines_error *err)
{
    return kines_list_tags_ref(c, &(kines_stream_ref){.name = name}, out, err);
}

void kines_tag_list_free(kines_tag_list *l)
{
    kines_mem_free(l->mem);
    memset(l, 0, sizeof *l);
}

int kines_describe_limits(kines_client *c, kines_limits *out, kines_error *err)
{
    json_object *resp = NULL;
    int rc = json_call(c, "DescribeLimits", json_object_new_object(), &resp, err);
    if (rc == 0)
        *out = (kines_limits){(int)json_int(resp, "ShardLimit", 0),
                              (int)json_int(resp, "OpenShardCount", 0),
                              (int)json_int(resp, "OnDemandStreamCount", 0),
                              (int)json_int(resp, "OnDemandStreamCountLimit", 0)};
    json_object_put(resp);
    return rc;
}
