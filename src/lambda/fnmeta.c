/* fnmeta.c - DATA/lambda.sqlite (see fnmeta.h): functions as JSON documents, read and written
 * with json-c. */
#include "fnmeta.h"

#include <json-c/json.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "jsonfield.h"

static sqlite3 *db;

static const char schema[] =
    "BEGIN;" /* one commit (one fsync) for the whole schema, not one per table */
    "CREATE TABLE IF NOT EXISTS functions (account TEXT, region TEXT, name TEXT, doc TEXT,"
    " PRIMARY KEY (account, region, name));"
    "CREATE TABLE IF NOT EXISTS async_state (id INTEGER PRIMARY KEY, watermark INTEGER);COMMIT;";

/* --- documents ------------------------------------------------------------------------------ */

static json_object *version_doc(const fn_version *v)
{
    json_object *o = json_object_new_object();
    jf_add_str(o, "version", v->version);
    jf_add_str(o, "runtime", v->runtime);
    jf_add_str(o, "handler", v->handler);
    jf_add_str(o, "role", v->role);
    jf_add_str(o, "description", v->description);
    jf_add_int(o, "timeout", v->timeout_s);
    jf_add_int(o, "memory", v->memory_mb);
    if (v->env_json)
        jf_add_str(o, "env", v->env_json);
    jf_add_str(o, "sha256", v->code_sha256);
    jf_add_int(o, "code_size", v->code_size);
    jf_add_int(o, "modified", v->last_modified_ms);
    jf_add_str(o, "revision", v->revision_id);
    jf_add_int(o, "generation", v->generation);
    return o;
}

static json_object *invoke_config_doc(const fn_invoke_config *c)
{
    json_object *o = json_object_new_object();
    jf_add_str(o, "qualifier", c->qualifier);
    jf_add_int(o, "retries", c->max_retries);
    jf_add_int(o, "max_age", c->max_age_s);
    jf_add_str(o, "on_success", c->on_success);
    jf_add_str(o, "on_failure", c->on_failure);
    jf_add_int(o, "modified", c->last_modified_ms);
    return o;
}

static char *function_doc(const lambda_function *fn, const fn_version *new_latest,
                          const fn_version *new_version)
{
    json_object *o = json_object_new_object();
    jf_add_int(o, "reserved", fn->reserved);
    jf_add_int(o, "next_version", fn->next_version);
    jf_add_int(o, "created", fn->created_ms);
    json_object_object_add(o, "latest", version_doc(new_latest ? new_latest : fn->latest));
    json_object *versions = json_object_new_array();
    for (int i = 0; i < fn->n_versions; i++)
        json_object_array_add(versions, version_doc(fn->versions[i]));
    if (new_version)
        json_object_array_add(versions, version_doc(new_version));
    json_object_object_add(o, "versions", versions);
    json_object *cfgs = json_object_new_array();
    for (int i = 0; i < fn->n_invoke_cfgs; i++)
        json_object_array_add(cfgs, invoke_config_doc(&fn->invoke_cfgs[i]));
    json_object_object_add(o, "invoke_configs", cfgs);
    char *text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return text;
}

static fn_version *version_from(json_object *o, const lambda_function *fn)
{
    fn_version *v = fn_version_new();
    snprintf(v->account, sizeof v->account, "%s", fn->account);
    snprintf(v->region, sizeof v->region, "%s", fn->region);
    snprintf(v->name, sizeof v->name, "%s", fn->name);
    snprintf(v->arn, sizeof v->arn, "arn:aws:lambda:%s:%s:function:%s", fn->region, fn->account,
             fn->name);
    jf_copy(o, "version", v->version, sizeof v->version);
    jf_copy(o, "runtime", v->runtime, sizeof v->runtime);
    jf_copy(o, "handler", v->handler, sizeof v->handler);
    jf_copy(o, "role", v->role, sizeof v->role);
    jf_copy(o, "description", v->description, sizeof v->description);
    v->timeout_s = (int)jf_int(o, "timeout");
    v->memory_mb = (int)jf_int(o, "memory");
    json_object *env;
    if (json_object_object_get_ex(o, "env", &env))
        v->env_json = strdup(json_object_get_string(env));
    jf_copy(o, "sha256", v->code_sha256, sizeof v->code_sha256);
    v->code_size = jf_int(o, "code_size");
    v->last_modified_ms = jf_int(o, "modified");
    jf_copy(o, "revision", v->revision_id, sizeof v->revision_id);
    v->generation = (unsigned)jf_int(o, "generation");
    v->state = FN_ACTIVE;
    return v;
}

