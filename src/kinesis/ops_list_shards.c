/* ops_list_shards.c - ListShards: a stream's shards, filtered and paged.
 *
 * Shards are listed in index order. Which shards a listing includes is decided by the ShardFilter
 * (FROM_TRIM_HORIZON when absent) from the shards' open and close times: a shard opens at its
 * creation and closes when its children are created. A page ends after MaxResults shards with a
 * NextToken that carries the stream, the last index listed and the filter. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "next_token.h"
#include "ops.h"
#include "ops_util.h"
#include "registry_edit.h"

#define LIST_SHARDS_MAX_RESULTS 1000 /* the default, and the most one page holds */

typedef enum {
    FILTER_FROM_TRIM_HORIZON,
    FILTER_AT_TRIM_HORIZON,
    FILTER_AFTER_SHARD_ID,
    FILTER_AT_LATEST,
    FILTER_AT_TIMESTAMP,
    FILTER_FROM_TIMESTAMP,
} filter_type;

static const char *const filter_names[] = {"FROM_TRIM_HORIZON", "AT_TRIM_HORIZON",
                                           "AFTER_SHARD_ID",    "AT_LATEST",
                                           "AT_TIMESTAMP",      "FROM_TIMESTAMP"};

/* Where a listing stands: the stream, the last index already listed, and the filter. */
typedef struct listing {
    uint64_t uid;
    int after_index; /* -1: from the first shard */
    filter_type filter;
    int64_t filter_ms; /* AT_TIMESTAMP, FROM_TIMESTAMP */
} listing;

static void invalid(aws_error *err, const char *message)
{
    aws_error_set(err, 400, "InvalidArgumentException", "%s", message);
}

static bool parse_filter(const kval *f, const stream *s, listing *l, aws_error *err)
{
    const char *type = kv_str(f, "Type");
    size_t n = sizeof(filter_names) / sizeof(filter_names[0]);
    size_t t = 0;
    while (t < n && strcmp(filter_names[t], type ? type : "") != 0)
        t++;
    if (t == n) {
        invalid(err, "ShardFilter Type is invalid.");
        return false;
    }
    l->filter = (filter_type)t;
    const char *shard_id = kv_str(f, "ShardId");
    const kval *ts = kv_get(f, "Timestamp");
    if ((l->filter == FILTER_AFTER_SHARD_ID) != (shard_id != NULL)) {
        invalid(err, "ShardId must be given exactly when the ShardFilter type is AFTER_SHARD_ID.");
        return false;
    }
    bool wants_ts = l->filter == FILTER_AT_TIMESTAMP || l->filter == FILTER_FROM_TIMESTAMP;
    if (wants_ts != (ts != NULL)) {
        invalid(err, "Timestamp must be given exactly when the ShardFilter type is AT_TIMESTAMP "
                     "or FROM_TIMESTAMP.");
        return false;
    }
    if (ts)
        l->filter_ms = ts->u.i;
    if (shard_id) {
        const shard *sh = stream_shard_by_id(s, shard_id);
        l->after_index = sh ? sh->index : s->shard_count;
    }
    return true;
}

static void parse_exclusive_start(const char *start, const stream *s, listing *l)
{
    if (!start)
        return;
    const shard *sh = stream_shard_by_id(s, start);
    int index = sh ? sh->index : s->shard_count;
    if (index > l->after_index)
        l->after_index = index;
}

/* The stream named in the request; NULL with err set. */
static stream *resolve_checked(op_call *call)
{
    stream *s = registry_resolve(call->input, call->account, call->region, call->err);
    if (!s)
        return NULL;
    const kval *created = kv_get(call->input, "StreamCreationTimestamp");
    if (created && created->u.i / 1000 != s->created_ms / 1000) {
        aws_error_set(call->err, 400, "ResourceNotFoundException",
                      "Stream %s under account %s not found.", s->name, s->account);
        return NULL;
    }
    if (s->status == STREAM_CREATING && !require_active(s, call->err))
        return NULL;
    return s;
}

static stream *listing_from_request(op_call *call, listing *l)
{
    stream *s = resolve_checked(call);
    if (!s)
        return NULL;
    l->uid = s->uid;
    l->after_index = -1;
    l->filter = FILTER_FROM_TRIM_HORIZON;
    const kval *filter = kv_get(call->input, "ShardFilter");
    if (filter && !parse_filter(filter, s, l, call->err))
        return NULL;
    parse_exclusive_start(kv_str(call->input, "ExclusiveStartShardId"), s, l);
    return s;
}

