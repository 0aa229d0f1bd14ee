/* meta_internal.h - what meta.c (streams, shards, consumers, keys, accounts) and meta_tags.c
 * (tags and resource policies) share: the connection and the statement helpers. */
#ifndef KINESD_META_INTERNAL_H
#define KINESD_META_INTERNAL_H

#include <sqlite3.h>
#include <stdint.h>

#include "meta.h"

struct meta {
    sqlite3 *db; /* <data-dir>/meta.sqlite */
};

/* Logs what failed with SQLite's message; -1. */
int meta_fail(meta *m, const char *what);
/* Prepares sql; NULL (logged) on error. */
sqlite3_stmt *meta_prepare(meta *m, const char *sql);
/* Runs a statement that returns no rows, then finalizes it; 0 or -1 (logged). */
int meta_run(meta *m, sqlite3_stmt *st);
/* Prepares `sql` with the uid bound to its first parameter and, unless text is NULL, text to its
 * second; NULL on failure. */
sqlite3_stmt *meta_prepare_for_uid(meta *m, const char *sql, uint64_t uid, const char *text);
/* Runs `sql` with its parameters bound as by meta_prepare_for_uid. */
int meta_run_for_uid(meta *m, const char *sql, uint64_t uid, const char *text);
/* A text column ("" for NULL). */
const char *meta_column_text(sqlite3_stmt *st, int col);

#endif
