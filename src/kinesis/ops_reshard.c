/* ops_reshard.c - SplitShard, MergeShards and UpdateShardCount.
 *
 * A reshard takes effect at once: the parents close after their last appended record (they stay
 * readable), the children open with creation times above their parents', and the stream is
 * UPDATING for the configured transition time. UpdateShardCount is a sequence of splits and
 * merges, as in AWS: first every open shard is split at each boundary of the target's even
 * ranges that falls inside it, then the pieces of each target range are merged left to right.
 * A boundary within a tiny slack of an existing shard edge counts as that edge, so doubling
 * splits each shard once and halving merges each pair once. Every shard keeps at most two
 * parents, and the short-lived intermediate shards are closed empty. The whole reshard is
 * persisted as one transaction. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ops_streams.h"
#include "ops_util.h"
#include "registry_edit.h"

/* The stream to reshard: it must exist, be PROVISIONED and be ACTIVE. NULL with err set. */
static stream *reshard_target(op_call *call)
{
    stream *s = registry_resolve(call->input, call->account, call->region, call->err);
    if (!s || !require_provisioned(s, call->operation, call->err) || !require_active(s, call->err))
        return NULL;
    return s;
}

/* The open shard named by the input member; NULL with err set. */
static shard *open_shard(stream *s, const kval *input, const char *member, aws_error *err)
{
    const char *id = kv_str(input, member);
    shard *sh = id ? stream_shard_by_id(s, id) : NULL;
    if (!sh) {
        fail_shard_not_found(s, id ? id : "", err);
        return NULL;
    }
    if (sh->closed) {
        aws_error_set(err, 400, "InvalidArgumentException",
                      "Shard %s in stream %s under account %s has already been merged or split, "
                      "and thus is not eligible for merging or splitting.",
                      sh->id, s->name, s->account);
        return NULL;
    }
    return sh;
}

/* Closes sh and adds its children [start, key-1] and [key, end]. */
static bool split(stream *s, shard *sh, u128 key, int64_t now_ms)
{
    u128 start = sh->hash_start, end = sh->hash_end;
    shard_close(sh);
    return stream_add_shard(s, start, key - 1, sh->index, -1, now_ms) &&
           stream_add_shard(s, key, end, sh->index, -1, now_ms);
}

/* Closes a and b (adjacent) and adds the child covering both; NULL on error. */
static shard *merge(stream *s, shard *a, shard *b, int64_t now_ms)
{
    u128 start = a->hash_start < b->hash_start ? a->hash_start : b->hash_start;
    u128 end = a->hash_end > b->hash_end ? a->hash_end : b->hash_end;
    shard_close(a);
    shard_close(b);
    return stream_add_shard(s, start, end, a->index, b->index, now_ms);
}

/* Persists a reshard in which every shard could be added (ok), or takes it back. */
static bool commit_reshard(op_call *call, stream *s, const stream_undo *undo, bool ok)
{
    if (ok)
        return commit_change(call, s, undo, true);
    abandon_change(call, s, undo);
    return false;
}

/* ---- SplitShard ---------------------------------------------------------------------------- */

static bool valid_split_key(const shard *sh, u128 key)
{
    return key > sh->hash_start && key - sh->hash_start > 1 && key < sh->hash_end;
}

static void split_shard(op_call *call)
{
    stream *s = reshard_target(call);
    shard *sh = s ? open_shard(s, call->input, "ShardToSplit", call->err) : NULL;
    if (!sh)
        return;
    const char *key_text = kv_str(call->input, "NewStartingHashKey");
    u128 key;
    if (!key_text || !u128_parse(key_text, strlen(key_text), &key) || !valid_split_key(sh, key)) {
        char start[U128_DEC_MAX + 1], end[U128_DEC_MAX + 1];
        u128_format(sh->hash_start, start);
        u128_format(sh->hash_end, end);
        aws_error_set(call->err, 400, "InvalidArgumentException",
                      "NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under "
                      "account %s is not both greater than one plus the shard's StartingHashKey "
                      "%s and less than the shard's EndingHashKey %s.",
                      key_text ? key_text : "", sh->id, s->name, s->account, start, end);
        return;
    }
    if (!require_shard_room(call->account, call->region, 1, call->err))
        return;
    stream_undo undo;
    stream_undo_begin(s, &undo);
    if (commit_reshard(call, s, &undo, split(s, sh, key, call->now_ms)))
        write_empty(call->out);
}

void op_split_shard(op_call *call)
{
    with_write_lock(call, split_shard);
}

/* ---- MergeShards --------------------------------------------------------------------------- */

static bool adjacent(const shard *a, const shard *b)
{
    return (a->hash_end != U128_MAX && a->hash_end + 1 == b->hash_start) ||
           (b->hash_end != U128_MAX && b->hash_end + 1 == a->hash_start);
}

static void merge_shards(op_call *call)
{
    stream *s = reshard_target(call);
    shard *a = s ? open_shard(s, call->input, "ShardToMerge", call->err) : NULL;
    shard *b = a ? open_shard(s, call->input, "AdjacentShardToMerge", call->err) : NULL;
    if (!b)
        return;
    if (!adjacent(a, b)) {
        aws_error_set(call->err, 400, "InvalidArgumentException",
                      "Shards %s and %s in stream %s under account %s are not an adjacent pair "
                      "of shards eligible for merging",
                      a->id, b->id, s->name, s->account);
        return;
    }
    stream_undo undo;
    stream_undo_begin(s, &undo);
    if (commit_reshard(call, s, &undo, merge(s, a, b, call->now_ms) != NULL))
        write_empty(call->out);
}

