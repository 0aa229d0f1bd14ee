/* meta.c - the stream metadata database in SQLite (see meta.h).
 *
 * Hash keys are stored as decimal text (they do not fit SQLite's 64-bit integers); statuses and
 * modes as their API names, so the file reads well in the sqlite3 shell. */
#include "meta.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/buf.h"
#include "../common/log.h"
#include "meta_internal.h"
#include "registry_edit.h"

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "BEGIN;" /* one commit (one fsync) for the whole schema, not one per table */
    "CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS streams(uid INTEGER PRIMARY KEY, account TEXT NOT NULL,"
    " region TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, next_status TEXT NOT NULL,"
    " transition_at INTEGER NOT NULL, mode TEXT NOT NULL, retention INTEGER NOT NULL,"
    " created INTEGER NOT NULL, metrics INTEGER NOT NULL, max_record_kib INTEGER NOT NULL,"
    " kms_key_id TEXT NOT NULL, warm_target INTEGER NOT NULL, warm_current INTEGER NOT NULL,"
    " data_key INTEGER NOT NULL DEFAULT 0, distribution TEXT NOT NULL DEFAULT "
    "'USER_PARTITION_KEY');"
    "CREATE TABLE IF NOT EXISTS shards(stream_uid INTEGER NOT NULL, idx INTEGER NOT NULL,"
    " hash_start TEXT NOT NULL, hash_end TEXT NOT NULL, parent INTEGER NOT NULL,"
    " adjacent_parent INTEGER NOT NULL, created_ms INTEGER NOT NULL, closed INTEGER NOT NULL,"
    " end_offset INTEGER NOT NULL, pending INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY(stream_uid, idx));"
    "CREATE TABLE IF NOT EXISTS deleted_streams(uid INTEGER PRIMARY KEY);"
    "CREATE TABLE IF NOT EXISTS tags(stream_uid INTEGER NOT NULL, key TEXT NOT NULL,"
    " value TEXT NOT NULL, PRIMARY KEY(stream_uid, key));"
    "CREATE TABLE IF NOT EXISTS consumer_tags(arn TEXT NOT NULL, stream_uid INTEGER NOT NULL,"
    " key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY(arn, key));"
    "CREATE TABLE IF NOT EXISTS policies(arn TEXT PRIMARY KEY, stream_uid INTEGER NOT NULL,"
    " policy TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS consumers(stream_uid INTEGER NOT NULL, name TEXT NOT NULL,"
    " arn TEXT NOT NULL, stream_arn TEXT NOT NULL, created_ms INTEGER NOT NULL,"
    " status TEXT NOT NULL, transition_at INTEGER NOT NULL, PRIMARY KEY(stream_uid, name));"
    "CREATE TABLE IF NOT EXISTS data_keys(id INTEGER PRIMARY KEY, stream_uid INTEGER NOT NULL,"
    " created_ms INTEGER NOT NULL, wrapped BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS accounts(account TEXT NOT NULL, region TEXT NOT NULL,"
    " commitment TEXT NOT NULL, started_ms INTEGER NOT NULL, ended_ms INTEGER NOT NULL,"
    " earliest_end_ms INTEGER NOT NULL, PRIMARY KEY(account, region));"
    "CREATE TABLE IF NOT EXISTS contracts(stream_uid INTEGER PRIMARY KEY, schema TEXT NOT NULL,"
    " assert_format INTEGER NOT NULL, updated_ms INTEGER NOT NULL);COMMIT;";

int meta_fail(meta *m, const char *what)
{
    log_error("meta.sqlite: %s: %s", what, sqlite3_errmsg(m->db));
    return -1;
}

static int exec(meta *m, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(m->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    log_error("meta.sqlite: %s: %s", sql, msg ? msg : "?");
    sqlite3_free(msg);
    return -1;
}

/* Runs `alter` unless `probe` (a query naming the new column) already works: tables made before
 * a column existed get it. */
static int add_columns(meta *m, const char *probe, const char *alter)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(m->db, probe, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_finalize(st);
        return 0;
    }
    return exec(m, alter);
}

