/* history.c - the metrics history in SQLite (see history.h).
 *
 * A series' dimensions are stored as a JSON array of [name, value] pairs sorted by name, its unit
 * by its CloudWatch name, so the file reads well in the sqlite3 shell. Points are merged in SQL:
 * the upsert adds counts and sums, keeps the extremes and merges the histograms with hist_merge(),
 * a function this file gives the connection. Statements are prepared once. */
#include "history.h"

#include <json-c/json.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "../common/buf.h"
#include "../common/log.h"
#include "../protocol/encoder.h"

#define PRUNE_ROUNDS                                                                               \
    8 /* over its size, the oldest tenth of a resolution's points goes, at most                    \
         this many times per prune */

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "BEGIN;" /* one commit (one fsync) for the whole schema, not one per table */
    "CREATE TABLE IF NOT EXISTS series(id INTEGER PRIMARY KEY, account TEXT NOT NULL,"
    " region TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, dims TEXT NOT NULL,"
    " kind INTEGER NOT NULL, unit TEXT NOT NULL, last_ms INTEGER NOT NULL,"
    " UNIQUE(account, region, namespace, name, dims));"
    "CREATE TABLE IF NOT EXISTS points(series INTEGER NOT NULL, step INTEGER NOT NULL,"
    " t INTEGER NOT NULL, n REAL NOT NULL, total REAL NOT NULL, lo REAL NOT NULL,"
    " hi REAL NOT NULL, last REAL NOT NULL, hist BLOB,"
    " PRIMARY KEY(series, step, t)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS points_by_age ON points(step, t);COMMIT;";

enum {
    ST_SERIES_ADD,
    ST_SERIES_TOUCH,
    ST_SERIES_ALL,
    ST_POINT_ADD,
    ST_POINTS_READ,
    ST_EXPIRE,
    ST_OLDEST,
    ST_LIVE_BYTES,
    ST_COUNT
};

static const char *const statements[ST_COUNT] = {
    [ST_SERIES_ADD] = "INSERT INTO series(account, region, namespace, name, dims, kind, unit,"
                      " last_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
                      " last_ms = excluded.last_ms RETURNING id",
    [ST_SERIES_TOUCH] = "UPDATE series SET last_ms = ? WHERE id = ?",
    [ST_SERIES_ALL] = "SELECT id, account, region, namespace, name, dims, kind, unit, last_ms"
                      " FROM series",
    [ST_POINT_ADD] = "INSERT INTO points VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)"
                     " ON CONFLICT DO UPDATE SET n = n + excluded.n,"
                     " total = total + excluded.total, lo = min(lo, excluded.lo),"
                     " hi = max(hi, excluded.hi), last = excluded.last,"
                     " hist = hist_merge(hist, excluded.hist)",
    [ST_POINTS_READ] = "SELECT t, n, total, lo, hi, last, hist FROM points"
                       " WHERE series = ? AND step = ? AND t >= ? AND t < ? ORDER BY t",
    [ST_EXPIRE] = "DELETE FROM points WHERE step = ? AND t < ?",
    [ST_OLDEST] = "SELECT t FROM points WHERE step = ? ORDER BY t LIMIT 1 OFFSET"
                  " (SELECT count(*) / 10 FROM points WHERE step = ?)",
    [ST_LIVE_BYTES] = "SELECT (page_count - freelist_count) * page_size"
                      " FROM pragma_page_count, pragma_freelist_count, pragma_page_size",
};

struct history {
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
    int64_t max_bytes;
    bool failed_logged; /* a write failed and was logged; later ones are not */
};

static int fail(history *h, const char *what)
{
    if (!h->failed_logged)
        log_error("metrics.sqlite: %s: %s", what, sqlite3_errmsg(h->db));
    h->failed_logged = true;
    return -1;
}

/* hist_merge(a, b): the histogram of both (either may be NULL). */
static void sql_hist_merge(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    double *counts = hist_new();
    bool ok = true;
    for (int i = 0; i < argc && ok; i++)
        if (sqlite3_value_type(argv[i]) == SQLITE_BLOB)
            ok = hist_decode_add(sqlite3_value_blob(argv[i]), (size_t)sqlite3_value_bytes(argv[i]),
                                 counts, NULL);
    kbuf out = KBUF_INIT;
    if (ok)
        hist_encode(counts, &out);
    free(counts);
    if (ok)
        sqlite3_result_blob(ctx, out.data ? out.data : "", (int)out.len, SQLITE_TRANSIENT);
    else
        sqlite3_result_error(ctx, "hist_merge: not a histogram", -1);
    kbuf_free(&out);
}