void op_merge_shards(op_call *call)
{
    with_write_lock(call, merge_shards);
}

/* ---- UpdateShardCount ---------------------------------------------------------------------- */

/* How far a target boundary may lie from an existing shard edge and still count as that edge.
 * Even boundaries of different counts that mean the same fraction of the key space differ by
 * rounding only: k * floor(2^128 / n) is below k * 2^128 / n by less than n < 2^31 keys. A
 * slack of 2^32 keys absorbs that, so resharding never splits off a sliver of a few keys only
 * to merge it back, and it is still a vanishing part (2^-96) of the key space. */
#define EDGE_SLACK ((u128)1 << 32)

/* The first key of even range k of n. */
static u128 even_start(int k, int n)
{
    u128 start, end;
    hash_range_even(k, n, &start, &end);
    return start;
}

/* Which of n even ranges holds key. */
static int even_range_of(u128 key, int n)
{
    if (n == 1)
        return 0;
    u128 k = key / even_start(1, n);
    return k >= (u128)n ? n - 1 : (int)k;
}

/* The target range a shard belongs to: the one holding its middle key. */
static int target_range_of(const shard *sh, int target)
{
    return even_range_of(sh->hash_start + (sh->hash_end - sh->hash_start) / 2, target);
}

/* The first target boundary inside sh that is more than EDGE_SLACK from both of its edges, or 0
 * when there is none (0 is never a boundary). Boundaries nearer an edge count as that edge. */
static u128 boundary_to_split(const shard *sh, int target)
{
    if (sh->hash_start > U128_MAX - EDGE_SLACK)
        return 0;
    int k = even_range_of(sh->hash_start + EDGE_SLACK, target) + 1;
    if (k >= target)
        return 0;
    u128 boundary = even_start(k, target);
    return boundary <= sh->hash_end && sh->hash_end - boundary >= EDGE_SLACK ? boundary : 0;
}

/* Splits every open shard at the target boundaries inside it (children are visited too). */
static bool split_at_boundaries(stream *s, int target, int64_t now_ms)
{
    for (int i = 0; i < s->shard_count; i++) {
        shard *sh = s->shards[i];
        u128 boundary = sh->closed ? 0 : boundary_to_split(sh, target);
        if (boundary && !split(s, sh, boundary, now_ms))
            return false;
    }
    return true;
}

static int by_hash_start(const void *a, const void *b)
{
    const shard *x = *(shard *const *)a, *y = *(shard *const *)b;
    return x->hash_start < y->hash_start ? -1 : x->hash_start > y->hash_start;
}

/* Merges, left to right, the open shards that belong to the same target range. */
static bool merge_within_ranges(stream *s, int target, int64_t now_ms)
{
    int n = 0;
    shard **open = malloc((size_t)s->shard_count * sizeof(*open));
    if (!open)
        abort();
    for (int i = 0; i < s->shard_count; i++)
        if (!s->shards[i]->closed)
            open[n++] = s->shards[i];
    qsort(open, (size_t)n, sizeof(*open), by_hash_start);
    bool ok = true;
    shard *cur = n ? open[0] : NULL;
    int cur_range = n ? target_range_of(cur, target) : 0;
    for (int i = 1; ok && i < n; i++) {
        int range = target_range_of(open[i], target);
        if (range != cur_range) {
            cur = open[i];
            cur_range = range;
        } else {
            ok = (cur = merge(s, cur, open[i], now_ms)) != NULL;
        }
    }
    free(open);
    return ok;
}

/* LimitExceededException unless target is within AWS's bounds; false when raised. */
static bool target_allowed(op_call *call, int open, int64_t target)
{
    const char *why = NULL;
    if (target > 2 * (int64_t)open)
        why = "UpdateShardCount cannot scale up over double your current open shard count.";
    else if (2 * target < open)
        why = "UpdateShardCount cannot scale down below half your current open shard count.";
    if (why) {
        aws_error_set(call->err, 400, "LimitExceededException",
                      "%s Current open shard count: %d, Target shard count: %lld", why, open,
                      (long long)target);
        return false;
    }
    if (registry_open_shards(call->account, call->region) - open + target <= kinesd_cfg.shard_limit)
        return true;
    aws_error_set(call->err, 400, "LimitExceededException",
                  "Target shard count or number of open shards cannot be greater than %d. "
                  "Current open shard count: %d, Target shard count: %lld",
                  kinesd_cfg.shard_limit, open, (long long)target);
    return false;
}

static void update_shard_count(op_call *call)
{
    stream *s = reshard_target(call);
    int64_t target;
    if (!s || !kv_int(call->input, "TargetShardCount", &target))
        return;
    int open = stream_open_shards(s);
    if (!target_allowed(call, open, target))
        return;
    stream_undo undo;
    stream_undo_begin(s, &undo);
    bool ok = split_at_boundaries(s, (int)target, call->now_ms) &&
              merge_within_ranges(s, (int)target, call->now_ms);
    if (!commit_reshard(call, s, &undo, ok))
        return;
    kenc *e = call->out;
    enc_map_begin(e);
    enc_key(e, "StreamName");
    enc_str(e, s->name);
    enc_key(e, "CurrentShardCount");
    enc_int(e, open);
    enc_key(e, "TargetShardCount");
    enc_int(e, target);
    enc_key(e, "StreamARN");
    enc_str(e, s->arn);
    enc_map_end(e);
}

void op_update_shard_count(op_call *call)
{
    with_write_lock(call, update_shard_count);
}