/* The listing a NextToken continues. AWS documents StreamName, ExclusiveStartShardId and
 * StreamCreationTimestamp as refused beside a token; StreamARN and ShardFilter are ignored (the
 * token already names the stream and the filter). */
static stream *listing_from_token(op_call *call, const char *token, listing *l)
{
    static const char *const not_with_token[] = {"StreamName", "ExclusiveStartShardId",
                                                 "StreamCreationTimestamp"};
    for (size_t i = 0; i < sizeof(not_with_token) / sizeof(not_with_token[0]); i++)
        if (kv_get(call->input, not_with_token[i])) {
            aws_error_set(call->err, 400, "InvalidArgumentException",
                          "NextToken and %s cannot be provided together.", not_with_token[i]);
            return NULL;
        }
    const char *payload = next_token_read(call->arena, token, call->now_ms, call->err);
    if (!payload)
        return NULL;
    unsigned long long uid;
    int filter;
    long long filter_ms;
    if (sscanf(payload, "%llu:%d:%d:%lld", &uid, &l->after_index, &filter, &filter_ms) != 4 ||
        filter < 0 || filter > FILTER_FROM_TIMESTAMP) {
        aws_error_set(call->err, 400, "InvalidArgumentException", "Invalid NextToken: %s", token);
        return NULL;
    }
    l->uid = uid;
    l->filter = (filter_type)filter;
    l->filter_ms = filter_ms;
    stream *s = registry_find_uid(uid);
    if (!s || strcmp(s->account, call->account) != 0 || strcmp(s->region, call->region) != 0) {
        aws_error_set(call->err, 400, "ResourceNotFoundException",
                      "The stream of NextToken under account %s was not found.", call->account);
        return NULL;
    }
    return s;
}

static int64_t max_ms(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* Whether the filter includes the shard, given the trim horizon's time. */
static bool listed(const stream *s, const shard *sh, const listing *l, int64_t horizon_ms)
{
    int64_t closed_ms = shard_closed_ms(s, sh);
    switch (l->filter) {
    case FILTER_AT_LATEST:
        return !sh->closed;
    case FILTER_AT_TRIM_HORIZON: {
        int64_t at = max_ms(horizon_ms, s->created_ms);
        return sh->created_ms <= at && closed_ms >= at;
    }
    case FILTER_AT_TIMESTAMP: {
        int64_t at = max_ms(l->filter_ms, s->created_ms);
        return sh->created_ms <= at && closed_ms >= at;
    }
    case FILTER_FROM_TIMESTAMP:
        return closed_ms >= max_ms(l->filter_ms, horizon_ms);
    case FILTER_FROM_TRIM_HORIZON:
    case FILTER_AFTER_SHARD_ID:
        break;
    }
    return closed_ms >= horizon_ms;
}

static const char *token_for(op_call *call, const listing *l, int last_index)
{
    char payload[128];
    snprintf(payload, sizeof(payload), "%llu:%d:%d:%" PRId64, (unsigned long long)l->uid,
             last_index, (int)l->filter, l->filter_ms);
    return next_token_make(call->arena, call->now_ms, payload);
}

static void write_listing(op_call *call, const stream *s, const listing *l)
{
    int64_t max = page_limit(call->input, "MaxResults", LIST_SHARDS_MAX_RESULTS);
    int64_t horizon_ms = call->now_ms - (int64_t)s->retention_hours * 3600 * 1000;
    int64_t written = 0;
    int last = -1;
    bool more = false;
    kenc *e = call->out;
    enc_map_begin(e);
    enc_key(e, "Shards");
    enc_list_begin(e);
    for (int i = l->after_index + 1; i < s->shard_count; i++) {
        if (!listed(s, s->shards[i], l, horizon_ms))
            continue;
        if (written == max) {
            more = true;
            break;
        }
        write_shard(e, s, s->shards[i]);
        written++;
        last = i;
    }
    enc_list_end(e);
    if (more) {
        enc_key(e, "NextToken");
        enc_str(e, token_for(call, l, last));
    }
    enc_map_end(e);
}

void op_list_shards(op_call *call)
{
    const char *token = kv_str(call->input, "NextToken");
    listing l = {0};
    stream *s = token ? listing_from_token(call, token, &l) : listing_from_request(call, &l);
    if (s)
        write_listing(call, s, &l);
}
