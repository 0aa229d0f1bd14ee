/* registry.c - the streams and shards kinesd knows (see registry.h and registry_edit.h).
 *
 * All streams of all accounts and regions sit in one array sorted by (account, region, name), so
 * lookups are binary searches and ListStreams walks it in order. Each stream owns its shards;
 * each shard owns its log under <data-dir>/streams/<uid>/<index>. Every change is written
 * through to meta.sqlite before the lock is released. */
#include "registry.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/buf.h"
#include "../common/clock.h"
#include "../common/log.h"
#include "config.h"
#include "consumer.h"
#include "registry_edit.h"
#include "stream_arn.h"

#define RETENTION_PERIOD_MS 1000 /* how often registry_tick applies retention */
#define DEFAULT_RETENTION_HOURS 24
#define DEFAULT_MAX_RECORD_KIB 1024

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static store *data_store;
static meta *db;
static stream **streams; /* sorted by stream_order */
static size_t nstreams, capstreams;
static int64_t last_retention_ms; /* monotonic: when registry_tick last applied retention */

void registry_read_lock(void)
{
    pthread_rwlock_rdlock(&lock);
}

void registry_write_lock(void)
{
    pthread_rwlock_wrlock(&lock);
}

void registry_unlock(void)
{
    pthread_rwlock_unlock(&lock);
}

meta *registry_meta(void)
{
    return db;
}

store *registry_store(void)
{
    return data_store;
}

const char *stream_status_name(stream_status status)
{
    switch (status) {
    case STREAM_CREATING:
        return "CREATING";
    case STREAM_ACTIVE:
        return "ACTIVE";
    case STREAM_UPDATING:
        return "UPDATING";
    case STREAM_DELETING:
        return "DELETING";
    }
    return "ACTIVE";
}

/* ---- memory of streams and shards ---------------------------------------------------------- */

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p)
        abort();
    return p;
}

stream *stream_new(const char *account, const char *region, const char *name)
{
    stream *s = xcalloc(1, sizeof(*s));
    snprintf(s->account, sizeof(s->account), "%s", account);
    snprintf(s->region, sizeof(s->region), "%s", region);
    snprintf(s->name, sizeof(s->name), "%s", name);
    snprintf(s->arn, sizeof(s->arn), "arn:aws:kinesis:%s:%s:stream/%s", s->region, s->account,
             s->name);
    s->status = s->next_status = STREAM_ACTIVE;
    s->retention_hours = DEFAULT_RETENTION_HOURS;
    s->max_record_kib = DEFAULT_MAX_RECORD_KIB;
    return s;
}

shard *stream_push_shard(stream *s)
{
    shard **grown = realloc(s->shards, (size_t)(s->shard_count + 1) * sizeof(*grown));
    if (!grown)
        abort();
    s->shards = grown;
    shard *sh = xcalloc(1, sizeof(*sh));
    sh->index = s->shard_count;
    snprintf(sh->id, sizeof(sh->id), "shardId-%012d", sh->index);
    sh->parent = sh->adjacent_parent = -1;
    s->shards[s->shard_count++] = sh;
    return sh;
}

void stream_free(stream *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->shard_count; i++) {
        if (s->shards[i]->log)
            shardlog_close(s->shards[i]->log);
        free(s->shards[i]);
    }
    free(s->shards);
    free(s);
}

static void shard_log_path(const stream *s, int index, kbuf *out)
{
    kbuf_printf(out, "streams/%llu/%d", (unsigned long long)s->uid, index);
}

/* Opens the log of shard `index`; `fresh` first deletes whatever a crashed, never committed
 * reshard may have left at that path. */
static shardlog *open_shard_log(const stream *s, int index, bool fresh)
{
    kbuf path = KBUF_INIT;
    shard_log_path(s, index, &path);
    shardlog *log = NULL;
    if (!fresh || shardlog_destroy(data_store, path.data) == 0)
        log = shardlog_open(data_store, path.data);
    kbuf_free(&path);
    return log;
}