static int upgrade(meta *m)
{
    return add_columns(m, "SELECT warm_target FROM streams LIMIT 0",
                       "ALTER TABLE streams ADD COLUMN warm_target INTEGER NOT NULL DEFAULT 0;"
                       "ALTER TABLE streams ADD COLUMN warm_current INTEGER NOT NULL DEFAULT 0;") ||
           add_columns(m, "SELECT distribution FROM streams LIMIT 0",
                       "ALTER TABLE streams ADD COLUMN distribution TEXT NOT NULL"
                       " DEFAULT 'USER_PARTITION_KEY';") ||
           add_columns(m, "SELECT pending FROM shards LIMIT 0",
                       "ALTER TABLE shards ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;") ||
           add_columns(m, "SELECT data_key FROM streams LIMIT 0",
                       "ALTER TABLE streams ADD COLUMN data_key INTEGER NOT NULL DEFAULT 0;");
}

meta *meta_open(const char *data_dir)
{
    kbuf path = KBUF_INIT;
    kbuf_printf(&path, "%s/meta.sqlite", data_dir);
    meta *m = calloc(1, sizeof(*m));
    if (!m)
        abort();
    int rc = sqlite3_open(path.data, &m->db);
    kbuf_free(&path);
    if (rc != SQLITE_OK || exec(m, schema) != 0 || upgrade(m) != 0) {
        if (rc != SQLITE_OK)
            meta_fail(m, "open");
        meta_close(m);
        return NULL;
    }
    sqlite3_busy_timeout(m->db, 5000);
    return m;
}

void meta_close(meta *m)
{
    if (!m)
        return;
    sqlite3_close(m->db);
    free(m);
}

int meta_begin(meta *m)
{
    return exec(m, "BEGIN IMMEDIATE");
}

int meta_commit(meta *m)
{
    return exec(m, "COMMIT");
}

void meta_rollback(meta *m)
{
    exec(m, "ROLLBACK");
}

int meta_end(meta *m, int rc)
{
    if (rc == 0)
        rc = meta_commit(m);
    if (rc != 0) {
        meta_rollback(m);
        return -1;
    }
    return 0;
}

sqlite3_stmt *meta_prepare(meta *m, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(m->db, sql, -1, &st, NULL) != SQLITE_OK) {
        meta_fail(m, sql);
        return NULL;
    }
    return st;
}

int meta_run(meta *m, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : meta_fail(m, "step");
}

int meta_last_uid(meta *m, uint64_t *uid)
{
    sqlite3_stmt *st = meta_prepare(m, "SELECT value FROM counters WHERE name = 'stream_uid'");
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    *uid = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : meta_fail(m, "last uid");
}

int meta_set_last_uid(meta *m, uint64_t uid)
{
    sqlite3_stmt *st = meta_prepare(m, "INSERT OR REPLACE INTO counters VALUES('stream_uid', ?)");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)uid);
    return meta_run(m, st);
}

