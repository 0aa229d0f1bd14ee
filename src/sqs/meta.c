/* meta.c - the SQS metadata database (see meta.h). */
#include "meta.h"

#include <openssl/rand.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "../common/log.h"

static sqlite3 *db;

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "BEGIN;" /* one commit (one fsync) for the whole schema, not one per table */
    "CREATE TABLE IF NOT EXISTS settings(name TEXT PRIMARY KEY, value BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS queues(uid INTEGER PRIMARY KEY AUTOINCREMENT,"
    " region TEXT NOT NULL, account TEXT NOT NULL, name TEXT NOT NULL,"
    " created_ms INTEGER NOT NULL, modified_ms INTEGER NOT NULL,"
    " last_purge_ms INTEGER NOT NULL DEFAULT 0, UNIQUE(region, account, name));"
    "CREATE TABLE IF NOT EXISTS attrs(uid INTEGER NOT NULL, name TEXT NOT NULL,"
    " value TEXT NOT NULL, PRIMARY KEY(uid, name));"
    "CREATE TABLE IF NOT EXISTS tags(uid INTEGER NOT NULL, key TEXT NOT NULL,"
    " value TEXT NOT NULL, PRIMARY KEY(uid, key));"
    "CREATE TABLE IF NOT EXISTS deleted(region TEXT NOT NULL, account TEXT NOT NULL,"
    " name TEXT NOT NULL, deleted_ms INTEGER NOT NULL, PRIMARY KEY(region, account, name));COMMIT;";

static int fail(const char *what)
{
    log_error("sqs.sqlite: %s: %s", what, sqlite3_errmsg(db));
    return -1;
}

static int exec(const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : fail(sql);
}

int sqsmeta_open(const char *data_dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/sqs.sqlite", data_dir);
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        fail("open");
        sqsmeta_close();
        return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    if (exec(schema) < 0) {
        sqsmeta_close();
        return -1;
    }
    return 0;
}

void sqsmeta_close(void)
{
    sqlite3_close(db);
    db = NULL;
}

static sqlite3_stmt *prepare(const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail(sql);
    return st;
}

/* Binds text and integer arguments by a format ("tti": text, text, int64) and steps once.
 * Returns the step's result code (SQLITE_ROW, SQLITE_DONE) or SQLITE_ERROR. With a row, *out
 * keeps the statement for the caller to read and finalize. */
static int run(const char *sql, const char *fmt, const void *const *args, sqlite3_stmt **out)
{
    sqlite3_stmt *st = prepare(sql);
    if (!st)
        return SQLITE_ERROR;
    for (int i = 0; fmt[i]; i++) {
        if (fmt[i] == 't')
            sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_STATIC);
        else
            sqlite3_bind_int64(st, i + 1, *(const int64_t *)args[i]);
    }
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        fail(sql);
    if (rc == SQLITE_ROW && out)
        *out = st;
    else
        sqlite3_finalize(st);
    return rc;
}

static int change(const char *sql, const char *fmt, const void *const *args)
{
    return run(sql, fmt, args, NULL) == SQLITE_DONE ? 0 : -1;
}

