/* checkpoint.c - consumer checkpoints in SQLite (see checkpoint.h). */
#include "checkpoint.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "error.h"

struct checkpoint_store {
    sqlite3 *db;
    sqlite3_stmt *load, *save;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS checkpoint ("
    " application TEXT NOT NULL, stream TEXT NOT NULL, shard TEXT NOT NULL,"
    " sequence_number TEXT, sub_sequence INTEGER NOT NULL DEFAULT -1,"
    " finished INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (application, stream, shard))";

static int db_fail(checkpoint_store *s, kines_error *err, const char *what)
{
    return kines_fail(err, KINES_ERR_CONFIG, "checkpoint file: %s: %s", what,
                      s->db ? sqlite3_errmsg(s->db) : "out of memory");
}

checkpoint_store *checkpoint_open(const char *path, kines_error *err)
{
    checkpoint_store *s = calloc(1, sizeof *s);
    if (!s) {
        kines_out_of_memory(err);
        return NULL;
    }
    bool ok =
        sqlite3_open(path, &s->db) == SQLITE_OK && sqlite3_busy_timeout(s->db, 5000) == SQLITE_OK &&
        sqlite3_exec(s->db, schema, NULL, NULL, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(s->db,
                           "SELECT sequence_number, sub_sequence, finished FROM checkpoint "
                           "WHERE application = ? AND stream = ? AND shard = ?",
                           -1, &s->load, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO checkpoint VALUES (?, ?, ?, ?, ?, ?)", -1,
                           &s->save, NULL) == SQLITE_OK;
    if (!ok) {
        db_fail(s, err, path);
        checkpoint_close(s);
        return NULL;
    }
    return s;
}

void checkpoint_close(checkpoint_store *s)
{
    if (!s)
        return;
    sqlite3_finalize(s->load);
    sqlite3_finalize(s->save);
    sqlite3_close(s->db);
    free(s);
}

static void bind_key(sqlite3_stmt *st, const char *app, const char *stream, const char *shard)
{
    sqlite3_bind_text(st, 1, app, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, stream, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, shard, -1, SQLITE_TRANSIENT);
}

int checkpoint_load(checkpoint_store *s, const char *app, const char *stream, const char *shard,
                    checkpoint *out, kines_error *err)
{
    *out = (checkpoint){.sub_sequence = -1};
    sqlite3_reset(s->load);
    bind_key(s->load, app, stream, shard);
    int rc = sqlite3_step(s->load);
    if (rc == SQLITE_ROW) {
        const unsigned char *seq = sqlite3_column_text(s->load, 0);
        out->found = true;
        snprintf(out->sequence_number, sizeof out->sequence_number, "%s",
                 seq ? (const char *)seq : "");
        out->sub_sequence = sqlite3_column_int64(s->load, 1);
        out->finished = sqlite3_column_int(s->load, 2) != 0;
    }
    sqlite3_reset(s->load);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(s, err, "load");
}

int checkpoint_begin(checkpoint_store *s, kines_error *err)
{
    return sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK
               ? 0
               : db_fail(s, err, "begin");
}

int checkpoint_save(checkpoint_store *s, const char *app, const char *stream, const char *shard,
                    const checkpoint *cp, kines_error *err)
{
    sqlite3_reset(s->save);
    bind_key(s->save, app, stream, shard);
    if (cp->sequence_number[0])
        sqlite3_bind_text(s->save, 4, cp->sequence_number, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s->save, 4);
    sqlite3_bind_int64(s->save, 5, cp->sub_sequence);
    sqlite3_bind_int(s->save, 6, cp->finished);
    int rc = sqlite3_step(s->save);
    sqlite3_reset(s->save);
    return rc == SQLITE_DONE ? 0 : db_fail(s, err, "save");
}

int checkpoint_commit(checkpoint_store *s, kines_error *err)
{
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    int rc = db_fail(s, err, "commit");
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}
