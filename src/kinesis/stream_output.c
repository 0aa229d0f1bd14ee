/* stream_output.c - writing shards, stream modes and monitoring settings (see stream_output.h). */
#include "stream_output.h"

#include <string.h>

#include "seqno.h"

static void write_hash_key(kenc *e, const char *key, u128 v)
{
    char digits[U128_DEC_MAX + 1];
    u128_format(v, digits);
    enc_key(e, key);
    enc_str(e, digits);
}

static void write_seqno(kenc *e, const char *key, const shard *sh, uint64_t position)
{
    char digits[SEQNO_LEN + 1];
    seqno_format(sh->created_ms, sh->index, position, digits);
    enc_key(e, key);
    enc_str(e, digits);
}

void write_shard(kenc *e, const stream *s, const shard *sh)
{
    enc_map_begin(e);
    enc_key(e, "ShardId");
    enc_str(e, sh->id);
    if (sh->parent >= 0) {
        enc_key(e, "ParentShardId");
        enc_str(e, s->shards[sh->parent]->id);
    }
    if (sh->adjacent_parent >= 0) {
        enc_key(e, "AdjacentParentShardId");
        enc_str(e, s->shards[sh->adjacent_parent]->id);
    }
    enc_key(e, "HashKeyRange");
    enc_map_begin(e);
    write_hash_key(e, "StartingHashKey", sh->hash_start);
    write_hash_key(e, "EndingHashKey", sh->hash_end);
    enc_map_end(e);
    enc_key(e, "SequenceNumberRange");
    enc_map_begin(e);
    write_seqno(e, "StartingSequenceNumber", sh, SEQNO_SHARD_START);
    if (sh->closed) /* the last record's position (the start's when the shard has none) */
        write_seqno(e, "EndingSequenceNumber", sh, sh->end_offset);
    enc_map_end(e);
    enc_map_end(e);
}

void write_mode_details(kenc *e, const stream *s)
{
    enc_key(e, "StreamModeDetails");
    enc_map_begin(e);
    enc_key(e, "StreamMode");
    enc_str(e, s->on_demand ? "ON_DEMAND" : "PROVISIONED");
    enc_map_end(e);
}

/* The model's MetricsName enum without "ALL", in its order. */
static const char *const metric_names[] = {"IncomingBytes",
                                           "IncomingRecords",
                                           "OutgoingBytes",
                                           "OutgoingRecords",
                                           "WriteProvisionedThroughputExceeded",
                                           "ReadProvisionedThroughputExceeded",
                                           "IteratorAgeMilliseconds"};
#define METRIC_COUNT (sizeof(metric_names) / sizeof(metric_names[0]))

unsigned metric_bits(const kval *names)
{
    unsigned bits = 0;
    for (size_t i = 0; names && names->type == KV_LIST && i < names->u.list.n; i++) {
        const kval *name = &names->u.list.items[i];
        if (name->type != KV_STRING)
            continue;
        if (strcmp(name->u.s.ptr, "ALL") == 0)
            bits |= (1u << METRIC_COUNT) - 1;
        for (size_t m = 0; m < METRIC_COUNT; m++)
            if (strcmp(name->u.s.ptr, metric_names[m]) == 0)
                bits |= 1u << m;
    }
    return bits;
}

void write_metric_names(kenc *e, unsigned metrics)
{
    enc_list_begin(e);
    for (size_t m = 0; m < METRIC_COUNT; m++)
        if (metrics & (1u << m))
            enc_str(e, metric_names[m]);
    enc_list_end(e);
}

void write_enhanced_monitoring(kenc *e, const stream *s)
{
    enc_key(e, "EnhancedMonitoring");
    enc_list_begin(e);
    enc_map_begin(e);
    enc_key(e, "ShardLevelMetrics");
    write_metric_names(e, s->shard_level_metrics);
    enc_map_end(e);
    enc_list_end(e);
}

void write_empty(kenc *e)
{
    enc_map_begin(e);
    enc_map_end(e);
}