int sqsmeta_receipt_key(unsigned char key[RECEIPT_KEY_LEN])
{
    sqlite3_stmt *st = NULL;
    const void *none[] = {NULL};
    if (run("SELECT value FROM settings WHERE name='receipt_key'", "", none, &st) == SQLITE_ROW) {
        int ok = sqlite3_column_bytes(st, 0) == RECEIPT_KEY_LEN;
        if (ok)
            memcpy(key, sqlite3_column_blob(st, 0), RECEIPT_KEY_LEN);
        sqlite3_finalize(st);
        return ok ? 0 : -1;
    }
    if (RAND_bytes(key, RECEIPT_KEY_LEN) != 1)
        return -1;
    st = prepare("INSERT INTO settings(name, value) VALUES('receipt_key', ?)");
    if (!st)
        return -1;
    sqlite3_bind_blob(st, 1, key, RECEIPT_KEY_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail("save the receipt key");
}

int sqsmeta_each_queue(void (*fn)(const sqsmeta_queue_row *row, void *arg), void *arg)
{
    sqlite3_stmt *st = prepare("SELECT uid, region, account, name, created_ms, modified_ms,"
                               " last_purge_ms FROM queues");
    if (!st)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sqsmeta_queue_row row = {(uint64_t)sqlite3_column_int64(st, 0),
                                 (const char *)sqlite3_column_text(st, 1),
                                 (const char *)sqlite3_column_text(st, 2),
                                 (const char *)sqlite3_column_text(st, 3),
                                 sqlite3_column_int64(st, 4),
                                 sqlite3_column_int64(st, 5),
                                 sqlite3_column_int64(st, 6)};
        fn(&row, arg);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail("load queues");
}

/* Rows of (uid, text, text). */
static int each_pair(const char *sql, void (*fn)(uint64_t, const char *, const char *, void *),
                     void *arg)
{
    sqlite3_stmt *st = prepare(sql);
    if (!st)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn((uint64_t)sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
           (const char *)sqlite3_column_text(st, 2), arg);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail(sql);
}

int sqsmeta_each_attr(void (*fn)(uint64_t uid, const char *name, const char *value, void *arg),
                      void *arg)
{
    return each_pair("SELECT uid, name, value FROM attrs", fn, arg);
}

int sqsmeta_each_tag(void (*fn)(uint64_t uid, const char *key, const char *value, void *arg),
                     void *arg)
{
    return each_pair("SELECT uid, key, value FROM tags ORDER BY uid, key", fn, arg);
}

int sqsmeta_begin(void)
{
    return exec("BEGIN IMMEDIATE");
}

int sqsmeta_commit(void)
{
    return exec("COMMIT");
}

void sqsmeta_rollback(void)
{
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

int sqsmeta_insert_queue(const char *region, const char *account, const char *name, int64_t now_ms,
                         uint64_t *uid)
{
    const void *args[] = {region, account, name, &now_ms, &now_ms};
    if (change("INSERT INTO queues(region, account, name, created_ms, modified_ms)"
               " VALUES(?, ?, ?, ?, ?)",
               "tttii", args) < 0)
        return -1;
    *uid = (uint64_t)sqlite3_last_insert_rowid(db);
    const void *gone[] = {region, account, name};
    return change("DELETE FROM deleted WHERE region=? AND account=? AND name=?", "ttt", gone);
}

int sqsmeta_delete_queue(uint64_t uid, const char *region, const char *account, const char *name,
                         int64_t now_ms)
{
    int64_t id = (int64_t)uid;
    const void *by_uid[] = {&id};
    const void *gone[] = {region, account, name, &now_ms};
    if (change("DELETE FROM queues WHERE uid=?", "i", by_uid) < 0 ||
        change("DELETE FROM attrs WHERE uid=?", "i", by_uid) < 0 ||
        change("DELETE FROM tags WHERE uid=?", "i", by_uid) < 0)
        return -1;
    return change("INSERT OR REPLACE INTO deleted(region, account, name, deleted_ms)"
                  " VALUES(?, ?, ?, ?)",
                  "ttti", gone);
}

bool sqsmeta_deleted_since(const char *region, const char *account, const char *name,
                           int64_t since_ms)
{
    const void *args[] = {region, account, name, &since_ms};
    return run("SELECT 1 FROM deleted WHERE region=? AND account=? AND name=? AND deleted_ms>?",
               "ttti", args, NULL) == SQLITE_ROW;
}

/* Sets (value) or deletes (NULL) a row of attrs or tags. */
static int set_pair(const char *table, const char *col, uint64_t uid, const char *key,
                    const char *value)
{
    char sql[160];
    int64_t id = (int64_t)uid;
    if (value) {
        snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO %s(uid, %s, value) VALUES(?, ?, ?)",
                 table, col);
        const void *args[] = {&id, key, value};
        return change(sql, "itt", args);
    }
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE uid=? AND %s=?", table, col);
    const void *args[] = {&id, key};
    return change(sql, "it", args);
}

int sqsmeta_set_attr(uint64_t uid, const char *name, const char *value)
{
    return set_pair("attrs", "name", uid, name, value);
}

int sqsmeta_set_tag(uint64_t uid, const char *key, const char *value)
{
    return set_pair("tags", "key", uid, key, value);
}

int sqsmeta_set_times(uint64_t uid, int64_t modified_ms, int64_t last_purge_ms)
{
    int64_t id = (int64_t)uid;
    const void *args[] = {&modified_ms, &last_purge_ms, &id};
    return change("UPDATE queues SET modified_ms=?, last_purge_ms=? WHERE uid=?", "iii", args);
}
