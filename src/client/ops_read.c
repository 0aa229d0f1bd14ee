/* ops_read.c - reading Kinesis result shapes into libkines result structs (see ops_shapes.h).
 * Every string is copied into the result's kines_mem; absent members read as NULL or 0. Out of
 * memory (libkines) an array reads as empty and a string as NULL: the call then fails with
 * KINES_ERR_MEMORY (mem.h). */
#include <string.h>

#include "json.h"
#include "mem.h"
#include "ops_shapes.h"

static size_t array_length(json_object *array)
{
    return array && json_object_is_type(array, json_type_array) ? json_object_array_length(array)
                                                                : 0;
}

/* The strings of a JSON array, as an array in m. */
static const char **read_strings(struct kines_mem *m, json_object *array, size_t *count)
{
    *count = array_length(array);
    const char **items = kines_mem_alloc(m, *count * sizeof *items);
    if (!items)
        *count = 0;
    for (size_t i = 0; i < *count; i++)
        items[i] = kines_mem_strdup(m, json_object_get_string(json_object_array_get_idx(array, i)));
    return items;
}

/* Calls read_one(m, element, slot) for each element of a JSON array into a new array of `size`
 * byte slots in m. */
static void *read_array(struct kines_mem *m, json_object *array, size_t size, size_t *count,
                        void (*read_one)(struct kines_mem *, json_object *, void *))
{
    *count = array_length(array);
    char *items = kines_mem_alloc(m, *count * size);
    if (!items)
        *count = 0;
    for (size_t i = 0; i < *count; i++)
        read_one(m, json_object_array_get_idx(array, i), items + i * size);
    return items;
}

/* ---- streams and shards --------------------------------------------------------------------- */

void shape_shard(struct kines_mem *m, json_object *j, void *slot)
{
    kines_shard *s = slot;
    json_object *hash = json_field(j, "HashKeyRange");
    json_object *seq = json_field(j, "SequenceNumberRange");
    s->shard_id = kines_mem_strdup(m, json_str(j, "ShardId"));
    s->parent_shard_id = kines_mem_strdup(m, json_str(j, "ParentShardId"));
    s->adjacent_parent_shard_id = kines_mem_strdup(m, json_str(j, "AdjacentParentShardId"));
    s->starting_hash_key = kines_mem_strdup(m, json_str(hash, "StartingHashKey"));
    s->ending_hash_key = kines_mem_strdup(m, json_str(hash, "EndingHashKey"));
    s->starting_sequence_number = kines_mem_strdup(m, json_str(seq, "StartingSequenceNumber"));
    s->ending_sequence_number = kines_mem_strdup(m, json_str(seq, "EndingSequenceNumber"));
}

/* StreamDescription, StreamDescriptionSummary and StreamSummary share these members. */
void shape_stream(struct kines_mem *m, json_object *d, void *slot)
{
    kines_stream *s = slot;
    s->name = kines_mem_strdup(m, json_str(d, "StreamName"));
    s->arn = kines_mem_strdup(m, json_str(d, "StreamARN"));
    s->status = kines_mem_strdup(m, json_str(d, "StreamStatus"));
    s->mode = kines_mem_strdup(m, json_str(json_field(d, "StreamModeDetails"), "StreamMode"));
    s->retention_hours = (int)json_int(d, "RetentionPeriodHours", 0);
    s->open_shard_count = (int)json_int(d, "OpenShardCount", 0);
    s->creation_timestamp = json_double(d, "StreamCreationTimestamp", 0);
}

void read_stream_summary(json_object *response, void *out)
{
    kines_stream *s = out;
    s->mem = kines_mem_new();
    shape_stream(s->mem, json_field(response, "StreamDescriptionSummary"), s);
}

void read_stream_description(json_object *response, kines_stream *out, bool *has_more)
{
    json_object *d = json_field(response, "StreamDescription");
    out->mem = kines_mem_new();
    shape_stream(out->mem, d, out);
    out->shards = read_array(out->mem, json_field(d, "Shards"), sizeof(kines_shard),
                             &out->shard_count, shape_shard);
    *has_more = json_object_get_boolean(json_field(d, "HasMoreShards"));
}

void read_shard_page(json_object *response, void *out)
{
    kines_shard_page *p = out;
    p->mem = kines_mem_new();
    p->shards = read_array(p->mem, json_field(response, "Shards"), sizeof(kines_shard), &p->count,
                           shape_shard);
    p->next_token = kines_mem_strdup(p->mem, json_str(response, "NextToken"));
}