/* ---- the sorted array ---------------------------------------------------------------------- */

static int stream_order(const char *account, const char *region, const char *name, const stream *s)
{
    int c = strcmp(account, s->account);
    if (c == 0)
        c = strcmp(region, s->region);
    return c != 0 ? c : strcmp(name, s->name);
}

/* Index of the first stream not ordered before the key. */
static size_t lower_bound(const char *account, const char *region, const char *name)
{
    size_t lo = 0, hi = nstreams;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (stream_order(account, region, name, streams[mid]) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void insert_stream(stream *s)
{
    if (nstreams == capstreams) {
        capstreams = capstreams ? capstreams * 2 : 16;
        stream **grown = realloc(streams, capstreams * sizeof(*grown));
        if (!grown)
            abort();
        streams = grown;
    }
    size_t at = lower_bound(s->account, s->region, s->name);
    memmove(&streams[at + 1], &streams[at], (nstreams - at) * sizeof(*streams));
    streams[at] = s;
    nstreams++;
}

static void unlink_stream(const stream *s)
{
    size_t at = lower_bound(s->account, s->region, s->name);
    if (at < nstreams && streams[at] == s) {
        memmove(&streams[at], &streams[at + 1], (nstreams - at - 1) * sizeof(*streams));
        nstreams--;
    }
}

size_t registry_stream_count(void)
{
    return nstreams;
}

stream *registry_stream_at(size_t i)
{
    return i < nstreams ? streams[i] : NULL;
}

size_t registry_stream_after(const char *account, const char *region, const char *name)
{
    size_t at = lower_bound(account, region, name);
    if (at < nstreams && stream_order(account, region, name, streams[at]) == 0)
        at++;
    return at;
}

stream *registry_find(const char *account, const char *region, const char *name)
{
    size_t at = lower_bound(account, region, name);
    if (at < nstreams && stream_order(account, region, name, streams[at]) == 0)
        return streams[at];
    return NULL;
}

stream *registry_find_uid(uint64_t uid)
{
    for (size_t i = 0; i < nstreams; i++)
        if (streams[i]->uid == uid)
            return streams[i];
    return NULL;
}

int64_t shard_closed_ms(const stream *s, const shard *sh)
{
    if (!sh->closed)
        return INT64_MAX;
    int64_t closed = INT64_MAX;
    for (int i = sh->index + 1; i < s->shard_count; i++) {
        const shard *child = s->shards[i];
        if ((child->parent == sh->index || child->adjacent_parent == sh->index) &&
            child->created_ms < closed)
            closed = child->created_ms;
    }
    return closed == INT64_MAX ? sh->created_ms : closed;
}

int stream_open_shards(const stream *s)
{
    int open = 0;
    for (int i = 0; i < s->shard_count; i++)
        open += !s->shards[i]->closed;
    return open;
}

int registry_open_shards(const char *account, const char *region)
{
    int open = 0;
    for (size_t i = lower_bound(account, region, ""); i < nstreams; i++) {
        if (strcmp(streams[i]->account, account) != 0 || strcmp(streams[i]->region, region) != 0)
            break;
        open += stream_open_shards(streams[i]);
    }
    return open;
}

/* ---- open and close ------------------------------------------------------------------------ */

static int adopt_loaded(stream *s, void *arg)
{
    (void)arg;
    for (int i = 0; i < s->shard_count; i++) {
        s->shards[i]->log = open_shard_log(s, i, false);
        if (!s->shards[i]->log) {
            stream_free(s);
            return -1;
        }
    }
    if (s->transition_at_ms) /* a deadline of the process that wrote it: pending, from now */
        s->transition_at_ms = registry_transition_deadline(clock_mono_ms());
    insert_stream(s);
    return 0;
}

/* Deletes the directory of a stream that meta.sqlite does not know (a crash between creating
 * its logs and committing it), shard log by shard log. */
static void remove_orphan_dir(const char *uid_name)
{
    kbuf path = KBUF_INIT;
    kbuf_printf(&path, "%s/streams/%s", store_dir(data_store), uid_name);
    DIR *d = opendir(path.data);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        kbuf rel = KBUF_INIT;
        kbuf_printf(&rel, "streams/%s/%s", uid_name, e->d_name);
        shardlog_destroy(data_store, rel.data);
        kbuf_free(&rel);
    }
    if (d)
        closedir(d);
    if (rmdir(path.data) == 0)
        log_warn("registry: removed the data of uncommitted stream %s", uid_name);
    kbuf_free(&path);
}

static void remove_orphans(void)
{
    kbuf path = KBUF_INIT;
    kbuf_printf(&path, "%s/streams", store_dir(data_store));
    DIR *d = opendir(path.data);
    kbuf_free(&path);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char *end;
        unsigned long long uid = strtoull(e->d_name, &end, 10);
        if (e->d_name[0] != '.' && *end == '\0' && !registry_find_uid(uid))
            remove_orphan_dir(e->d_name);
    }
    if (d)
        closedir(d);
}

