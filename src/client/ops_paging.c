/* ops_paging.c - streams named by name or ARN, read one page at a time: DescribeStreamSummary,
 * DescribeStream (Limit, ExclusiveStartShardId), ListShards and ListStreams (NextToken). */
#include <string.h>

#include "error.h"
#include "json.h"
#include "kines/kines.h"
#include "mem.h"
#include "ops_shapes.h"

int kines_describe_stream_summary_ref(kines_client *c, const kines_stream_ref *stream,
                                      kines_stream *out, kines_error *err)
{
    return call_and_read(c, "DescribeStreamSummary", request_for_stream(stream),
                         read_stream_summary, out, sizeof *out, err);
}

int kines_describe_stream_page(kines_client *c, const kines_stream_ref *stream, int limit,
                               const char *exclusive_start_shard_id, kines_stream *out,
                               bool *has_more, kines_error *err)
{
    memset(out, 0, sizeof *out);
    *has_more = false;
    json_object *req = request_for_stream(stream), *resp = NULL;
    if (limit > 0)
        json_add_int(req, "Limit", limit);
    json_add_str(req, "ExclusiveStartShardId", exclusive_start_shard_id);
    int rc = json_call(c, "DescribeStream", req, &resp, err);
    if (rc == 0)
        read_stream_description(resp, out, has_more);
    json_object_put(resp);
    return kines_check_memory(err, rc);
}

int kines_list_shards_page(kines_client *c, const kines_list_shards_request *req,
                           kines_shard_page *out, kines_error *err)
{
    return call_and_read(c, "ListShards", request_list_shards(req), read_shard_page, out,
                         sizeof *out, err);
}

void kines_shard_page_free(kines_shard_page *p)
{
    kines_mem_free(p->mem);
    memset(p, 0, sizeof *p);
}

int kines_list_streams_page(kines_client *c, int limit, const char *next_token,
                            kines_stream_page *out, kines_error *err)
{
    json_object *req = request_page(json_object_new_object(), "Limit", limit, next_token);
    return call_and_read(c, "ListStreams", req, read_stream_page, out, sizeof *out, err);
}

void kines_stream_page_free(kines_stream_page *p)
{
    kines_mem_free(p->mem);
    memset(p, 0, sizeof *p);
}
