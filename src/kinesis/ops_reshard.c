/* ops_reshard.c - SplitShard, MergeShards and UpdateShardCount.
 *
 * As on AWS, a reshard takes effect when the stream's UPDATING transition ends: until then the
 * parents stay open and take the writes; then they close after their last record (they stay
 * readable) and the children open with creation times above their parents' (registry_change.c).
 * A reshard is planned on a draft of the stream's shards (registry_edit.h's reshard) and
 * committed as one transaction. UpdateShardCount is a sequence of splits and
 * merges, as in AWS: first every open shard is split at each boundary of the target's even
 * ranges that falls inside it, then the pieces of each target range are merged left to right.
 * A boundary within a tiny slack of an existing shard edge counts as that edge, so doubling
 * splits each shard once and halving merges each pair once. Every shard keeps at most two
 * parents, and the short-lived intermediate shards are closed empty. The whole reshard is
 * persisted as one transaction. */
#include <stdlib.h>
#include <string.h>

#include "../core/config.h"
#include "ops.h"
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

/* The draft's copy of the open shard named by the input member; NULL with err set. */
static shard *open_shard(reshard *r, const kval *input, const char *member, aws_error *err)
{
    const char *id = kv_str(input, member);
    stream *s = r->live;
    shard *live = stream_shard_by_id(s, id);
    if (!live) {
        char padded[24];
        shard_id_format(shard_id_index(id), padded);
        fail_shard_not_found(s->name, s->account, padded, err);
        return NULL;
    }
    if (live->closed) {
        aws_error_set(err, 400, "InvalidArgumentException",
                      "Shard %s in stream %s under account %s has already been merged or split, "
                      "and thus is not eligible for merging or splitting.",
                      live->id, s->name, s->account);
        return NULL;
    }
    return reshard_shard(r, live->index);
}

/* Commits a planned reshard in which every shard could be added (ok), or drops it; raises
 * InternalFailure when it cannot be committed. */
static bool commit_reshard(op_call *call, reshard *r, bool ok)
{
    if (ok && reshard_commit(r, call->now_ms) == 0)
        return true;
    if (!ok)
        reshard_abandon(r);
    fail_internal(call->err);
    return false;
}

/* Plans a reshard of the input's stream with plan, which commits it or sets an error (then the
 * draft is dropped here). */
static void reshard_with(op_call *call, bool (*plan)(op_call *, reshard *))
{
    stream *s = reshard_target(call);
    if (!s)
        return;
    reshard r;
    reshard_begin(&r, s);
    if (!plan(call, &r))
        reshard_abandon(&r);
}

/* ---- SplitShard ---------------------------------------------------------------------------- */

static bool valid_split_key(const shard *sh, u128 key)
{
    return key > sh->hash_start && key - sh->hash_start > 1 && key < sh->hash_end;
}

/* InvalidArgumentException for a NewStartingHashKey outside the shard's range. */
static void fail_split_key(op_call *call, const stream *s, const shard *sh, const char *key_text)
{
    char start[U128_DEC_MAX + 1], end[U128_DEC_MAX + 1];
    u128_format(sh->hash_start, start);
    u128_format(sh->hash_end, end);
    aws_error_set(call->err, 400, "InvalidArgumentException",
                  "NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under "
                  "account %s is not both greater than one plus the shard's StartingHashKey "
                  "%s and less than the shard's EndingHashKey %s.",
                  key_text ? key_text : "", sh->id, s->name, s->account, start, end);
}

/* The plans: each checks the request against the draft and either commits a reshard (true, also
 * when the commit failed and set InternalFailure) or sets an error before changing anything
 * (false: the caller drops the draft). */

static bool plan_split(op_call *call, reshard *r)
{
    shard *sh = open_shard(r, call->input, "ShardToSplit", call->err);
    if (!sh)
        return false;
    const char *key_text = kv_str(call->input, "NewStartingHashKey");
    u128 key;
    if (!key_text || !u128_parse(key_text, strlen(key_text), &key) || !valid_split_key(sh, key)) {
        fail_split_key(call, r->live, sh, key_text);
        return false;
    }
    if (!require_shard_room(call->account, call->region, 1, call->err))
        return false;
    if (commit_reshard(call, r, reshard_split(r, sh, key, call->now_ms)))
        write_empty(call->out);
    return true;
}

void op_split_shard(op_call *call)
{
    if (require_shard_id(call, "ShardToSplit"))
        reshard_with(call, plan_split);
}

/* ---- MergeShards --------------------------------------------------------------------------- */

/* AWS merges a pair only in order: ShardToMerge's range ends where AdjacentShardToMerge's
 * begins. */
static bool adjacent(const shard *a, const shard *b)
{
    return a->hash_end != U128_MAX && a->hash_end + 1 == b->hash_start;
}

static bool plan_merge(op_call *call, reshard *r)
{
    shard *a = open_shard(r, call->input, "ShardToMerge", call->err);
    shard *b = a ? open_shard(r, call->input, "AdjacentShardToMerge", call->err) : NULL;
    if (!b)
        return false;
    if (!adjacent(a, b)) {
        aws_error_set(call->err, 400, "InvalidArgumentException",
                      "Shards %s and %s in stream %s under account %s are not an adjacent pair "
                      "of shards eligible for merging",
                      a->id, b->id, r->live->name, r->live->account);
        return false;
    }
    if (commit_reshard(call, r, reshard_merge(r, a, b, call->now_ms) != NULL))
        write_empty(call->out);
    return true;
}

void op_merge_shards(op_call *call)
{
    if (require_shard_id(call, "ShardToMerge") && require_shard_id(call, "AdjacentShardToMerge"))
        reshard_with(call, plan_merge);
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
static bool split_at_boundaries(reshard *r, int target, int64_t now_ms)
{
    for (int i = 0; i < r->draft.shard_count; i++) {
        shard *sh = r->draft.shards[i];
        u128 boundary = sh->closed ? 0 : boundary_to_split(sh, target);
        if (boundary && !reshard_split(r, sh, boundary, now_ms))
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
static bool merge_within_ranges(reshard *r, int target, int64_t now_ms)
{
    const stream *s = &r->draft;
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
            ok = (cur = reshard_merge(r, cur, open[i], now_ms)) != NULL;
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

static void write_shard_count_output(kenc *e, const stream *s, int open, int64_t target)
{
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

static bool plan_shard_count(op_call *call, reshard *r)
{
    int64_t target;
    int open = stream_open_shards(r->live);
    if (!kv_int(call->input, "TargetShardCount", &target) || !target_allowed(call, open, target))
        return false;
    bool ok = split_at_boundaries(r, (int)target, call->now_ms) &&
              merge_within_ranges(r, (int)target, call->now_ms);
    if (commit_reshard(call, r, ok))
        write_shard_count_output(call->out, r->live, open, target);
    return true;
}

void op_update_shard_count(op_call *call)
{
    reshard_with(call, plan_shard_count);
}
