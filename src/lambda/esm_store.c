/* esm_store.c - event source mappings in memory and in lambda.sqlite (see esm.h): the published
 * list, each mapping's progress, the rows (one JSON document per mapping, one row per shard
 * checkpoint), and the control thread's tick that ends state transitions and stores the
 * checkpoints the pollers moved. */
#include <json-c/json.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "../core/config.h"
#include "esm.h"
#include "fnmeta.h"
#include "jsonfield.h"

#define CHECKPOINT_EVERY_MS 200

static const char schema[] =
    "BEGIN;" /* one commit (one fsync) for the whole schema, not one per table */
    "CREATE TABLE IF NOT EXISTS event_source_mappings (uuid TEXT PRIMARY KEY, doc TEXT);"
    "CREATE TABLE IF NOT EXISTS esm_checkpoints (uuid TEXT, shard INTEGER, shard_id TEXT,"
    " next_offset INTEGER, stream_uid INTEGER, PRIMARY KEY (uuid, shard));COMMIT;";

static struct {
    esm_mapping **list;    /* in creation order; changed under lambda_lock exclusively */
    int count;             /* entries in list */
    store *st;             /* flushed before checkpoints are stored */
    int64_t last_store_ms; /* control thread: when checkpoints were last stored */
} esms;

/* --- the published list ---------------------------------------------------------------------- */

int esm_count(void)
{
    return esms.count;
}

esm_mapping *esm_at(int i)
{
    return esms.list[i];
}

esm_mapping *esm_find(const char *uuid)
{
    for (int i = 0; i < esms.count; i++)
        if (strcmp(esms.list[i]->cfg->uuid, uuid) == 0)
            return esms.list[i];
    return NULL;
}

void esm_insert(esm_config *c, esm_progress *p)
{
    esm_mapping *m = malloc(sizeof *m);
    esm_mapping **grown = malloc((size_t)(esms.count + 1) * sizeof *grown);
    if (!m || !grown)
        abort();
    *m = (esm_mapping){c, p};
    if (esms.count)
        memcpy(grown, esms.list, (size_t)esms.count * sizeof *grown);
    grown[esms.count] = m;
    pthread_rwlock_wrlock(&lambda_lock);
    esm_mapping **old = esms.list;
    esms.list = grown;
    esms.count++;
    pthread_rwlock_unlock(&lambda_lock);
    free(old);
}

void esm_replace(esm_mapping *m, esm_config *c)
{
    pthread_rwlock_wrlock(&lambda_lock);
    esm_config *old = m->cfg;
    m->cfg = c;
    pthread_rwlock_unlock(&lambda_lock);
    esm_config_free(old);
}

void esm_remove(esm_mapping *m)
{
    pthread_rwlock_wrlock(&lambda_lock);
    int at = 0;
    while (at < esms.count && esms.list[at] != m)
        at++;
    if (at < esms.count)
        memmove(esms.list + at, esms.list + at + 1,
                (size_t)(esms.count - at - 1) * sizeof *esms.list);
    esms.count -= at < esms.count;
    pthread_rwlock_unlock(&lambda_lock);
    esm_config_free(m->cfg);
    esm_progress_unref(m->progress);
    free(m);
}

/* --- progress -------------------------------------------------------------------------------- */

esm_progress *esm_progress_new(void)
{
    esm_progress *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    atomic_init(&p->refs, 1);
    pthread_mutex_init(&p->mu, NULL);
    snprintf(p->last_result, sizeof p->last_result, "No records processed");
    return p;
}

esm_progress *esm_progress_ref(esm_progress *p)
{
    atomic_fetch_add(&p->refs, 1);
    return p;
}

void esm_progress_unref(esm_progress *p)
{
    if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
        return;
    pthread_mutex_destroy(&p->mu);
    free(p->shards);
    free(p);
}

esm_shard_progress *esm_progress_find(esm_progress *p, int index)
{
    for (int i = 0; i < p->n_shards; i++)
        if (p->shards[i].index == index)
            return &p->shards[i];
    return NULL;
}