/* StreamSummaries when the answer has them, else just the StreamNames. */
void read_stream_page(json_object *response, void *out)
{
    kines_stream_page *p = out;
    p->mem = kines_mem_new();
    json_object *summaries = json_field(response, "StreamSummaries");
    if (summaries) {
        p->streams = read_array(p->mem, summaries, sizeof(kines_stream), &p->count, shape_stream);
    } else {
        const char **names = read_strings(p->mem, json_field(response, "StreamNames"), &p->count);
        p->streams = kines_mem_alloc(p->mem, p->count * sizeof(kines_stream));
        if (!p->streams)
            p->count = 0;
        for (size_t i = 0; i < p->count; i++)
            p->streams[i].name = names[i];
    }
    p->has_more = json_object_get_boolean(json_field(response, "HasMoreStreams"));
    p->next_token = kines_mem_strdup(p->mem, json_str(response, "NextToken"));
}

/* ---- stream features ------------------------------------------------------------------------ */

void read_monitoring(json_object *response, void *out)
{
    kines_monitoring *mon = out;
    mon->mem = kines_mem_new();
    mon->stream_name = kines_mem_strdup(mon->mem, json_str(response, "StreamName"));
    mon->stream_arn = kines_mem_strdup(mon->mem, json_str(response, "StreamARN"));
    mon->current = read_strings(mon->mem, json_field(response, "CurrentShardLevelMetrics"),
                                &mon->current_count);
    mon->desired = read_strings(mon->mem, json_field(response, "DesiredShardLevelMetrics"),
                                &mon->desired_count);
}

void read_warm_throughput(json_object *response, void *out)
{
    kines_warm_throughput *w = out;
    json_object *warm = json_field(response, "WarmThroughput");
    w->mem = kines_mem_new();
    w->stream_name = kines_mem_strdup(w->mem, json_str(response, "StreamName"));
    w->stream_arn = kines_mem_strdup(w->mem, json_str(response, "StreamARN"));
    w->target_mibps = (int)json_int(warm, "TargetMiBps", 0);
    w->current_mibps = (int)json_int(warm, "CurrentMiBps", 0);
}

/* ---- resources ------------------------------------------------------------------------------ */

static void read_tag(struct kines_mem *m, json_object *j, void *slot)
{
    kines_tag *t = slot;
    const char *value = json_str(j, "Value");
    t->key = kines_mem_strdup(m, json_str(j, "Key"));
    t->value = kines_mem_strdup(m, value ? value : "");
}

void read_resource_tags(json_object *response, void *out)
{
    kines_tag_list *l = out;
    l->mem = kines_mem_new();
    l->tags =
        read_array(l->mem, json_field(response, "Tags"), sizeof(kines_tag), &l->count, read_tag);
}

/* ---- consumers and account ------------------------------------------------------------------ */

static void read_consumer(struct kines_mem *m, json_object *j, void *slot)
{
    kines_stream_consumer *c = slot;
    c->name = kines_mem_strdup(m, json_str(j, "ConsumerName"));
    c->arn = kines_mem_strdup(m, json_str(j, "ConsumerARN"));
    c->status = kines_mem_strdup(m, json_str(j, "ConsumerStatus"));
    c->stream_arn = kines_mem_strdup(m, json_str(j, "StreamARN"));
    c->creation_timestamp = json_double(j, "ConsumerCreationTimestamp", 0);
}

void read_consumers(json_object *response, void *out)
{
    kines_stream_consumer_list *l = out;
    json_object *one = json_field(response, "Consumer");
    if (!one)
        one = json_field(response, "ConsumerDescription");
    l->mem = kines_mem_new();
    if (one) {
        l->consumers = kines_mem_alloc(l->mem, sizeof *l->consumers);
        l->count = l->consumers ? 1 : 0;
        if (l->consumers)
            read_consumer(l->mem, one, l->consumers);
    } else {
        l->consumers = read_array(l->mem, json_field(response, "Consumers"),
                                  sizeof(kines_stream_consumer), &l->count, read_consumer);
    }
    l->next_token = kines_mem_strdup(l->mem, json_str(response, "NextToken"));
}

void read_account_settings(json_object *response, void *out)
{
    kines_account_settings *s = out;
    json_object *commitment = json_field(response, "MinimumThroughputBillingCommitment");
    s->mem = kines_mem_new();
    s->status = kines_mem_strdup(s->mem, json_str(commitment, "Status"));
    s->started_at = json_double(commitment, "StartedAt", 0);
    s->ended_at = json_double(commitment, "EndedAt", 0);
    s->earliest_allowed_end_at = json_double(commitment, "EarliestAllowedEndAt", 0);
}
