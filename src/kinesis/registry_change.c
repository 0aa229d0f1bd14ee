/* registry_change.c - the changes the Kinesis control thread makes to the registry (see
 * registry_edit.h): creating, updating, resharding and deleting streams, and the tick that ends
 * their transitions and applies retention.
 *
 * Every change is: disk work first (shard logs, then one meta.sqlite transaction), then publishing
 * under registry_lock held exclusively for in-memory assignments only. Loop threads appending or
 * reading under the shared lock therefore wait at most for a pointer swap, never for a disk.
 *
 * A reshard's children are committed as pending (the stream UPDATING) and published beside the
 * stream's shards; they take no records until the transition ends. Then, under the lock, the
 * parents close where their logs end (no append is in flight: appends hold the lock shared) and
 * the children join the shards; after the lock, the parents' records are made durable and the
 * outcome committed. A crash in between leaves the reshard pending in meta.sqlite: the next
 * start finishes it, closing each parent where its recovered log ends. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/clock.h"
#include "../common/log.h"
#include "../store/fsutil.h"
#include "../core/config.h"
#include "access.h"
#include "consumer.h"
#include "registry_internal.h"

#define RETENTION_PERIOD_MS 1000 /* how often the tick applies retention */
#define RETRY_MS 1000            /* a transition that could not be committed is retried after */

static int64_t last_retention_ms; /* on registry_deadline_clock */

int64_t (*registry_deadline_clock)(void) = clock_mono_ms;

int64_t registry_transition_deadline(void)
{
    return registry_deadline_clock() +
           (kinesd_cfg.transition_ms > 0 ? kinesd_cfg.transition_ms : 0);
}

/* ---- committing -------------------------------------------------------------------------- */

/* The stream's row and all its shards' rows (the pending ones as pending). */
static int put_stream_rows(meta *m, const stream *s)
{
    int rc = meta_put_stream(m, s);
    for (int i = 0; rc == 0 && i < s->shard_count; i++)
        rc = meta_put_shard(m, s->uid, s->shards[i], false);
    for (int i = 0; rc == 0 && i < s->pending_count; i++)
        rc = meta_put_shard(m, s->uid, s->pending[i], true);
    return rc;
}

int registry_put_tags(meta *m, const tag_owner *o, const kval *tags)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && tags && tags->type == KV_MAP && i < tags->u.map.n; i++) {
        const kval *v = &tags->u.map.vals[i];
        rc = meta_tag_put(m, o, tags->u.map.keys[i], v->type == KV_STRING ? v->u.s.ptr : "");
    }
    return rc;
}

/* Copies src's settings and status into dst, keeping dst's shards. Caller holds the lock. */
static void assign_settings(stream *dst, const stream *src)
{
    shard **shards = dst->shards, **pending = dst->pending;
    int count = dst->shard_count, pending_count = dst->pending_count;
    *dst = *src;
    dst->shards = shards;
    dst->pending = pending;
    dst->shard_count = count;
    dst->pending_count = pending_count;
}

static void write_lock(void)
{
    pthread_rwlock_wrlock(&registry_lock);
}

/* ---- CreateStream -------------------------------------------------------------------------- */

