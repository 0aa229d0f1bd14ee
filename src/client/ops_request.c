/* ops_request.c - building the requests of the typed calls in ops_*.c, and the one path that
 * sends them and reads the answer (see ops_shapes.h). */
#include <string.h>

#include "error.h"
#include "json.h"
#include "ops_shapes.h"

json_object *request_for_stream(const kines_stream_ref *stream)
{
    json_object *req = json_object_new_object();
    json_add_str(req, "StreamName", stream->name);
    json_add_str(req, "StreamARN", stream->arn);
    return req;
}

json_object *request_for_resource(const char *resource_arn)
{
    json_object *req = json_object_new_object();
    json_add_str(req, "ResourceARN", resource_arn);
    return req;
}

json_object *request_for_consumer(const kines_consumer_ref *consumer)
{
    json_object *req = json_object_new_object();
    json_add_str(req, "StreamARN", consumer->stream_arn);
    json_add_str(req, "ConsumerName", consumer->consumer_name);
    json_add_str(req, "ConsumerARN", consumer->consumer_arn);
    return req;
}

static json_object *shard_filter(const kines_list_shards_request *req)
{
    json_object *filter = json_object_new_object();
    json_add_str(filter, "Type", req->filter_type);
    json_add_str(filter, "ShardId", req->filter_shard_id);
    if (req->filter_timestamp > 0)
        json_object_object_add(filter, "Timestamp", json_object_new_double(req->filter_timestamp));
    return filter;
}

/* With a NextToken, AWS refuses StreamName and ExclusiveStartShardId beside it. */
json_object *request_list_shards(const kines_list_shards_request *req)
{
    json_object *j = req->next_token ? json_object_new_object() : request_for_stream(&req->stream);
    json_add_str(j, "NextToken", req->next_token);
    if (!req->next_token) {
        json_add_str(j, "ExclusiveStartShardId", req->exclusive_start_shard_id);
        if (req->filter_type)
            json_object_object_add(j, "ShardFilter", shard_filter(req));
    }
    if (req->max_results > 0)
        json_add_int(j, "MaxResults", req->max_results);
    return j;
}

json_object *request_page(json_object *req, const char *limit_key, int limit,
                          const char *next_token)
{
    if (limit > 0)
        json_add_int(req, limit_key, limit);
    json_add_str(req, "NextToken", next_token);
    return req;
}

json_object *json_string_array(const char *const *items, size_t count)
{
    json_object *list = json_object_new_array();
    for (size_t i = 0; i < count; i++)
        json_object_array_add(list, json_object_new_string(items[i]));
    return list;
}

json_object *json_tag_map(const kines_tag *tags, size_t count)
{
    json_object *map = json_object_new_object();
    for (size_t i = 0; i < count; i++)
        json_add_str(map, tags[i].key, tags[i].value ? tags[i].value : "");
    return map;
}

int call_and_read(kines_client *c, const char *operation, json_object *request, result_reader *read,
                  void *out, size_t out_size, kines_error *err)
{
    if (out)
        memset(out, 0, out_size);
    json_object *resp = NULL;
    int rc = json_call(c, operation, request, out ? &resp : NULL, err);
    if (rc == 0 && out)
        read(resp, out);
    json_object_put(resp);
    return kines_check_memory(err, rc);
}