int meta_put_stream(meta *m, const stream *s)
{
    sqlite3_stmt *st =
        meta_prepare(m, "INSERT OR REPLACE INTO streams(uid, account, region, name, status,"
                        " next_status, transition_at, mode, retention, created, metrics,"
                        " max_record_kib, kms_key_id, warm_target, warm_current, data_key,"
                        " distribution) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)s->uid);
    sqlite3_bind_text(st, 2, s->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, s->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, s->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, stream_status_name(s->status), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, stream_status_name(s->next_status), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, s->transition_at_ms);
    sqlite3_bind_text(st, 8, s->on_demand ? "ON_DEMAND" : "PROVISIONED", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 9, s->retention_hours);
    sqlite3_bind_int64(st, 10, s->created_ms);
    sqlite3_bind_int64(st, 11, s->shard_level_metrics);
    sqlite3_bind_int(st, 12, s->max_record_kib);
    sqlite3_bind_text(st, 13, s->kms_key_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 14, s->warm_target_mibps);
    sqlite3_bind_int(st, 15, s->warm_current_mibps);
    sqlite3_bind_int64(st, 16, (sqlite3_int64)s->data_key_id);
    sqlite3_bind_text(st, 17, s->auto_distribution ? "AUTO" : "USER_PARTITION_KEY", -1,
                      SQLITE_STATIC);
    return meta_run(m, st);
}

int meta_put_shard(meta *m, uint64_t stream_uid, const shard *sh, bool pending)
{
    char start[U128_DEC_MAX + 1], end[U128_DEC_MAX + 1];
    u128_format(sh->hash_start, start);
    u128_format(sh->hash_end, end);
    sqlite3_stmt *st = meta_prepare(m, "INSERT OR REPLACE INTO shards VALUES(?,?,?,?,?,?,?,?,?,?)");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)stream_uid);
    sqlite3_bind_int(st, 2, sh->index);
    sqlite3_bind_text(st, 3, start, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, end, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 5, sh->parent);
    sqlite3_bind_int(st, 6, sh->adjacent_parent);
    sqlite3_bind_int64(st, 7, sh->created_ms);
    sqlite3_bind_int(st, 8, sh->closed);
    sqlite3_bind_int64(st, 9, (sqlite3_int64)sh->end_offset);
    sqlite3_bind_int(st, 10, pending);
    return meta_run(m, st);
}

sqlite3_stmt *meta_prepare_for_uid(meta *m, const char *sql, uint64_t uid, const char *text)
{
    sqlite3_stmt *st = meta_prepare(m, sql);
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)uid);
    if (text)
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    return st;
}

int meta_run_for_uid(meta *m, const char *sql, uint64_t uid, const char *text)
{
    sqlite3_stmt *st = meta_prepare_for_uid(m, sql, uid, text);
    return st ? meta_run(m, st) : -1;
}

int meta_delete_stream(meta *m, uint64_t stream_uid)
{
    if (meta_run_for_uid(m, "DELETE FROM tags WHERE stream_uid = ?", stream_uid, NULL) != 0 ||
        meta_run_for_uid(m, "DELETE FROM consumer_tags WHERE stream_uid = ?", stream_uid, NULL) !=
            0 ||
        meta_run_for_uid(m, "DELETE FROM consumers WHERE stream_uid = ?", stream_uid, NULL) != 0 ||
        meta_run_for_uid(m, "DELETE FROM policies WHERE stream_uid = ?", stream_uid, NULL) != 0 ||
        meta_run_for_uid(m, "DELETE FROM shards WHERE stream_uid = ?", stream_uid, NULL) != 0 ||
        meta_run_for_uid(m, "DELETE FROM data_keys WHERE stream_uid = ?", stream_uid, NULL) != 0 ||
        meta_delete_contract(m, stream_uid) != 0 ||
        meta_run_for_uid(m, "DELETE FROM streams WHERE uid = ?", stream_uid, NULL) != 0)
        return -1;
    return meta_run_for_uid(m, "INSERT OR REPLACE INTO deleted_streams VALUES(?)", stream_uid,
                            NULL);
}

int meta_deleted_each(meta *m, void (*fn)(uint64_t uid, void *arg), void *arg)
{
    sqlite3_stmt *st = meta_prepare(m, "SELECT uid FROM deleted_streams");
    if (!st)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn((uint64_t)sqlite3_column_int64(st, 0), arg);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : meta_fail(m, "deleted streams");
}

int meta_forget_deleted(meta *m, uint64_t stream_uid)
{
    return meta_run_for_uid(m, "DELETE FROM deleted_streams WHERE uid = ?", stream_uid, NULL);
}

const char *meta_column_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? (const char *)t : "";
}

static stream_status status_parse(const char *name)
{
    static const stream_status all[] = {STREAM_CREATING, STREAM_ACTIVE, STREAM_UPDATING,
                                        STREAM_DELETING};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (strcmp(stream_status_name(all[i]), name) == 0)
            return all[i];
    return STREAM_ACTIVE;
}