/* Makes streams/<uid>/ with its CREATING_MARKER, both durable. */
static int make_stream_dir(uint64_t uid)
{
    kbuf path = KBUF_INIT;
    stream_dir_path(uid, CREATING_MARKER, &path);
    int rc = -1;
    char *slash = strrchr(path.data, '/');
    *slash = '\0';
    if (fs_mkdirs(path.data) == 0) {
        *slash = '/';
        int fd = open(path.data, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        rc = fd >= 0 && fsync(fd) == 0 && fs_sync_parent(path.data) == 0 ? 0 : -1;
        if (fd >= 0)
            close(fd);
    }
    kbuf_free(&path);
    return rc;
}

static void remove_creating_marker(uint64_t uid)
{
    kbuf path = KBUF_INIT;
    stream_dir_path(uid, CREATING_MARKER, &path);
    unlink(path.data);
    kbuf_free(&path);
}

/* The shards of a new stream, with their logs. */
static bool add_even_shards(stream *s, int count, int64_t now_ms)
{
    for (int i = 0; i < count; i++) {
        shard *sh = stream_push_shard(s, false);
        hash_range_even(i, count, &sh->hash_start, &sh->hash_end);
        sh->created_ms = now_ms;
        if (!(sh->log = open_shard_log(s, i, true)))
            return false;
    }
    return true;
}

static int commit_new_stream(const stream *s, const kval *tags)
{
    meta *m = registry_meta();
    if (meta_begin(m) != 0)
        return -1;
    int rc = meta_set_last_uid(m, s->uid);
    if (rc == 0)
        rc = put_stream_rows(m, s);
    tag_owner owner = {s->uid, NULL};
    if (rc == 0)
        rc = registry_put_tags(m, &owner, tags);
    return meta_end(m, rc);
}

stream *registry_create_stream(const char *account, const char *region, const char *name,
                               const stream_request *req, int64_t now_ms)
{
    stream *s = stream_new(account, region, name);
    s->on_demand = req->on_demand;
    s->auto_distribution = req->auto_distribution;
    if (req->max_record_kib > 0)
        s->max_record_kib = req->max_record_kib;
    s->created_ms = now_ms;
    s->status = kinesd_cfg.transition_ms > 0 ? STREAM_CREATING : STREAM_ACTIVE;
    s->transition_at_ms = kinesd_cfg.transition_ms > 0 ? registry_transition_deadline() : 0;
    s->warm_target_mibps = req->warm_target_mibps;
    s->warm_current_mibps = s->status == STREAM_ACTIVE ? req->warm_target_mibps : 0;
    uint64_t last;
    if (meta_last_uid(registry_meta(), &last) != 0) {
        stream_free(s);
        return NULL;
    }
    s->uid = last + 1;
    if (make_stream_dir(s->uid) != 0 || !add_even_shards(s, req->shard_count, now_ms) ||
        commit_new_stream(s, req->tags) != 0) {
        log_error("registry: stream %s could not be created", name);
        stream_free(s);
        remove_stream_dir(last + 1);
        return NULL;
    }
    write_lock();
    registry_insert(s);
    registry_unlock();
    remove_creating_marker(s->uid);
    return s;
}

/* ---- settings and status -------------------------------------------------------------------- */

static int commit_stream_row(const stream *s)
{
    meta *m = registry_meta();
    return meta_begin(m) == 0 ? meta_end(m, meta_put_stream(m, s)) : -1;
}

/* The stream's row, with the row of a new data key when there is one. */
static int commit_stream_and_key(const stream *s, const data_key_row *key)
{
    meta *m = registry_meta();
    if (!key)
        return commit_stream_row(s);
    return meta_begin(m) == 0 ? meta_end(m, meta_put_data_key(m, key) || meta_put_stream(m, s))
                              : -1;
}

static int commit_rows(const stream *s)
{
    meta *m = registry_meta();
    return meta_begin(m) == 0 ? meta_end(m, put_stream_rows(m, s)) : -1;
}

static int finish_transition(stream *s, int64_t now_ms);

int stream_update(stream *s, const stream *next, int64_t now_ms)
{
    return stream_update_keyed(s, next, NULL, now_ms);
}

int stream_update_keyed(stream *s, const stream *next, const data_key_row *key, int64_t now_ms)
{
    stream n = *next;
    bool start_updating = n.status == STREAM_UPDATING && n.transition_at_ms == 0;
    if (start_updating) {
        n.next_status = STREAM_ACTIVE;
        n.transition_at_ms = registry_transition_deadline();
    }
    if (commit_stream_and_key(&n, key) != 0)
        return -1;
    write_lock();
    assign_settings(s, &n);
    registry_unlock();
    return start_updating && kinesd_cfg.transition_ms <= 0 ? finish_transition(s, now_ms) : 0;
}

/* CREATING or UPDATING (without a reshard) becomes ACTIVE. */
static int finish_activation(stream *s)
{
    stream n = *s;
    n.status = n.next_status = STREAM_ACTIVE;
    n.transition_at_ms = 0;
    n.warm_current_mibps = n.warm_target_mibps;
    if (commit_stream_row(&n) != 0)
        return -1;
    write_lock();
    assign_settings(s, &n);
    registry_unlock();
    return 0;
}

/* ---- resharding ---------------------------------------------------------------------------- */

void reshard_begin(reshard *r, stream *s)
{
    r->live = s;
    r->failed = false;
    r->draft = *s;
    r->draft.shards = registry_xcalloc((size_t)s->shard_count, sizeof(shard *));
    for (int i = 0; i < s->shard_count; i++) {
        r->draft.shards[i] = registry_xcalloc(1, sizeof(shard));
        *r->draft.shards[i] = *s->shards[i];
    }
    r->draft.pending = NULL;
    r->draft.pending_count = 0;
}

shard *reshard_shard(reshard *r, int index)
{
    return index >= 0 && index < r->draft.shard_count ? r->draft.shards[index] : NULL;
}

/* Adds a child to the draft, created after its parents, with a fresh log. */
static shard *add_child(reshard *r, u128 start, u128 end, int parent, int adjacent, int64_t now_ms)
{
    stream *d = &r->draft;
    shard *sh = stream_push_shard(d, false);
    sh->hash_start = start;
    sh->hash_end = end;
    sh->parent = parent;
    sh->adjacent_parent = adjacent;
    sh->created_ms = now_ms;
    if (sh->created_ms <= d->shards[parent]->created_ms)
        sh->created_ms = d->shards[parent]->created_ms + 1;
    if (adjacent >= 0 && sh->created_ms <= d->shards[adjacent]->created_ms)
        sh->created_ms = d->shards[adjacent]->created_ms + 1;
    if (!(sh->log = open_shard_log(d, sh->index, true)))
        r->failed = true;
    return r->failed ? NULL : sh;
}

bool reshard_split(reshard *r, shard *sh, u128 key, int64_t now_ms)
{
    u128 start = sh->hash_start, end = sh->hash_end;
    sh->closed = true;
    return add_child(r, start, key - 1, sh->index, -1, now_ms) &&
           add_child(r, key, end, sh->index, -1, now_ms);
}

shard *reshard_merge(reshard *r, shard *a, shard *b, int64_t now_ms)
{
    u128 start = a->hash_start < b->hash_start ? a->hash_start : b->hash_start;
    u128 end = a->hash_end > b->hash_end ? a->hash_end : b->hash_end;
    a->closed = b->closed = true;
    return add_child(r, start, end, a->index, b->index, now_ms);
}

/* Frees the draft's copies of the live shards (not their logs: the live shards own those). */
static void free_draft_copies(reshard *r)
{
    for (int i = 0; i < r->live->shard_count; i++)
        free(r->draft.shards[i]);
    free(r->draft.shards);
    r->draft.shards = NULL;
}

void reshard_abandon(reshard *r)
{
    stream *d = &r->draft;
    for (int i = r->live->shard_count; i < d->shard_count; i++) {
        shard *sh = d->shards[i];
        if (sh->log) {
            kbuf path = KBUF_INIT;
            shard_log_path(d, sh->index, &path);
            shardlog_destroy(registry_store(), path.data); /* closes it too */
            kbuf_free(&path);
        }
        shard_quota_free(sh->quota);
        free(sh);
    }
    free_draft_copies(r);
}

int reshard_commit(reshard *r, int64_t now_ms)
{
    stream *live = r->live, *d = &r->draft;
    int first = live->shard_count, added = d->shard_count - first;
    stream n = *live;
    n.status = STREAM_UPDATING;
    n.next_status = STREAM_ACTIVE;
    n.transition_at_ms = registry_transition_deadline();
    n.pending = d->shards + first;
    n.pending_count = added;
    if (r->failed || commit_rows(&n) != 0) {
        reshard_abandon(r);
        return -1;
    }
    shard **pending = added ? registry_xcalloc((size_t)added, sizeof(shard *)) : NULL;
    if (added)
        memcpy(pending, d->shards + first, (size_t)added * sizeof(shard *));
    write_lock();
    assign_settings(live, &n);
    live->pending = pending;
    live->pending_count = added;
    registry_unlock();
    free_draft_copies(r);
    return kinesd_cfg.transition_ms <= 0 ? finish_transition(live, now_ms) : 0;
}

/* Whether the pending reshard closes live shard `index` (a pending shard names it as parent). */
static bool closes(const stream *s, int index)
{
    for (int i = 0; i < s->pending_count; i++)
        if (s->pending[i]->parent == index || s->pending[i]->adjacent_parent == index)
            return true;
    return false;
}

/* The shards after the pending reshard: the live ones (copies of those it closes) and then the
 * pending ones. */
static shard **shards_after_reshard(const stream *s)
{
    int n = s->shard_count + s->pending_count;
    shard **after = registry_xcalloc((size_t)n, sizeof(shard *));
    for (int i = 0; i < s->shard_count; i++) {
        after[i] = s->shards[i];
        if (closes(s, i)) {
            after[i] = registry_xcalloc(1, sizeof(shard));
            *after[i] = *s->shards[i];
            after[i]->closed = true;
        }
    }
    memcpy(after + s->shard_count, s->pending, (size_t)s->pending_count * sizeof(shard *));
    return after;
}

/* Ends a pending reshard: parents close, children open, the stream is ACTIVE. Once the new
 * shards are published no append reaches a parent, so each parent's log is made durable and its
 * end is what it holds then; the ends are committed after that. */
static int finish_reshard(stream *s)
{
    int n = s->shard_count + s->pending_count, live = s->shard_count;
    shard **after = shards_after_reshard(s), **before = s->shards, **pending = s->pending;
    bool *closing = registry_xcalloc((size_t)n, sizeof(bool)); /* closed by this reshard */
    for (int i = 0; i < n; i++)
        closing[i] = after[i]->closed && (i >= live || after[i] != before[i]);
    write_lock();
    s->shards = after;
    s->shard_count = n;
    s->pending = NULL;
    s->pending_count = 0;
    s->status = s->next_status = STREAM_ACTIVE;
    s->transition_at_ms = 0;
    s->warm_current_mibps = s->warm_target_mibps;
    registry_unlock();
    for (int i = 0; i < live; i++)
        if (after[i] != before[i])
            free(before[i]);
    free(before);
    free(pending);
    for (int i = 0; i < n; i++) {
        uint64_t end;
        if (!closing[i])
            continue;
        shardlog_sync_end(after[i]->log, &end); /* on a failed store: its committed end */
        write_lock();
        after[i]->end_offset = end;
        registry_unlock();
    }
    free(closing);
    return commit_rows(s);
}

/* ---- DeleteStream ---------------------------------------------------------------------------- */

/* Removes a stream for good: its rows in one transaction (recording it as deleted), then it
 * leaves memory, then its files go and the record of it. */
static int finish_delete(stream *s)
{
    meta *m = registry_meta();
    uint64_t uid = s->uid;
    if (meta_begin(m) != 0 || meta_end(m, meta_delete_stream(m, uid)) != 0)
        return -1;
    write_lock();
    registry_unlink(s);
    consumers_forget_stream(uid);
    registry_unlock();
    access_forget_stream(s->arn);
    stream_free(s);
    remove_stream_dir(uid);
    if (meta_forget_deleted(m, uid) != 0)
        log_warn("registry: deleted stream %llu stays recorded", (unsigned long long)uid);
    return 0;
}

int stream_delete(stream *s)
{
    if (kinesd_cfg.transition_ms <= 0)
        return finish_delete(s);
    stream n = *s;
    n.status = n.next_status = STREAM_DELETING;
    n.transition_at_ms = registry_transition_deadline();
    meta *m = registry_meta();
    if (meta_begin(m) != 0)
        return -1;
    int rc = meta_put_stream(m, &n);
    if (rc == 0)
        rc = consumers_put_deleting(s->uid, n.transition_at_ms);
    if (meta_end(m, rc) != 0)
        return -1;
    write_lock();
    assign_settings(s, &n);
    consumers_set_deleting(s->uid, n.transition_at_ms);
    registry_unlock();
    return 0;
}

/* ---- the tick ------------------------------------------------------------------------------ */

/* Ends the pending transition of s (which may free s). */
static int finish_transition(stream *s, int64_t now_ms)
{
    (void)now_ms;
    if (s->status == STREAM_DELETING)
        return finish_delete(s);
    if (s->pending_count)
        return finish_reshard(s);
    return finish_activation(s);
}

static void apply_transitions(int64_t now_ms, int64_t deadline_now)
{
    for (size_t i = registry_stream_count(); i-- > 0;) {
        stream *s = registry_stream_at(i);
        if (!s->transition_at_ms || s->transition_at_ms > deadline_now ||
            finish_transition(s, now_ms) == 0)
            continue;
        log_error("registry: stream %s: transition not committed; retrying", s->name);
        write_lock();
        s->transition_at_ms = deadline_now + RETRY_MS;
        registry_unlock();
    }
}

static void apply_retention(int64_t now_ms)
{
    for (size_t i = 0; i < registry_stream_count(); i++) {
        const stream *s = registry_stream_at(i);
        int64_t cutoff = now_ms - (int64_t)s->retention_hours * 3600 * 1000;
        for (int j = 0; j < s->shard_count; j++)
            shardlog_trim_before(s->shards[j]->log, cutoff);
    }
}

void registry_tick(int64_t now_ms)
{
    int64_t deadline_now = registry_deadline_clock();
    apply_transitions(now_ms, deadline_now);
    consumers_apply_transitions(deadline_now);
    if (deadline_now - last_retention_ms >= RETENTION_PERIOD_MS) {
        last_retention_ms = deadline_now;
        apply_retention(now_ms);
    }
}
