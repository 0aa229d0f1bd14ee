/* ops_consumers.c - enhanced fan-out consumer registration: RegisterStreamConsumer,
 * DescribeStreamConsumer, ListStreamConsumers, DeregisterStreamConsumer. */
#include <string.h>

#include "json.h"
#include "kines/kines.h"
#include "mem.h"
#include "ops_shapes.h"

int kines_register_stream_consumer(kines_client *c, const char *stream_arn, const char *name,
                                   kines_stream_consumer_list *out, kines_error *err)
{
    kines_consumer_ref ref = {.stream_arn = stream_arn, .consumer_name = name};
    return call_and_read(c, "RegisterStreamConsumer", request_for_consumer(&ref), read_consumers,
                         out, sizeof *out, err);
}

int kines_describe_stream_consumer(kines_client *c, const kines_consumer_ref *consumer,
                                   kines_stream_consumer_list *out, kines_error *err)
{
    return call_and_read(c, "DescribeStreamConsumer", request_for_consumer(consumer),
                         read_consumers, out, sizeof *out, err);
}

int kines_deregister_stream_consumer(kines_client *c, const kines_consumer_ref *consumer,
                                     kines_error *err)
{
    return json_call(c, "DeregisterStreamConsumer", request_for_consumer(consumer), NULL, err);
}

int kines_list_stream_consumers(kines_client *c, const char *stream_arn, int max_results,
                                const char *next_token, kines_stream_consumer_list *out,
                                kines_error *err)
{
    json_object *req =
        request_page(request_for_consumer(&(kines_consumer_ref){.stream_arn = stream_arn}),
                     "MaxResults", max_results, next_token);
    return call_and_read(c, "ListStreamConsumers", req, read_consumers, out, sizeof *out, err);
}

void kines_stream_consumer_list_free(kines_stream_consumer_list *l)
{
    kines_mem_free(l->mem);
    memset(l, 0, sizeof *l);
}