static stream *stream_from_row(sqlite3_stmt *st)
{
    stream *s =
        stream_new(meta_column_text(st, 1), meta_column_text(st, 2), meta_column_text(st, 3));
    s->uid = (uint64_t)sqlite3_column_int64(st, 0);
    s->status = status_parse(meta_column_text(st, 4));
    s->next_status = status_parse(meta_column_text(st, 5));
    s->transition_at_ms = sqlite3_column_int64(st, 6);
    s->on_demand = strcmp(meta_column_text(st, 7), "ON_DEMAND") == 0;
    s->retention_hours = sqlite3_column_int(st, 8);
    s->created_ms = sqlite3_column_int64(st, 9);
    s->shard_level_metrics = (unsigned)sqlite3_column_int64(st, 10);
    s->max_record_kib = sqlite3_column_int(st, 11);
    snprintf(s->kms_key_id, sizeof(s->kms_key_id), "%s", meta_column_text(st, 12));
    s->warm_target_mibps = sqlite3_column_int(st, 13);
    s->warm_current_mibps = sqlite3_column_int(st, 14);
    s->data_key_id = (uint64_t)sqlite3_column_int64(st, 15);
    s->auto_distribution = strcmp(meta_column_text(st, 16), "AUTO") == 0;
    return s;
}

/* Reads the shard rows of s in index order; their indexes must be 0, 1, 2, ... with the pending
 * ones (a reshard's children waiting for its transition) last. */
static int load_shards(meta *m, stream *s)
{
    sqlite3_stmt *st =
        meta_prepare_for_uid(m,
                             "SELECT idx, hash_start, hash_end, parent, adjacent_parent,"
                             " created_ms, closed, end_offset, pending FROM shards"
                             " WHERE stream_uid = ? ORDER BY idx",
                             s->uid, NULL);
    if (!st)
        return -1;
    int rc, bad = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        bool pending = sqlite3_column_int(st, 8) != 0;
        if (!pending && s->pending_count)
            bad = 1;
        shard *sh = stream_push_shard(s, pending);
        const char *start = meta_column_text(st, 1), *end = meta_column_text(st, 2);
        if (sqlite3_column_int(st, 0) != sh->index ||
            !u128_parse(start, strlen(start), &sh->hash_start) ||
            !u128_parse(end, strlen(end), &sh->hash_end))
            bad = 1;
        sh->parent = sqlite3_column_int(st, 3);
        sh->adjacent_parent = sqlite3_column_int(st, 4);
        sh->created_ms = sqlite3_column_int64(st, 5);
        sh->closed = sqlite3_column_int(st, 6) != 0;
        sh->end_offset = (uint64_t)sqlite3_column_int64(st, 7);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return meta_fail(m, "load shards");
    if (bad) {
        log_error("meta.sqlite: stream %s has corrupt shard rows", s->name);
        return -1;
    }
    return 0;
}

int meta_load(meta *m, meta_stream_fn fn, void *arg)
{
    sqlite3_stmt *st =
        meta_prepare(m, "SELECT uid, account, region, name, status, next_status,"
                        " transition_at, mode, retention, created, metrics, max_record_kib,"
                        " kms_key_id, warm_target, warm_current, data_key, distribution"
                        " FROM streams");
    if (!st)
        return -1;
    int rc, result = 0;
    while (result == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        stream *s = stream_from_row(st);
        if (load_shards(m, s) != 0) {
            stream_free(s);
            result = -1;
        } else {
            result = fn(s, arg);
        }
    }
    if (result == 0 && rc != SQLITE_DONE)
        result = meta_fail(m, "load streams");
    sqlite3_finalize(st);
    return result;
}

int meta_put_data_key(meta *m, const data_key_row *k)
{
    sqlite3_stmt *st = meta_prepare(m, "INSERT INTO data_keys VALUES(?,?,?,?)");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)k->id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)k->stream_uid);
    sqlite3_bind_int64(st, 3, k->created_ms);
    sqlite3_bind_blob(st, 4, k->wrapped, (int)k->wrapped_len, SQLITE_STATIC);
    return meta_run(m, st);
}

