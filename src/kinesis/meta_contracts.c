/* meta_contracts.c - stream contracts in meta.sqlite (see meta.h): one row per stream that has
 * one, in the table `contracts`, removed with the stream. */
#include "meta_internal.h"

int meta_put_contract(meta *m, const contract_row *r)
{
    sqlite3_stmt *st = meta_prepare(m, "INSERT OR REPLACE INTO contracts(stream_uid, schema,"
                                       " assert_format, updated_ms) VALUES(?,?,?,?)");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)r->stream_uid);
    sqlite3_bind_text(st, 2, r->schema, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, r->assert_format);
    sqlite3_bind_int64(st, 4, r->updated_ms);
    return meta_run(m, st);
}

int meta_delete_contract(meta *m, uint64_t stream_uid)
{
    return meta_run_for_uid(m, "DELETE FROM contracts WHERE stream_uid = ?", stream_uid, NULL);
}

int meta_contracts_each(meta *m, meta_contract_fn fn, void *arg)
{
    sqlite3_stmt *st =
        meta_prepare(m, "SELECT stream_uid, schema, assert_format, updated_ms FROM contracts");
    if (!st)
        return -1;
    int rc, stopped = 0;
    while (!stopped && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        contract_row r = {(uint64_t)sqlite3_column_int64(st, 0), meta_column_text(st, 1),
                          sqlite3_column_int(st, 2) != 0, sqlite3_column_int64(st, 3)};
        stopped = fn(&r, arg);
    }
    sqlite3_finalize(st);
    if (stopped)
        return stopped;
    return rc == SQLITE_DONE ? 0 : meta_fail(m, "contracts");
}