int registry_open(store *st)
{
    data_store = st;
    db = meta_open(store_dir(st));
    if (!db)
        return -1;
    if (meta_load(db, adopt_loaded, NULL) != 0 || consumers_load() != 0) {
        registry_close();
        return -1;
    }
    remove_orphans();
    log_info("registry: %zu streams loaded", nstreams);
    return 0;
}

void registry_close(void)
{
    consumers_clear();
    for (size_t i = 0; i < nstreams; i++)
        stream_free(streams[i]);
    free(streams);
    streams = NULL;
    nstreams = capstreams = 0;
    meta_close(db);
    db = NULL;
    data_store = NULL;
    last_retention_ms = 0;
}

/* ---- changes ------------------------------------------------------------------------------- */

int stream_save(const stream *s)
{
    if (meta_begin(db) != 0)
        return -1;
    int rc = meta_put_stream(db, s);
    for (int i = 0; rc == 0 && i < s->shard_count; i++)
        rc = meta_put_shard(db, s->uid, s->shards[i]);
    if (rc == 0)
        rc = meta_commit(db);
    if (rc != 0)
        meta_rollback(db);
    return rc;
}

shard *stream_add_shard(stream *s, u128 hash_start, u128 hash_end, int parent, int adjacent_parent,
                        int64_t now_ms)
{
    shardlog *log = open_shard_log(s, s->shard_count, true);
    if (!log)
        return NULL;
    shard *sh = stream_push_shard(s);
    sh->log = log;
    sh->hash_start = hash_start;
    sh->hash_end = hash_end;
    sh->parent = parent;
    sh->adjacent_parent = adjacent_parent;
    sh->created_ms = now_ms;
    if (parent >= 0 && sh->created_ms <= s->shards[parent]->created_ms)
        sh->created_ms = s->shards[parent]->created_ms + 1;
    if (adjacent_parent >= 0 && sh->created_ms <= s->shards[adjacent_parent]->created_ms)
        sh->created_ms = s->shards[adjacent_parent]->created_ms + 1;
    return sh;
}

/* The end is where the next append would go; but once the store has failed, appended records
 * may never commit, so it is where the committed records end (else readers never reach it). */
void shard_close(shard *sh)
{
    sh->closed = true;
    sh->end_offset =
        store_failed(data_store) ? shardlog_committed(sh->log) : shardlog_next_offset(sh->log);
}

void stream_undo_begin(const stream *s, stream_undo *undo)
{
    undo->before = *s;
}

static void reopen_parent(stream *s, int parent, int keep)
{
    if (parent >= 0 && parent < keep) {
        s->shards[parent]->closed = false;
        s->shards[parent]->end_offset = 0;
    }
}

/* Drops the newest shard, reopening the parents it closed when they stay. */
static void drop_last_shard(stream *s, int keep)
{
    shard *sh = s->shards[--s->shard_count];
    reopen_parent(s, sh->parent, keep);
    reopen_parent(s, sh->adjacent_parent, keep);
    shardlog_close(sh->log);
    kbuf path = KBUF_INIT;
    shard_log_path(s, sh->index, &path);
    shardlog_destroy(data_store, path.data);
    kbuf_free(&path);
    free(sh);
}