int meta_data_keys_each(meta *m, meta_data_key_fn fn, void *arg)
{
    sqlite3_stmt *st = meta_prepare(m, "SELECT id, stream_uid, created_ms, wrapped FROM data_keys");
    if (!st)
        return -1;
    int rc, result = 0;
    while (result == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        data_key_row k = {(uint64_t)sqlite3_column_int64(st, 0),
                          (uint64_t)sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                          sqlite3_column_blob(st, 3), (size_t)sqlite3_column_bytes(st, 3)};
        result = fn(&k, arg);
    }
    if (result == 0 && rc != SQLITE_DONE)
        result = meta_fail(m, "data keys");
    sqlite3_finalize(st);
    return result;
}

int meta_put_consumer(meta *m, const consumer *c)
{
    sqlite3_stmt *st = meta_prepare(m, "INSERT OR REPLACE INTO consumers VALUES(?,?,?,?,?,?,?)");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)c->stream_uid);
    sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, c->arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, c->stream_arn, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, c->created_ms);
    sqlite3_bind_text(st, 6, consumer_status_name(c->status), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, c->transition_at_ms);
    return meta_run(m, st);
}

int meta_delete_consumer(meta *m, const consumer *c)
{
    sqlite3_stmt *tags = meta_prepare(m, "DELETE FROM consumer_tags WHERE arn = ?");
    if (!tags)
        return -1;
    sqlite3_bind_text(tags, 1, c->arn, -1, SQLITE_STATIC);
    if (meta_run(m, tags) != 0 || meta_policy_delete(m, c->arn) != 0)
        return -1;
    return meta_run_for_uid(m, "DELETE FROM consumers WHERE stream_uid = ? AND name = ?",
                            c->stream_uid, c->name);
}

static consumer *consumer_from_row(sqlite3_stmt *st)
{
    consumer *c = calloc(1, sizeof(*c));
    if (!c)
        abort();
    c->stream_uid = (uint64_t)sqlite3_column_int64(st, 0);
    snprintf(c->name, sizeof(c->name), "%s", meta_column_text(st, 1));
    snprintf(c->arn, sizeof(c->arn), "%s", meta_column_text(st, 2));
    snprintf(c->stream_arn, sizeof(c->stream_arn), "%s", meta_column_text(st, 3));
    c->created_ms = sqlite3_column_int64(st, 4);
    c->status = consumer_status_parse(meta_column_text(st, 5));
    c->transition_at_ms = sqlite3_column_int64(st, 6);
    return c;
}

int meta_load_consumers(meta *m, meta_consumer_fn fn, void *arg)
{
    sqlite3_stmt *st =
        meta_prepare(m, "SELECT stream_uid, name, arn, stream_arn, created_ms, status,"
                        " transition_at FROM consumers");
    if (!st)
        return -1;
    int rc, result = 0;
    while (result == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
        result = fn(consumer_from_row(st), arg);
    if (result == 0 && rc != SQLITE_DONE)
        result = meta_fail(m, "load consumers");
    sqlite3_finalize(st);
    return result;
}

int meta_put_account(meta *m, const account_row *a)
{
    sqlite3_stmt *st = meta_prepare(m, "INSERT OR REPLACE INTO accounts VALUES(?,?,?,?,?,?)");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, a->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, a->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, a->commitment, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, a->started_ms);
    sqlite3_bind_int64(st, 5, a->ended_ms);
    sqlite3_bind_int64(st, 6, a->earliest_end_ms);
    return meta_run(m, st);
}

int meta_get_account(meta *m, account_row *a)
{
    sqlite3_stmt *st = meta_prepare(m, "SELECT commitment, started_ms, ended_ms, earliest_end_ms"
                                       " FROM accounts WHERE account = ? AND region = ?");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, a->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, a->region, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(a->commitment, sizeof(a->commitment), "%s", meta_column_text(st, 0));
        a->started_ms = sqlite3_column_int64(st, 1);
        a->ended_ms = sqlite3_column_int64(st, 2);
        a->earliest_end_ms = sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return meta_fail(m, "account");
    return rc == SQLITE_ROW;
}
