/* ops_shapes.h - the request builders and result readers behind the typed calls in ops_*.c:
 * Kinesis shapes (Shard, StreamDescription, Consumer, ...) to and from json-c objects, kept apart
 * from the sending so that unit tests can check both without a server. */
#ifndef KINES_CLIENT_OPS_SHAPES_H
#define KINES_CLIENT_OPS_SHAPES_H

#include <json-c/json.h>

#include "kines/kines.h"

struct kines_mem;

/* ---- requests (each returns a new object the caller owns) ----------------------------------- */

json_object *request_for_stream(const kines_stream_ref *stream); /* StreamName and/or StreamARN */
json_object *request_for_resource(const char *resource_arn);     /* ResourceARN */
json_object *request_for_consumer(const kines_consumer_ref *consumer);
json_object *request_list_shards(const kines_list_shards_request *req);
/* Adds a page request to req: limit_key (Limit, MaxResults) when limit > 0, and NextToken. */
json_object *request_page(json_object *req, const char *limit_key, int limit,
                          const char *next_token);
json_object *json_string_array(const char *const *items, size_t count);
json_object *json_tag_map(const kines_tag *tags, size_t count);

/* ---- results -------------------------------------------------------------------------------- */

/* A reader fills `out` (a result struct, zeroed, with its own kines_mem) from a response. */
typedef void result_reader(json_object *response, void *out);

result_reader read_stream_summary;   /* kines_stream from DescribeStreamSummary */
result_reader read_shard_page;       /* kines_shard_page from ListShards */
result_reader read_stream_page;      /* kines_stream_page from ListStreams */
result_reader read_monitoring;       /* kines_monitoring from Enable/DisableEnhancedMonitoring */
result_reader read_warm_throughput;  /* kines_warm_throughput from UpdateStreamWarmThroughput */
result_reader read_resource_tags;    /* kines_tag_list from ListTagsForResource */
result_reader read_consumers;        /* kines_stream_consumer_list: Consumer, ConsumerDescription
                                        or Consumers */
result_reader read_account_settings; /* kines_account_settings */

/* One Shard (into a kines_shard) and the stream members StreamDescription, StreamDescriptionSummary
 * and StreamSummary share (into a kines_stream), copied into m. */
void shape_shard(struct kines_mem *m, json_object *shard, void *out);
void shape_stream(struct kines_mem *m, json_object *stream, void *out);

/* kines_stream from one DescribeStream page; *has_more is HasMoreShards. */
void read_stream_description(json_object *response, kines_stream *out, bool *has_more);

/* Sends `request` (consumed) as operation; on success fills out (out_size bytes, may be NULL)
 * with `read`. On failure out is left zeroed, so that its free function is harmless. */
int call_and_read(kines_client *c, const char *operation, json_object *request, result_reader *read,
                  void *out, size_t out_size, kines_error *err);

#endif
