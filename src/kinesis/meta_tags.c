/* meta_tags.c - tags and resource policies in meta.sqlite (see meta.h).
 *
 * A stream's tags are rows of `tags` by its uid; a consumer's, rows of `consumer_tags` by its ARN
 * (with its stream's uid, so that deleting the stream removes them). Resource policies, of
 * streams and consumers alike, are rows of `policies` by their resource's ARN (with the stream's
 * uid). */
#include <stdio.h>

#include "meta_internal.h"

/* Prepares a statement over the owner's tag rows: sql_fmt's one %s becomes the table and the
 * owner's condition, whose value is bound as the first parameter. */
static sqlite3_stmt *prepare_owned(meta *m, const tag_owner *o, const char *sql_fmt)
{
    char sql[160];
    snprintf(sql, sizeof sql, sql_fmt,
             o->consumer_arn ? "consumer_tags WHERE arn = ?" : "tags WHERE stream_uid = ?");
    sqlite3_stmt *st = meta_prepare(m, sql);
    if (st && o->consumer_arn)
        sqlite3_bind_text(st, 1, o->consumer_arn, -1, SQLITE_STATIC);
    else if (st)
        sqlite3_bind_int64(st, 1, (sqlite3_int64)o->stream_uid);
    return st;
}

int meta_tags_each(meta *m, const tag_owner *o, const char *after_key, meta_tag_fn fn, void *arg)
{
    sqlite3_stmt *st = prepare_owned(m, o, "SELECT key, value FROM %s AND key > ? ORDER BY key");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 2, after_key ? after_key : "", -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (!fn(meta_column_text(st, 0), meta_column_text(st, 1), arg)) {
            rc = SQLITE_DONE;
            break;
        }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : meta_fail(m, "tags");
}

/* Counts the owner's tags (with that key only, when key is not NULL). */
static int count_tags(meta *m, const tag_owner *o, const char *key)
{
    sqlite3_stmt *st = prepare_owned(
        m, o, key ? "SELECT count(*) FROM %s AND key = ?" : "SELECT count(*) FROM %s");
    if (!st)
        return -1;
    if (key)
        sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    return n < 0 ? meta_fail(m, "tag count") : n;
}

int meta_tag_count(meta *m, const tag_owner *o)
{
    return count_tags(m, o, NULL);
}

int meta_tag_exists(meta *m, const tag_owner *o, const char *key)
{
    int n = count_tags(m, o, key);
    return n < 0 ? -1 : n > 0;
}

int meta_tag_put(meta *m, const tag_owner *o, const char *key, const char *value)
{
    sqlite3_stmt *st = meta_prepare(
        m, o->consumer_arn ? "INSERT OR REPLACE INTO consumer_tags(stream_uid, key, value, arn)"
                             " VALUES(?,?,?,?)"
                           : "INSERT OR REPLACE INTO tags(stream_uid, key, value) VALUES(?,?,?)");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)o->stream_uid);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
    if (o->consumer_arn)
        sqlite3_bind_text(st, 4, o->consumer_arn, -1, SQLITE_STATIC);
    return meta_run(m, st);
}

int meta_tag_delete(meta *m, const tag_owner *o, const char *key)
{
    sqlite3_stmt *st = prepare_owned(m, o, "DELETE FROM %s AND key = ?");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    return meta_run(m, st);
}

int meta_policy_get(meta *m, const char *arn, kbuf *out)
{
    sqlite3_stmt *st = meta_prepare(m, "SELECT policy FROM policies WHERE arn = ?");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        kbuf_puts(out, meta_column_text(st, 0));
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return meta_fail(m, "policy");
    return rc == SQLITE_ROW;
}

int meta_policy_put(meta *m, uint64_t stream_uid, const char *arn, const char *policy)
{
    sqlite3_stmt *st = meta_prepare(m, "INSERT OR REPLACE INTO policies VALUES(?,?,?)");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)stream_uid);
    sqlite3_bind_text(st, 3, policy, -1, SQLITE_STATIC);
    return meta_run(m, st);
}

int meta_policy_delete(meta *m, const char *arn)
{
    sqlite3_stmt *st = meta_prepare(m, "DELETE FROM policies WHERE arn = ?");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    return meta_run(m, st);
}