esm_shard_progress *esm_progress_shard(esm_progress *p, int index, const char *id, uint64_t start)
{
    esm_shard_progress *s = esm_progress_find(p, index);
    if (s)
        return s;
    if (p->n_shards == p->cap_shards) {
        p->cap_shards = p->cap_shards ? 2 * p->cap_shards : 8;
        p->shards = realloc(p->shards, (size_t)p->cap_shards * sizeof *p->shards);
        if (!p->shards)
            abort();
    }
    s = &p->shards[p->n_shards++];
    memset(s, 0, sizeof *s);
    s->index = index;
    snprintf(s->id, sizeof s->id, "%s", id);
    s->checkpoint = s->read = start;
    s->version = 1;
    snprintf(s->phase, sizeof s->phase, "starting");
    return s;
}

/* --- documents ------------------------------------------------------------------------------- */

static char *config_doc(const esm_config *c)
{
    json_object *o = json_object_new_object();
    jf_add_str(o, "account", c->account);
    jf_add_str(o, "region", c->region);
    jf_add_str(o, "fn_account", c->function.account);
    jf_add_str(o, "fn_region", c->function.region);
    jf_add_str(o, "fn_name", c->function.name);
    jf_add_str(o, "fn_qualifier", c->function.qualifier);
    jf_add_str(o, "function_arn", c->function_arn);
    jf_add_str(o, "source", c->source_arn);
    jf_add_str(o, "position", c->starting_position);
    jf_add_int(o, "position_ts", c->starting_ts_ms);
    jf_add_int(o, "batch", c->batch_size);
    jf_add_int(o, "window", c->window_s);
    jf_add_int(o, "parallel", c->parallelization);
    jf_add_int(o, "retries", c->max_retries);
    jf_add_int(o, "max_age", c->max_record_age_s);
    jf_add_int(o, "tumbling", c->tumbling_s);
    jf_add_int(o, "bisect", c->bisect);
    jf_add_int(o, "report", c->report_item_failures);
    if (c->filters)
        jf_add_str(o, "filters", c->filters);
    jf_add_str(o, "on_failure", c->on_failure);
    jf_add_int(o, "enabled", c->enabled);
    jf_add_int(o, "state", c->state);
    jf_add_int(o, "transition", c->transition_at_ms);
    jf_add_int(o, "modified", c->last_modified_ms);
    char *text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return text;
}

static esm_config *config_from(const char *uuid, json_object *o)
{
    esm_config *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    snprintf(c->uuid, sizeof c->uuid, "%s", uuid);
    jf_copy(o, "account", c->account, sizeof c->account);
    jf_copy(o, "region", c->region, sizeof c->region);
    jf_copy(o, "fn_account", c->function.account, sizeof c->function.account);
    jf_copy(o, "fn_region", c->function.region, sizeof c->function.region);
    jf_copy(o, "fn_name", c->function.name, sizeof c->function.name);
    jf_copy(o, "fn_qualifier", c->function.qualifier, sizeof c->function.qualifier);
    jf_copy(o, "function_arn", c->function_arn, sizeof c->function_arn);
    jf_copy(o, "source", c->source_arn, sizeof c->source_arn);
    jf_copy(o, "position", c->starting_position, sizeof c->starting_position);
    c->starting_ts_ms = jf_int(o, "position_ts");
    c->batch_size = (int)jf_int(o, "batch");
    c->window_s = (int)jf_int(o, "window");
    c->parallelization = (int)jf_int(o, "parallel");
    c->max_retries = (int)jf_int(o, "retries");
    c->max_record_age_s = (int)jf_int(o, "max_age");
    c->tumbling_s = (int)jf_int(o, "tumbling");
    c->bisect = jf_int(o, "bisect") != 0;
    c->report_item_failures = jf_int(o, "report") != 0;
    json_object *filters;
    if (json_object_object_get_ex(o, "filters", &filters))
        c->filters = strdup(json_object_get_string(filters));
    jf_copy(o, "on_failure", c->on_failure, sizeof c->on_failure);
    c->enabled = jf_int(o, "enabled") != 0;
    c->state = (esm_state)jf_int(o, "state");
    c->transition_at_ms = jf_int(o, "transition");
    c->last_modified_ms = jf_int(o, "modified");
    c->generation = 1;
    return c;
}

/* --- the database ---------------------------------------------------------------------------- */

