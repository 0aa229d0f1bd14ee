/* registry.c - the streams and shards kinesd knows: memory, lookups, loading and closing (see
 * registry.h; changes are in registry_change.c).
 *
 * All streams of all accounts and regions sit in one array sorted by (account, region, name), so
 * lookups are binary searches and ListStreams walks it in order. Each stream owns its shards;
 * each shard owns its log under <data-dir>/streams/<uid>/<index>.
 *
 * Loading also finishes what a crash interrupted: a stream directory holding the CREATING_MARKER
 * belongs to a creation that never committed (or committed without removing its marker), and
 * the directory of a stream recorded as deleted is deleted again. Any other directory that
 * meta.sqlite does not know is never deleted unless it holds no record: it is quarantined, or,
 * when meta.sqlite was lost, start-up is refused. */
#include "registry.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/buf.h"
#include "../common/clock.h"
#include "../common/log.h"
#include "access.h"
#include "datakey.h"
#include "consumer.h"
#include "contract.h"
#include "registry_internal.h"
#include "stream_arn.h"

#define DEFAULT_RETENTION_HOURS 24
#define DEFAULT_MAX_RECORD_KIB 1024

pthread_rwlock_t registry_lock = PTHREAD_RWLOCK_INITIALIZER;
static store *data_store;
static meta *db;
static stream **streams; /* sorted by stream_order */
static size_t nstreams, capstreams;

void registry_read_lock(void)
{
    pthread_rwlock_rdlock(&registry_lock);
}

void registry_unlock(void)
{
    pthread_rwlock_unlock(&registry_lock);
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

void *registry_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p)
        abort();
    return p;
}

stream *stream_new(const char *account, const char *region, const char *name)
{
    stream *s = registry_xcalloc(1, sizeof(*s));
    snprintf(s->account, sizeof(s->account), "%s", account);
    snprintf(s->region, sizeof(s->region), "%s", region);
    snprintf(s->name, sizeof(s->name), "%s", name);
    snprintf(s->arn, sizeof(s->arn), "arn:aws:kinesis:%s:%s:stream/%s", s->region, s->account,
             s->name);
    s->status = s->next_status = STREAM_ACTIVE;
    s->retention_hours = DEFAULT_RETENTION_HOURS;
    s->max_record_kib = DEFAULT_MAX_RECORD_KIB;
    s->quota = stream_quota_new();
    return s;
}

/* Appends sh to a shard array of n entries. */
static shard **shards_push(shard **shards, int n, shard *sh)
{
    shard **grown = realloc(shards, (size_t)(n + 1) * sizeof(*grown));
    if (!grown)
        abort();
    grown[n] = sh;
    return grown;
}

shard *stream_push_shard(stream *s, bool pending)
{
    shard *sh = registry_xcalloc(1, sizeof(*sh));
    sh->index = s->shard_count + s->pending_count;
    snprintf(sh->id, sizeof(sh->id), "shardId-%012d", sh->index);
    sh->parent = sh->adjacent_parent = -1;
    sh->quota = shard_quota_new();
    if (pending)
        s->pending = shards_push(s->pending, s->pending_count++, sh);
    else
        s->shards = shards_push(s->shards, s->shard_count++, sh);
    return sh;
}

void shards_free(shard **shards, int n)
{
    for (int i = 0; i < n; i++) {
        if (shards[i]->log)
            shardlog_close(shards[i]->log);
        shard_quota_free(shards[i]->quota);
        free(shards[i]);
    }
    free(shards);
}

void stream_free(stream *s)
{
    if (!s)
        return;
    shards_free(s->shards, s->shard_count);
    shards_free(s->pending, s->pending_count);
    contract_free(s->contract);
    stream_quota_free(s->quota);
    free(s);
}

void shard_log_path(const stream *s, int index, kbuf *out)
{
    kbuf_printf(out, "streams/%llu/%d", (unsigned long long)s->uid, index);
}

