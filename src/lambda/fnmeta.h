/* fnmeta.h - the functions' metadata on disk: DATA/lambda.sqlite.
 *
 * One row per function holds the whole function as a JSON document (settings, $LATEST, the
 * published versions, the event invoke configurations); one row holds how far the
 * asynchronous-invocation queue has been processed. Control thread only; each write is one
 * transaction, committed before the change is published in memory. */
#ifndef KINESD_LAMBDA_FNMETA_H
#define KINESD_LAMBDA_FNMETA_H

#include <stdint.h>

#include "function.h"

/* Opens (creating) DATA/lambda.sqlite and loads every function into memory (fn_insert). -1 on
 * error (logged). */
int fnmeta_open(const char *data_dir);
void fnmeta_close(void);
/* The open database, for the other tables of lambda.sqlite (event source mappings, esm_store.c). */
struct sqlite3 *fnmeta_db(void);

/* Writes fn as it will be once new_latest (if not NULL) replaced its $LATEST and new_version (if
 * not NULL) was added to its versions. -1 on error (logged). */
int fnmeta_put(const lambda_function *fn, const fn_version *new_latest,
               const fn_version *new_version);
int fnmeta_delete(const lambda_function *fn);

/* The asynchronous queue's low watermark: every event below it is finished. */
uint64_t fnmeta_async_watermark(void);
int fnmeta_set_async_watermark(uint64_t offset);

#endif