static sqlite3_stmt *prepare(const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(fnmeta_db(), sql, -1, &st, NULL) != SQLITE_OK)
        log_error("lambda: lambda.sqlite: %s", sqlite3_errmsg(fnmeta_db()));
    return st;
}

/* Steps a statement to its end and finalizes it; -1 (logged) on error. */
static int finish(sqlite3_stmt *st)
{
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    log_error("lambda: lambda.sqlite: %s", sqlite3_errmsg(fnmeta_db()));
    return -1;
}

static int exec(const char *sql)
{
    return sqlite3_exec(fnmeta_db(), sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Ends a transaction: commits when ok, else rolls back; the result. */
static int commit_if(bool ok)
{
    if (ok && exec("COMMIT") == 0)
        return 0;
    exec("ROLLBACK");
    return -1;
}

static int put_checkpoint(const char *uuid, const esm_shard_progress *s, uint64_t stream_uid)
{
    sqlite3_stmt *st = prepare("INSERT OR REPLACE INTO esm_checkpoints VALUES (?, ?, ?, ?, ?)");
    if (st) {
        sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 2, s->index);
        sqlite3_bind_text(st, 3, s->id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)s->checkpoint);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)stream_uid);
    }
    return finish(st);
}

int esm_store_put(const esm_config *c, esm_progress *initial)
{
    if (exec("BEGIN") != 0)
        return -1;
    char *doc = config_doc(c);
    sqlite3_stmt *st = prepare("INSERT INTO event_source_mappings VALUES (?, ?) "
                               "ON CONFLICT (uuid) DO UPDATE SET doc = excluded.doc");
    if (st) {
        sqlite3_bind_text(st, 1, c->uuid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, doc, -1, SQLITE_TRANSIENT);
    }
    bool ok = finish(st) == 0;
    free(doc);
    for (int i = 0; ok && initial && i < initial->n_shards; i++)
        ok = put_checkpoint(c->uuid, &initial->shards[i], initial->stream_uid) == 0;
    return commit_if(ok);
}

int esm_store_delete(const char *uuid)
{
    if (exec("BEGIN") != 0)
        return -1;
    bool ok = true;
    const char *sql[] = {"DELETE FROM event_source_mappings WHERE uuid = ?",
                         "DELETE FROM esm_checkpoints WHERE uuid = ?"};
    for (int i = 0; ok && i < 2; i++) {
        sqlite3_stmt *st = prepare(sql[i]);
        if (st)
            sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
        ok = finish(st) == 0;
    }
    return commit_if(ok);
}