shardlog *open_shard_log(const stream *s, int index, bool fresh)
{
    kbuf path = KBUF_INIT;
    shard_log_path(s, index, &path);
    shardlog *log = NULL;
    if (!fresh || shardlog_destroy(data_store, path.data) == 0)
        log = shardlog_open(data_store, path.data);
    kbuf_free(&path);
    return log;
}

void stream_dir_path(uint64_t uid, const char *file, kbuf *out)
{
    kbuf_printf(out, "%s/streams/%llu%s%s", store_dir(data_store), (unsigned long long)uid,
                file ? "/" : "", file ? file : "");
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

void registry_insert(stream *s)
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

void registry_unlink(const stream *s)
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

/* Whether a pending reshard closes live shard `index` (a pending shard names it as parent). */
static bool closed_by_pending(const stream *s, int index)
{
    for (int i = 0; i < s->pending_count; i++)
        if (s->pending[i]->parent == index || s->pending[i]->adjacent_parent == index)
            return true;
    return false;
}

/* Open shards once the pending reshard (if any) is done. */
static int open_shards_after_reshard(const stream *s)
{
    int open = 0;
    for (int i = 0; i < s->shard_count; i++)
        open += !s->shards[i]->closed && !closed_by_pending(s, i);
    for (int i = 0; i < s->pending_count; i++)
        open += !s->pending[i]->closed;
    return open;
}

int registry_open_shards(const char *account, const char *region)
{
    int open = 0;
    for (size_t i = lower_bound(account, region, ""); i < nstreams; i++) {
        if (strcmp(streams[i]->account, account) != 0 || strcmp(streams[i]->region, region) != 0)
            break;
        open += open_shards_after_reshard(streams[i]);
    }
    return open;
}

void hash_range_even(int i, int n, u128 *start, u128 *end)
{
    /* floor(2^128 / n) computed from 2^128 - 1; for n == 1 it wraps to 0, harmless as i is 0 */
    u128 width = U128_MAX / (u128)n + (U128_MAX % (u128)n == (u128)n - 1);
    *start = width * (u128)i;
    *end = i == n - 1 ? U128_MAX : *start + width - 1;
}

/* ---- open and close ------------------------------------------------------------------------ */

/* A stream loaded from meta.sqlite: every shard (pending ones too) opens its log. A closed shard
 * whose log ends before its recorded end (records appended, never made durable, lost in a
 * crash) ends where its log ends: readers must reach its end to go on to its children. */
static int adopt_loaded(stream *s, void *arg)
{
    (void)arg;
    if (s->shard_count == 0) {
        log_error("registry: stream %s (uid %llu) has no shards in meta.sqlite: corrupt", s->name,
                  (unsigned long long)s->uid);
        stream_free(s);
        return -1;
    }
    if (s->data_key_id && !(s->data_key = store_find_key(data_store, s->data_key_id))) {
        log_error("registry: stream %s seals under data key %llu, which meta.sqlite lacks", s->name,
                  (unsigned long long)s->data_key_id);
        stream_free(s);
        return -1;
    }
    for (int i = 0; i < s->shard_count + s->pending_count; i++) {
        shard *sh = i < s->shard_count ? s->shards[i] : s->pending[i - s->shard_count];
        if (!(sh->log = open_shard_log(s, i, false))) {
            stream_free(s);
            return -1;
        }
        uint64_t end = shardlog_committed(sh->log);
        if (sh->closed && sh->end_offset > end) {
            log_warn("registry: stream %s: closed %s ends at %llu, not %llu", s->name, sh->id,
                     (unsigned long long)end, (unsigned long long)sh->end_offset);
            sh->end_offset = end;
        }
    }
    if (s->transition_at_ms) /* a deadline of the process that wrote it: pending, from now */
        s->transition_at_ms = registry_transition_deadline();
    registry_insert(s);
    return 0;
}

/* Deletes a stream directory: its shard logs, its marker, itself. */
void remove_stream_dir(uint64_t uid)
{
    kbuf path = KBUF_INIT;
    stream_dir_path(uid, NULL, &path);
    DIR *d = opendir(path.data);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        kbuf rel = KBUF_INIT;
        kbuf_printf(&rel, "streams/%llu/%s", (unsigned long long)uid, e->d_name);
        if (strcmp(e->d_name, CREATING_MARKER) == 0) {
            kbuf_reset(&rel);
            stream_dir_path(uid, CREATING_MARKER, &rel);
            unlink(rel.data);
        } else {
            shardlog_destroy(data_store, rel.data);
        }
        kbuf_free(&rel);
    }
    if (d)
        closedir(d);
    rmdir(path.data);
    kbuf_free(&path);
}