static void invoke_config_from(json_object *o, fn_invoke_config *c)
{
    jf_copy(o, "qualifier", c->qualifier, sizeof c->qualifier);
    c->max_retries = (int)jf_int(o, "retries");
    c->max_age_s = (int)jf_int(o, "max_age");
    jf_copy(o, "on_success", c->on_success, sizeof c->on_success);
    jf_copy(o, "on_failure", c->on_failure, sizeof c->on_failure);
    c->last_modified_ms = jf_int(o, "modified");
}

static lambda_function *function_from(const char *account, const char *region, const char *name,
                                      json_object *o)
{
    lambda_function *fn = calloc(1, sizeof *fn);
    if (!fn)
        abort();
    snprintf(fn->account, sizeof fn->account, "%s", account);
    snprintf(fn->region, sizeof fn->region, "%s", region);
    snprintf(fn->name, sizeof fn->name, "%s", name);
    fn->reserved = (int)jf_int(o, "reserved");
    fn->next_version = (int)jf_int(o, "next_version");
    fn->created_ms = jf_int(o, "created");
    json_object *part;
    json_object_object_get_ex(o, "latest", &part);
    fn->latest = version_from(part, fn);
    if (json_object_object_get_ex(o, "versions", &part)) {
        size_t n = json_object_array_length(part);
        fn->versions = calloc(n ? n : 1, sizeof *fn->versions);
        for (size_t i = 0; i < n; i++)
            fn->versions[fn->n_versions++] = version_from(json_object_array_get_idx(part, i), fn);
    }
    if (json_object_object_get_ex(o, "invoke_configs", &part)) {
        size_t n = json_object_array_length(part);
        fn->invoke_cfgs = calloc(n ? n : 1, sizeof *fn->invoke_cfgs);
        for (size_t i = 0; i < n; i++)
            invoke_config_from(json_object_array_get_idx(part, i),
                               &fn->invoke_cfgs[fn->n_invoke_cfgs++]);
    }
    return fn;
}

/* --- the database --------------------------------------------------------------------------- */

static int load_functions(void)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT account, region, name, doc FROM functions", -1, &st, NULL) !=
        SQLITE_OK)
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_object *doc = json_tokener_parse((const char *)sqlite3_column_text(st, 3));
        if (!doc) {
            log_error("lambda: unreadable function %s in lambda.sqlite",
                      (const char *)sqlite3_column_text(st, 2));
            continue;
        }
        fn_insert(function_from((const char *)sqlite3_column_text(st, 0),
                                (const char *)sqlite3_column_text(st, 1),
                                (const char *)sqlite3_column_text(st, 2), doc));
        json_object_put(doc);
    }
    sqlite3_finalize(st);
    return 0;
}

int fnmeta_open(const char *data_dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/lambda.sqlite", data_dir);
    char *msg = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL, &msg) !=
            SQLITE_OK ||
        sqlite3_exec(db, schema, NULL, NULL, &msg) != SQLITE_OK || load_functions() < 0) {
        log_error("lambda: cannot open %s: %s", path, msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        fnmeta_close();
        return -1;
    }
    return 0;
}

struct sqlite3 *fnmeta_db(void)
{
    return db;
}

void fnmeta_close(void)
{
    sqlite3_close(db);
    db = NULL;
}

/* Runs one statement with text parameters; -1 (logged) on error. */
static int run(const char *sql, const char *const *params, int n)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    for (int i = 0; rc == SQLITE_OK && i < n; i++)
        rc = sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_TRANSIENT);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        log_error("lambda: lambda.sqlite: %s", sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

int fnmeta_put(const lambda_function *fn, const fn_version *new_latest,
               const fn_version *new_version)
{
    char *doc = function_doc(fn, new_latest, new_version);
    const char *params[] = {fn->account, fn->region, fn->name, doc};
    int rc = run("INSERT OR REPLACE INTO functions VALUES (?, ?, ?, ?)", params, 4);
    free(doc);
    return rc;
}

int fnmeta_delete(const lambda_function *fn)
{
    const char *params[] = {fn->account, fn->region, fn->name};
    return run("DELETE FROM functions WHERE account = ? AND region = ? AND name = ?", params, 3);
}

uint64_t fnmeta_async_watermark(void)
{
    sqlite3_stmt *st;
    uint64_t offset = 0;
    if (sqlite3_prepare_v2(db, "SELECT watermark FROM async_state WHERE id = 1", -1, &st, NULL) ==
        SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            offset = (uint64_t)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return offset;
}

int fnmeta_set_async_watermark(uint64_t offset)
{
    char text[24];
    snprintf(text, sizeof text, "%llu", (unsigned long long)offset);
    const char *params[] = {text};
    return run("INSERT OR REPLACE INTO async_state VALUES (1, CAST(? AS INTEGER))", params, 1);
}
