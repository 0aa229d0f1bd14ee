/* check.c - `kinesd check DATA` (see check.h): meta.sqlite read-only, each shard log through the
 * store's scrub, then the stream directories meta.sqlite does not name. */
#include "check.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "store/dirlock.h"
#include "store/store_check.h"

typedef struct check_run {
    const char *dir;
    size_t shards, problems;
    uint64_t *uids; /* streams meta.sqlite names */
    size_t nuids;
} check_run;

static void problem(check_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(check_run *run, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("DAMAGE ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    run->problems++;
}

/* One shard row: its log, and a closed shard's end within it. */
static void check_shard(check_run *run, const char *stream, uint64_t uid, int index, bool closed,
                        uint64_t end_offset)
{
    kbuf rel = KBUF_INIT;
    kbuf_printf(&rel, "streams/%llu/%d", (unsigned long long)uid, index);
    kbuf path = KBUF_INIT;
    kbuf_printf(&path, "%s/%s", run->dir, rel.data);
    run->shards++;
    log_check lc;
    if (access(path.data, F_OK) != 0) {
        problem(run, "stream %s shard %d: no log directory %s", stream, index, path.data);
    } else if (store_check_log(run->dir, rel.data, stdout, &lc) < 0) {
        run->problems++;
    } else {
        run->problems += lc.damaged;
        if (closed && end_offset > lc.end)
            problem(run, "stream %s shard %d: closed at offset %llu, past its log's end %llu",
                    stream, index, (unsigned long long)end_offset, (unsigned long long)lc.end);
    }
    kbuf_free(&path);
    kbuf_free(&rel);
}

static int check_metadata(check_run *run, sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    const char *sql = "SELECT s.uid, s.name, h.idx, h.closed, h.end_offset FROM streams s"
                      " JOIN shards h ON h.stream_uid = s.uid ORDER BY s.uid, h.idx";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        printf("meta.sqlite: cannot be read: %s\n", sqlite3_errmsg(db));
        return -1;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        uint64_t uid = (uint64_t)sqlite3_column_int64(st, 0);
        if (!run->nuids || run->uids[run->nuids - 1] != uid) {
            run->uids = realloc(run->uids, (run->nuids + 1) * sizeof *run->uids);
            if (!run->uids)
                abort();
            run->uids[run->nuids++] = uid;
        }
        check_shard(run, (const char *)sqlite3_column_text(st, 1), uid, sqlite3_column_int(st, 2),
                    sqlite3_column_int(st, 3) != 0, (uint64_t)sqlite3_column_int64(st, 4));
    }
    sqlite3_finalize(st);
    return 0;
}

static bool known_uid(const check_run *run, uint64_t uid)
{
    for (size_t i = 0; i < run->nuids; i++)
        if (run->uids[i] == uid)
            return true;
    return false;
}

static void check_unknown_dirs(check_run *run)
{
    kbuf path = KBUF_INIT;
    kbuf_printf(&path, "%s/streams", run->dir);
    DIR *d = opendir(path.data);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char *end;
        unsigned long long uid = strtoull(e->d_name, &end, 10);
        if (e->d_name[0] != '.' && !*end && !known_uid(run, uid))
            problem(run, "%s/%s: a stream directory meta.sqlite does not know", path.data,
                    e->d_name);
    }
    if (d)
        closedir(d);
    kbuf_free(&path);
}

int kinesd_check(const char *data_dir)
{
    char why[4400];
    int lock = dirlock_acquire(data_dir, why, sizeof why);
    if (lock < 0) {
        fprintf(stderr, "kinesd check: %s\n", why);
        return 2;
    }
    check_run run = {.dir = data_dir};
    kbuf meta = KBUF_INIT;
    kbuf_printf(&meta, "file:%s/meta.sqlite?mode=ro", data_dir);
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(meta.data, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
    if (rc != SQLITE_OK || check_metadata(&run, db) < 0)
        problem(&run, "%s/meta.sqlite: missing or unreadable", data_dir);
    sqlite3_close(db);
    check_unknown_dirs(&run);
    printf("%s: %zu shard logs checked, %zu problems\n", data_dir, run.shards, run.problems);
    free(run.uids);
    kbuf_free(&meta);
    close(lock);
    return run.problems ? 1 : 0;
}