static void remove_deleted(uint64_t uid, void *arg)
{
    (void)arg;
    remove_stream_dir(uid);
    if (meta_forget_deleted(db, uid) != 0)
        log_warn("registry: deleted stream %llu stays recorded", (unsigned long long)uid);
}

static bool has_creating_marker(uint64_t uid)
{
    kbuf path = KBUF_INIT;
    stream_dir_path(uid, CREATING_MARKER, &path);
    bool found = access(path.data, F_OK) == 0;
    if (found && registry_find_uid(uid))
        unlink(path.data); /* committed: the marker just outlived the crash */
    kbuf_free(&path);
    return found;
}

/* True when every segment file of the stream directory is empty: nothing is lost by deleting
 * it. */
static bool stream_dir_empty(uint64_t uid)
{
    kbuf dir = KBUF_INIT;
    stream_dir_path(uid, NULL, &dir);
    DIR *d = opendir(dir.data);
    bool empty = d != NULL;
    struct dirent *e;
    while (empty && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        kbuf shard = KBUF_INIT;
        kbuf_printf(&shard, "%s/%s", dir.data, e->d_name);
        DIR *sd = opendir(shard.data);
        struct dirent *f;
        while (empty && sd && (f = readdir(sd))) {
            struct stat sb;
            kbuf file = KBUF_INIT;
            kbuf_printf(&file, "%s/%s", shard.data, f->d_name);
            empty = !strstr(f->d_name, ".log") || (stat(file.data, &sb) == 0 && sb.st_size == 0);
            kbuf_free(&file);
        }
        if (sd)
            closedir(sd);
        kbuf_free(&shard);
    }
    if (d)
        closedir(d);
    kbuf_free(&dir);
    return empty;
}

/* A stream directory meta.sqlite does not know, and that no committed deletion explains. A
 * creation that never committed (its CREATING_MARKER), or one that never wrote a record, is
 * removed; anything else may hold acknowledged records and is never deleted: when meta.sqlite
 * knows no stream at all it was lost or replaced (refuse to start), else the directory moves to
 * quarantine. 0, or -1 to refuse. */
static int handle_unknown_dir(uint64_t uid)
{
    if (has_creating_marker(uid) || stream_dir_empty(uid)) {
        log_warn("registry: removed the data of stream %llu, whose creation never committed",
                 (unsigned long long)uid);
        remove_stream_dir(uid);
        return 0;
    }
    if (nstreams == 0) {
        log_error("registry: meta.sqlite knows no stream but %s/streams/%llu holds records: "
                  "refusing to start (restore meta.sqlite, or move streams/ aside)",
                  store_dir(data_store), (unsigned long long)uid);
        return -1;
    }
    kbuf rel = KBUF_INIT;
    kbuf_printf(&rel, "streams/%llu", (unsigned long long)uid);
    log_warn("registry: stream data %s is unknown to meta.sqlite: quarantined", rel.data);
    int rc = store_quarantine(data_store, rel.data);
    kbuf_free(&rel);
    return rc;
}