void stream_undo_apply(stream *s, const stream_undo *undo)
{
    int keep = undo->before.shard_count;
    while (s->shard_count > keep)
        drop_last_shard(s, keep);
    shard **shards = s->shards;
    *s = undo->before;
    s->shards = shards;
}

/* Deletes a stream for good: rows, logs, directory. */
static void remove_stream(stream *s)
{
    if (meta_delete_stream(db, s->uid) != 0)
        log_error("registry: stream %s stays in meta.sqlite", s->name);
    unlink_stream(s);
    consumers_forget_stream(s->uid);
    kbuf path = KBUF_INIT;
    for (int i = 0; i < s->shard_count; i++) {
        shardlog_close(s->shards[i]->log);
        s->shards[i]->log = NULL;
        kbuf_reset(&path);
        shard_log_path(s, i, &path);
        shardlog_destroy(data_store, path.data);
    }
    kbuf_reset(&path);
    kbuf_printf(&path, "%s/streams/%llu", store_dir(data_store), (unsigned long long)s->uid);
    rmdir(path.data);
    kbuf_free(&path);
    stream_free(s);
}

/* Ends the pending transition of s (which may free s). */
static int finish_transition(stream *s)
{
    if (s->status == STREAM_DELETING) {
        remove_stream(s);
        return 0;
    }
    s->status = s->next_status = STREAM_ACTIVE;
    s->transition_at_ms = 0;
    s->warm_current_mibps = s->warm_target_mibps;
    return stream_save(s);
}

int64_t registry_transition_deadline(int64_t mono_ms)
{
    return mono_ms + kinesd_cfg.transition_ms;
}

int stream_start_transition(stream *s, stream_status status, int64_t mono_ms)
{
    s->status = status;
    s->next_status = status == STREAM_DELETING ? STREAM_DELETING : STREAM_ACTIVE;
    if (kinesd_cfg.transition_ms <= 0)
        return finish_transition(s);
    s->transition_at_ms = registry_transition_deadline(mono_ms);
    return stream_save(s);
}

void hash_range_even(int i, int n, u128 *start, u128 *end)
{
    /* floor(2^128 / n) computed from 2^128 - 1; for n == 1 it wraps to 0, harmless as i is 0 */
    u128 width = U128_MAX / (u128)n + (U128_MAX % (u128)n == (u128)n - 1);
    *start = width * (u128)i;
    *end = i == n - 1 ? U128_MAX : *start + width - 1;
}

stream *registry_create_stream(const char *account, const char *region, const char *name,
                               int shard_count, bool on_demand, int max_record_kib, int64_t now_ms,
                               int64_t mono_ms)
{
    stream *s = stream_new(account, region, name);
    s->on_demand = on_demand;
    if (max_record_kib > 0)
        s->max_record_kib = max_record_kib;
    s->created_ms = now_ms;
    s->status = STREAM_CREATING;
    if (meta_next_uid(db, &s->uid) != 0) {
        stream_free(s);
        return NULL;
    }
    for (int i = 0; i < shard_count; i++) {
        u128 start, end;
        hash_range_even(i, shard_count, &start, &end);
        if (!stream_add_shard(s, start, end, -1, -1, now_ms)) {
            stream_free(s);
            return NULL;
        }
    }
    if (kinesd_cfg.transition_ms <= 0)
        s->status = STREAM_ACTIVE;
    else
        s->transition_at_ms = registry_transition_deadline(mono_ms);
    s->next_status = STREAM_ACTIVE;
    if (stream_save(s) != 0) {
        stream_free(s);
        return NULL;
    }
    insert_stream(s);
    return s;
}

/* ---- the timer ----------------------------------------------------------------------------- */