static void load_checkpoints(esm_mapping *m)
{
    sqlite3_stmt *st = prepare("SELECT shard, shard_id, next_offset, stream_uid FROM "
                               "esm_checkpoints WHERE uuid = ? ORDER BY shard");
    if (!st)
        return;
    sqlite3_bind_text(st, 1, m->cfg->uuid, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
        esm_shard_progress *s = esm_progress_shard(m->progress, sqlite3_column_int(st, 0),
                                                   (const char *)sqlite3_column_text(st, 1),
                                                   (uint64_t)sqlite3_column_int64(st, 2));
        s->stored_version = s->version;
        m->progress->stream_uid = (uint64_t)sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
}

int esm_store_open(store *st)
{
    esms.st = st;
    if (exec(schema) != 0) {
        log_error("lambda: cannot create the event source mapping tables");
        return -1;
    }
    sqlite3_stmt *q = prepare("SELECT uuid, doc FROM event_source_mappings ORDER BY rowid");
    if (!q)
        return -1;
    while (sqlite3_step(q) == SQLITE_ROW) {
        json_object *doc = json_tokener_parse((const char *)sqlite3_column_text(q, 1));
        if (!doc) {
            log_error("lambda: unreadable event source mapping %s",
                      (const char *)sqlite3_column_text(q, 0));
            continue;
        }
        esm_insert(config_from((const char *)sqlite3_column_text(q, 0), doc), esm_progress_new());
        json_object_put(doc);
        load_checkpoints(esms.list[esms.count - 1]);
    }
    sqlite3_finalize(q);
    return 0;
}

void esm_store_close(void)
{
    while (esms.count)
        esm_remove(esms.list[esms.count - 1]);
    free(esms.list);
    esms.list = NULL;
}

/* --- the tick -------------------------------------------------------------------------------- */

/* The state a transition ends in. */
static esm_state settled(const esm_config *c)
{
    return c->enabled ? ESM_ENABLED : ESM_DISABLED;
}

/* Ends m's transition if it is due; false when m is gone. */
static bool end_transition(esm_mapping *m, int64_t now_ms)
{
    const esm_config *c = m->cfg;
    if (!c->transition_at_ms || now_ms < c->transition_at_ms)
        return true;
    if (c->state == ESM_DELETING) {
        if (esm_store_delete(c->uuid) != 0)
            return true;
        esm_remove(m);
        esm_changed();
        return false;
    }
    esm_config *next = esm_config_copy(c);
    next->state = settled(c);
    next->transition_at_ms = 0;
    if (esm_store_put(next, NULL) != 0) {
        esm_config_free(next);
        return true;
    }
    esm_replace(m, next);
    esm_changed();
    return true;
}

/* A checkpoint to store, as it was when collected. */
typedef struct dirty_shard {
    esm_mapping *m;          /* its mapping */
    esm_shard_progress copy; /* the shard's progress then */
    uint64_t stream_uid;     /* the mapping's stream */
} dirty_shard;

/* A growing list of checkpoints to store. */
typedef struct dirty_list {
    dirty_shard *items; /* collected */
    int n;              /* entries */
    int cap;            /* allocated */
} dirty_list;

/* Adds m's changed checkpoints to d. */
static void collect_dirty(esm_mapping *m, dirty_list *d)
{
    esm_progress *p = m->progress;
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < p->n_shards; i++) {
        if (p->shards[i].version == p->shards[i].stored_version)
            continue;
        if (d->n == d->cap) {
            d->cap = d->cap ? 2 * d->cap : 16;
            d->items = realloc(d->items, (size_t)d->cap * sizeof *d->items);
            if (!d->items)
                abort();
        }
        d->items[d->n++] = (dirty_shard){m, p->shards[i], p->stream_uid};
    }
    pthread_mutex_unlock(&p->mu);
}

/* Marks the versions stored (a checkpoint may have moved on since it was collected). */
static void mark_stored(const dirty_shard *d)
{
    esm_progress *p = d->m->progress;
    pthread_mutex_lock(&p->mu);
    esm_shard_progress *s = esm_progress_find(p, d->copy.index);
    if (s)
        s->stored_version = d->copy.version;
    pthread_mutex_unlock(&p->mu);
}

/* Drops a mapping's checkpoints of another stream (deleted and created again under its name). */
static int forget_other_streams(const char *uuid, uint64_t stream_uid)
{
    sqlite3_stmt *st = prepare("DELETE FROM esm_checkpoints WHERE uuid = ? AND stream_uid != ?");
    if (st) {
        sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)stream_uid);
    }
    return finish(st);
}

/* Stores the changed checkpoints in one transaction, after making every record appended so far
 * durable (the failure records sent before the checkpoints moved). */
static void store_checkpoints(void)
{
    dirty_list d = {0};
    for (int i = 0; i < esms.count; i++)
        if (esms.list[i]->cfg->state != ESM_DELETING)
            collect_dirty(esms.list[i], &d);
    if (!d.n)
        return;
    store_flush(esms.st);
    bool ok = exec("BEGIN") == 0;
    for (int i = 0; ok && i < d.n; i++) {
        const dirty_shard *item = &d.items[i];
        if (i == 0 || item->m != d.items[i - 1].m) /* a mapping's shards are collected together */
            ok = forget_other_streams(item->m->cfg->uuid, item->stream_uid) == 0;
        ok = ok && put_checkpoint(item->m->cfg->uuid, &item->copy, item->stream_uid) == 0;
    }
    if (commit_if(ok) == 0)
        for (int i = 0; i < d.n; i++)
            mark_stored(&d.items[i]);
    free(d.items);
}

void esm_tick(int64_t now_ms)
{
    for (int i = 0; i < esms.count;)
        i += end_transition(esms.list[i], now_ms);
    if (now_ms - esms.last_store_ms < CHECKPOINT_EVERY_MS)
        return;
    esms.last_store_ms = now_ms;
    store_checkpoints();
}