/* Every stream directory meta.sqlite does not know (see handle_unknown_dir). */
static int sweep_stream_dirs(void)
{
    kbuf path = KBUF_INIT;
    kbuf_printf(&path, "%s/streams", store_dir(data_store));
    DIR *d = opendir(path.data);
    kbuf_free(&path);
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && d && (e = readdir(d))) {
        char *end;
        unsigned long long uid = strtoull(e->d_name, &end, 10);
        if (e->d_name[0] != '.' && *end == '\0' && !registry_find_uid(uid))
            rc = handle_unknown_dir(uid);
    }
    if (d)
        closedir(d);
    return rc;
}

/* A missing or empty meta.sqlite next to stream data would open as a fresh, empty database. */
static bool metadata_lost(const char *dir)
{
    kbuf path = KBUF_INIT;
    kbuf_printf(&path, "%s/meta.sqlite", dir);
    struct stat sb;
    bool lost = stat(path.data, &sb) != 0 || sb.st_size == 0;
    kbuf_free(&path);
    return lost;
}

/* Streams whose encryption kinesd only recorded (before it sealed records) get their data key
 * now, so that their records are stored encrypted, as DescribeStream says. */
static int seal_labelled_streams(void)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < nstreams; i++) {
        stream *s = streams[i];
        if (!s->kms_key_id[0] || s->data_key)
            continue;
        data_key fresh;
        stream next = *s;
        datakey_make(s->uid, clock_now_ms(), &fresh);
        next.data_key = store_add_key(data_store, fresh.id, fresh.secret);
        next.data_key_id = fresh.id;
        rc = stream_update_keyed(s, &next, &fresh.row, clock_now_ms());
        datakey_free(&fresh);
        if (rc == 0)
            log_info("registry: stream %s: records written from now on are encrypted", s->name);
    }
    return rc;
}

int registry_open(store *st)
{
    data_store = st;
    if (metadata_lost(store_dir(st)) && sweep_stream_dirs() != 0) {
        data_store = NULL;
        return -1;
    }
    db = meta_open(store_dir(st));
    if (!db)
        return -1;
    if (datakeys_load(db, st) != 0 || meta_load(db, adopt_loaded, NULL) != 0 ||
        consumers_load() != 0 || contracts_load() != 0 ||
        meta_deleted_each(db, remove_deleted, NULL) != 0) {
        registry_close();
        return -1;
    }
    for (size_t i = 0; i < nstreams; i++) {
        has_creating_marker(streams[i]->uid);
        access_refresh(streams[i], NULL);
        for (size_t c = 0; c < consumers_of(streams[i]->uid); c++)
            access_refresh(streams[i], consumer_at(streams[i]->uid, c));
    }
    if (sweep_stream_dirs() != 0 || seal_labelled_streams() != 0) {
        registry_close();
        return -1;
    }
    log_info("registry: %zu streams loaded", nstreams);
    return 0;
}

void registry_close(void)
{
    consumers_clear();
    access_clear();
    for (size_t i = 0; i < nstreams; i++)
        stream_free(streams[i]);
    free(streams);
    streams = NULL;
    nstreams = capstreams = 0;
    meta_close(db);
    db = NULL;
    data_store = NULL;
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

int shard_id_index(const char *shard_id)
{
    const char *dash = strchr(shard_id, '-');
    const char *digits = dash ? dash + 1 : shard_id, *end = strchr(digits, '-');
    size_t n = end ? (size_t)(end - digits) : strlen(digits);
    long long index = 0;
    for (size_t i = 0; i < n; i++) {
        if (digits[i] < '0' || digits[i] > '9' ||
            (index = index * 10 + (digits[i] - '0')) > INT_MAX)
            return -1;
    }
    return n ? (int)index : -1;
}

void shard_id_format(int index, char out[24])
{
    snprintf(out, 24, "shardId-%012d", index);
}

shard *stream_shard_by_id(const stream *s, const char *shard_id)
{
    int index = shard_id_index(shard_id);
    return index >= 0 && index < s->shard_count ? s->shards[index] : NULL;
}