static bool transition_due(int64_t mono_ms)
{
    for (size_t i = 0; i < nstreams; i++)
        if (streams[i]->transition_at_ms && streams[i]->transition_at_ms <= mono_ms)
            return true;
    return false;
}

static void apply_transitions(int64_t mono_ms)
{
    for (size_t i = nstreams; i-- > 0;) {
        stream *s = streams[i];
        if (s->transition_at_ms && s->transition_at_ms <= mono_ms && finish_transition(s) != 0)
            log_error("registry: stream %s: transition not persisted", s->name);
    }
}

static void apply_retention(int64_t now_ms)
{
    for (size_t i = 0; i < nstreams; i++) {
        const stream *s = streams[i];
        int64_t cutoff = now_ms - (int64_t)s->retention_hours * 3600 * 1000;
        for (int j = 0; j < s->shard_count; j++)
            shardlog_trim_before(s->shards[j]->log, cutoff);
    }
}

void registry_tick(int64_t now_ms, int64_t mono_ms)
{
    registry_read_lock();
    bool due = transition_due(mono_ms) || consumers_transition_due(mono_ms);
    bool retain = mono_ms - last_retention_ms >= RETENTION_PERIOD_MS;
    if (retain) {
        last_retention_ms = mono_ms;
        apply_retention(now_ms); /* records carry wall-clock arrival times */
    }
    registry_unlock();
    if (!due)
        return;
    registry_write_lock();
    apply_transitions(mono_ms);
    consumers_apply_transitions(mono_ms);
    registry_unlock();
}

/* ---- lookups for operations ---------------------------------------------------------------- */

stream *registry_resolve_arn(const char *arn, const char *account, const char *region,
                             aws_error *err)
{
    stream_arn parts;
    if (!stream_arn_parse(arn, &parts) || parts.rest[0]) {
        aws_error_set(err, 400, "InvalidArgumentException", "Invalid StreamARN: %s", arn);
        return NULL;
    }
    if (!stream_arn_require_account(&parts, arn, account, err))
        return NULL;
    stream *s =
        strcmp(parts.region, region) == 0 ? registry_find(account, region, parts.name) : NULL;
    if (!s)
        aws_error_set(err, 400, "ResourceNotFoundException",
                      "Stream %s under account %s not found.", parts.name, account);
    return s;
}

stream *registry_resolve(const kval *input, const char *account, const char *region, aws_error *err)
{
    const char *name = kv_str(input, "StreamName");
    const char *arn = kv_str(input, "StreamARN");
    if (!name && !arn) {
        aws_error_set(err, 400, "InvalidArgumentException",
                      "Either StreamName or StreamARN must be provided.");
        return NULL;
    }
    if (!arn) {
        stream *s = registry_find(account, region, name);
        if (!s)
            aws_error_set(err, 400, "ResourceNotFoundException",
                          "Stream %s under account %s not found.", name, account);
        return s;
    }
    stream *s = registry_resolve_arn(arn, account, region, err);
    if (s && name && strcmp(name, s->name) != 0) {
        aws_error_set(err, 400, "InvalidArgumentException",
                      "StreamARN %s does not match StreamName %s.", arn, name);
        return NULL;
    }
    return s;
}

shard *stream_route(const stream *s, u128 hash_key)
{
    for (int i = s->shard_count; i-- > 0;) {
        shard *sh = s->shards[i];
        if (!sh->closed && sh->hash_start <= hash_key && hash_key <= sh->hash_end)
            return sh;
    }
    return NULL;
}

shard *stream_shard_by_id(const stream *s, const char *shard_id)
{
    static const char prefix[] = "shardId-";
    size_t plen = sizeof(prefix) - 1, len = strlen(shard_id);
    if (len <= plen || len > plen + 12 || memcmp(shard_id, prefix, plen) != 0)
        return NULL;
    long index = 0;
    for (const char *p = shard_id + plen; *p; p++) {
        if (*p < '0' || *p > '9')
            return NULL;
        index = index * 10 + (*p - '0');
    }
    return index < s->shard_count ? s->shards[index] : NULL;
}