static int prepare_all(history *h)
{
    for (int i = 0; i < ST_COUNT; i++)
        if (sqlite3_prepare_v3(h->db, statements[i], -1, SQLITE_PREPARE_PERSISTENT, &h->st[i],
                               NULL) != SQLITE_OK)
            return fail(h, statements[i]);
    return 0;
}

history *history_open(const char *path, int64_t max_bytes)
{
    history *h = calloc(1, sizeof *h);
    if (!h)
        abort();
    h->max_bytes = max_bytes;
    char *msg = NULL;
    if (sqlite3_open(path, &h->db) != SQLITE_OK ||
        sqlite3_exec(h->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_create_function(h->db, "hist_merge", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                sql_hist_merge, NULL, NULL) != SQLITE_OK ||
        prepare_all(h) != 0) {
        log_error("metrics.sqlite: cannot open %s: %s", path, msg ? msg : sqlite3_errmsg(h->db));
        sqlite3_free(msg);
        history_close(h);
        return NULL;
    }
    return h;
}

void history_close(history *h)
{
    if (!h)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(h->st[i]);
    sqlite3_close(h->db);
    free(h);
}

static int exec(history *h, const char *sql)
{
    return sqlite3_exec(h->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : fail(h, sql);
}

int history_begin(history *h)
{
    return exec(h, "BEGIN");
}

int history_commit(history *h)
{
    if (exec(h, "COMMIT") == 0)
        return 0;
    history_rollback(h);
    return -1;
}

void history_rollback(history *h)
{
    exec(h, "ROLLBACK");
}

/* Runs a statement to its end (or its first row when row is set); 0 when it ran. */
static int step(history *h, sqlite3_stmt *st, bool row)
{
    int rc = sqlite3_step(st);
    bool ok = rc == SQLITE_DONE || (row && rc == SQLITE_ROW);
    if (!ok)
        fail(h, sqlite3_sql(st));
    return ok ? 0 : -1;
}

/* ---- series ------------------------------------------------------------------------------- */

/* [["Name","Value"],...] in the series' (sorted) order. */
static void dims_json(const series *s, kbuf *out)
{
    kenc e;
    enc_init(&e, ENC_JSON, out);
    enc_list_begin(&e);
    for (int i = 0; i < s->n_dims; i++) {
        enc_list_begin(&e);
        enc_str(&e, s->dims[i].name);
        enc_str(&e, s->dims[i].value);
        enc_list_end(&e);
    }
    enc_list_end(&e);
}

static int give_row(history *h, series *s)
{
    sqlite3_stmt *st = h->st[ST_SERIES_ADD];
    kbuf dims = KBUF_INIT;
    dims_json(s, &dims);
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, s->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, s->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, s->ns, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, s->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, dims.data, (int)dims.len, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, (int)s->kind);
    sqlite3_bind_text(st, 7, metric_unit_name(s->unit), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, s->last_ms);
    int rc = step(h, st, true);
    if (rc == 0)
        s->db_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    kbuf_free(&dims);
    return rc;
}

int history_touch(history *h, const series *s)
{
    sqlite3_stmt *st = h->st[ST_SERIES_TOUCH];
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, s->last_ms);
    sqlite3_bind_int64(st, 2, s->db_id);
    return step(h, st, false);
}

/* The dimensions of a stored series into dims (strings owned by root); -1 when malformed. */
static int parse_dims(json_object *root, metric_dim *dims, int *n)
{
    if (!json_object_is_type(root, json_type_array) ||
        json_object_array_length(root) > METRIC_MAX_DIMS)
        return -1;
    *n = (int)json_object_array_length(root);
    for (int i = 0; i < *n; i++) {
        json_object *pair = json_object_array_get_idx(root, (size_t)i);
        if (!json_object_is_type(pair, json_type_array) || json_object_array_length(pair) != 2)
            return -1;
        dims[i].name = json_object_get_string(json_object_array_get_idx(pair, 0));
        dims[i].value = json_object_get_string(json_object_array_get_idx(pair, 1));
    }
    return 0;
}

/* Registers the series of the current row of ST_SERIES_ALL. */
static void load_row(sqlite3_stmt *st)
{
    metric_dim dims[METRIC_MAX_DIMS];
    int n = 0, unit = metric_unit_parse((const char *)sqlite3_column_text(st, 7));
    json_object *root = json_tokener_parse((const char *)sqlite3_column_text(st, 5));
    metric_scope scope = {(const char *)sqlite3_column_text(st, 1),
                          (const char *)sqlite3_column_text(st, 2),
                          (const char *)sqlite3_column_text(st, 3), dims, 0};
    const char *name = (const char *)sqlite3_column_text(st, 4);
    int kind = sqlite3_column_int(st, 6);
    if (root && parse_dims(root, dims, &n) == 0 && unit >= 0 && kind >= 0 &&
        kind <= METRIC_HISTOGRAM) {
        scope.n_dims = n;
        series *s = series_get(&scope, name, series_hash(&scope, name), (metric_kind)kind,
                               (metric_unit)unit);
        if (s) {
            s->db_id = sqlite3_column_int64(st, 0);
            s->last_ms = sqlite3_column_int64(st, 8);
        }
    } else {
        log_warn("metrics.sqlite: series %lld is malformed; ignored",
                 (long long)sqlite3_column_int64(st, 0));
    }
    json_object_put(root);
}

int history_load_series(history *h)
{
    sqlite3_stmt *st = h->st[ST_SERIES_ALL];
    sqlite3_reset(st);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        load_row(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : fail(h, "loading the series");
}

/* ---- points ------------------------------------------------------------------------------- */

int history_add(history *h, series *s, int step_s, int64_t t, const stat_acc *acc,
                const double *hist)
{
    if (!s->db_id && give_row(h, s) != 0)
        return -1;
    sqlite3_stmt *st = h->st[ST_POINT_ADD];
    kbuf blob = KBUF_INIT;
    if (hist)
        hist_encode(hist, &blob);
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, s->db_id);
    sqlite3_bind_int(st, 2, step_s);
    sqlite3_bind_int64(st, 3, t);
    sqlite3_bind_double(st, 4, acc->count);
    sqlite3_bind_double(st, 5, acc->sum);
    sqlite3_bind_double(st, 6, acc->min);
    sqlite3_bind_double(st, 7, acc->max);
    sqlite3_bind_double(st, 8, acc->last);
    if (hist)
        sqlite3_bind_blob(st, 9, blob.data ? blob.data : "", (int)blob.len, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 9);
    int rc = step(h, st, false);
    kbuf_free(&blob);
    return rc;
}

int history_read(history *h, const series *s, int step_s, int64_t from, int64_t to,
                 history_point_fn fn, void *arg)
{
    if (!s->db_id)
        return 0;
    sqlite3_stmt *st = h->st[ST_POINTS_READ];
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, s->db_id);
    sqlite3_bind_int(st, 2, step_s);
    sqlite3_bind_int64(st, 3, from);
    sqlite3_bind_int64(st, 4, to);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        stat_acc acc = {sqlite3_column_double(st, 1), sqlite3_column_double(st, 2),
                        sqlite3_column_double(st, 3), sqlite3_column_double(st, 4),
                        sqlite3_column_double(st, 5)};
        fn(sqlite3_column_int64(st, 0), &acc, sqlite3_column_blob(st, 6),
           (size_t)sqlite3_column_bytes(st, 6), arg);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : fail(h, "reading points");
}

/* ---- bounds ------------------------------------------------------------------------------- */

static void expire(history *h, int step_s, int64_t before)
{
    sqlite3_stmt *st = h->st[ST_EXPIRE];
    sqlite3_reset(st);
    sqlite3_bind_int(st, 1, step_s);
    sqlite3_bind_int64(st, 2, before);
    step(h, st, false);
}

static int64_t live_bytes(history *h)
{
    sqlite3_stmt *st = h->st[ST_LIVE_BYTES];
    sqlite3_reset(st);
    int64_t bytes = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return bytes;
}

/* Deletes the oldest tenth of the points at step_s; false when there were none. */
static bool drop_oldest(history *h, int step_s)
{
    sqlite3_stmt *st = h->st[ST_OLDEST];
    sqlite3_reset(st);
    sqlite3_bind_int(st, 1, step_s);
    sqlite3_bind_int(st, 2, step_s);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    int64_t cutoff = found ? sqlite3_column_int64(st, 0) + 1 : 0;
    sqlite3_reset(st);
    if (found)
        expire(h, step_s, cutoff);
    return found;
}

void history_prune(history *h, int64_t now_s)
{
    if (history_begin(h) != 0)
        return;
    expire(h, 1, now_s - HISTORY_SECONDS_KEPT);
    expire(h, 60, now_s - HISTORY_MINUTES_KEPT);
    for (int i = 0; i < PRUNE_ROUNDS && live_bytes(h) > h->max_bytes; i++)
        if (!drop_oldest(h, 60))
            drop_oldest(h, 1);
    history_commit(h);
}
