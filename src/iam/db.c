/* db.c - iam.sqlite: schema, writes, and loading into the in-memory state (see db.h). */
#include "db.h"

#include <openssl/crypto.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"

#define KEYCHECK_TEXT "kinesd iam.sqlite master key check"

static sqlite3 *db;
static const masterkey *master;

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "BEGIN;" /* one commit (one fsync) for the whole schema, not one per table */
    "CREATE TABLE IF NOT EXISTS keycheck(id INTEGER PRIMARY KEY, box BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS accounts(id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS users(account TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT "
    " NULL, path TEXT NOT NULL, created_ms INTEGER NOT NULL, PRIMARY KEY(account, name));"
    "CREATE TABLE IF NOT EXISTS user_tags(account TEXT NOT NULL, user TEXT NOT NULL, pos "
    " INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY(account, user, key));"
    "CREATE TABLE IF NOT EXISTS access_keys(id TEXT PRIMARY KEY, account TEXT NOT NULL, user "
    " TEXT, secret BLOB NOT NULL, active INTEGER NOT NULL, created_ms INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS user_policies(account TEXT NOT NULL, user TEXT NOT NULL, name "
    " TEXT NOT NULL, pos INTEGER NOT NULL, document TEXT NOT NULL,"
    " PRIMARY KEY(account, user, name));"
    "CREATE TABLE IF NOT EXISTS policies(account TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT "
    " NULL, path TEXT NOT NULL, description TEXT, document TEXT NOT NULL, created_ms INTEGER NOT "
    " NULL, PRIMARY KEY(account, name));"
    "CREATE TABLE IF NOT EXISTS attachments(account TEXT NOT NULL, user TEXT NOT NULL, policy "
    " TEXT NOT NULL, pos INTEGER NOT NULL, PRIMARY KEY(account, user, policy));"
    "CREATE TABLE IF NOT EXISTS roles(account TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT "
    " NULL, path TEXT NOT NULL, description TEXT, trust TEXT NOT NULL, max_session_s INTEGER NOT "
    " NULL, created_ms INTEGER NOT NULL, PRIMARY KEY(account, name));"
    "CREATE TABLE IF NOT EXISTS role_tags(account TEXT NOT NULL, role TEXT NOT NULL, pos "
    " INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY(account, role, key));"
    "CREATE TABLE IF NOT EXISTS role_policies(account TEXT NOT NULL, role TEXT NOT NULL, name "
    " TEXT NOT NULL, pos INTEGER NOT NULL, document TEXT NOT NULL,"
    " PRIMARY KEY(account, role, name));"
    "CREATE TABLE IF NOT EXISTS role_attachments(account TEXT NOT NULL, role TEXT NOT NULL, "
    " policy TEXT NOT NULL, pos INTEGER NOT NULL, PRIMARY KEY(account, role, policy));COMMIT;";

/* The tables of a principal's inline policies and attachments, and their column naming it. */
typedef struct principal_tables {
    const char *tags;        /* "user_tags" */
    const char *inlines;     /* "user_policies" */
    const char *attachments; /* "attachments" */
    const char *column;      /* "user" */
} principal_tables;

static const principal_tables user_tables = {"user_tags", "user_policies", "attachments", "user"};
static const principal_tables role_tables = {"role_tags", "role_policies", "role_attachments",
                                             "role"};

static const principal_tables *tables_of(const iam_user *u)
{
    return u->is_role ? &role_tables : &user_tables;
}

static int fail(const char *what)
{
    log_error("iam.sqlite: %s: %s", what, sqlite3_errmsg(db));
    return -1;
}

static sqlite3_stmt *prepare(const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fail(sql);
        return NULL;
    }
    return st;
}

/* Binds texts (NULL binds NULL) then steps once; 0 or -1. */
static int run(const char *sql, int n, const char *const *texts)
{
    sqlite3_stmt *st = prepare(sql);
    if (!st)
        return -1;
    for (int i = 0; i < n; i++)
        sqlite3_bind_text(st, i + 1, texts[i], -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail(sql);
}

#define RUN(sql, ...)                                                                              \
    run(sql, (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)),                  \
        (const char *[]){__VA_ARGS__})

static void bind_int(sqlite3_stmt *st, int i, int64_t v)
{
    sqlite3_bind_int64(st, i, v);
}

/* ---- the master key check ------------------------------------------------------------------ */

static int check_master_key(char *why, size_t why_len)
{
    sqlite3_stmt *st = prepare("SELECT box FROM keycheck WHERE id = 1");
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        kbuf plain = KBUF_INIT;
        bool ok = masterkey_open(master, sqlite3_column_blob(st, 0),
                                 (size_t)sqlite3_column_bytes(st, 0), "keycheck", &plain) &&
                  strcmp(plain.data, KEYCHECK_TEXT) == 0;
        kbuf_free(&plain);
        sqlite3_finalize(st);
        if (!ok)
            snprintf(why, why_len,
                     "the master key does not open iam.sqlite (it was written under another "
                     "key; give the right one with --master-key-file)");
        return ok ? 0 : -1;
    }
    sqlite3_finalize(st);
    kbuf box = KBUF_INIT;
    masterkey_seal(master, KEYCHECK_TEXT, strlen(KEYCHECK_TEXT), "keycheck", &box);
    st = prepare("INSERT INTO keycheck VALUES(1, ?)");
    sqlite3_bind_blob(st, 1, box.data, (int)box.len, SQLITE_STATIC);
    rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    sqlite3_finalize(st);
    kbuf_free(&box);
    return rc == SQLITE_DONE ? 0 : fail("keycheck");
}

int db_open(const char *data_dir, const masterkey *mk, char *why, size_t why_len)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/iam.sqlite", data_dir);
    master = mk;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(why, why_len, "cannot open %s: %s", path, db ? sqlite3_errmsg(db) : "");
        db_close();
        return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    if (check_master_key(why, why_len) != 0) {
        db_close();
        return -1;
    }
    return 0;
}

void db_close(void)
{
    sqlite3_close(db);
    db = NULL;
}

int db_begin(void)
{
    return sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0 : fail("begin");
}

int db_commit(void)
{
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    fail("commit");
    db_rollback();
    return -1;
}

void db_rollback(void)
{
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- writes -------------------------------------------------------------------------------- */

int db_put_account(const iam_account *a)
{
    sqlite3_stmt *st = prepare("INSERT OR REPLACE INTO accounts VALUES(?, ?)");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, a->id, -1, SQLITE_STATIC);
    bind_int(st, 2, a->created_ms);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail("account");
}

static int delete_tags(const iam_user *u)
{
    const principal_tables *t = tables_of(u);
    char sql[200];
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE account = ? AND %s = ?", t->tags, t->column);
    return RUN(sql, u->account, u->name);
}

int db_put_user(const iam_user *u)
{
    sqlite3_stmt *st = prepare("INSERT OR REPLACE INTO users VALUES(?, ?, ?, ?, ?)");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, u->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, u->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, u->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, u->path, -1, SQLITE_STATIC);
    bind_int(st, 5, u->created_ms);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail("user");
}

int db_delete_user(const iam_user *u)
{
    return RUN("DELETE FROM users WHERE account = ? AND name = ?", u->account, u->name) ||
           delete_tags(u);
}

int db_put_tags(const iam_user *u)
{
    char sql[200];
    snprintf(sql, sizeof sql, "INSERT INTO %s VALUES(?, ?, ?, ?, ?)", tables_of(u)->tags);
    if (delete_tags(u))
        return -1;
    for (size_t i = 0; i < u->n_tags; i++) {
        sqlite3_stmt *st = prepare(sql);
        if (!st)
            return -1;
        sqlite3_bind_text(st, 1, u->account, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, u->name, -1, SQLITE_STATIC);
        bind_int(st, 3, (int64_t)i);
        sqlite3_bind_text(st, 4, u->tags[i].key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, u->tags[i].value, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return fail("tag");
    }
    return 0;
}

int db_put_key(const iam_key *k)
{
    kbuf box = KBUF_INIT;
    masterkey_seal(master, k->secret, strlen(k->secret), k->id, &box);
    sqlite3_stmt *st = prepare("INSERT OR REPLACE INTO access_keys VALUES(?, ?, ?, ?, ?, ?)");
    int rc = SQLITE_ERROR;
    if (st) {
        sqlite3_bind_text(st, 1, k->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, k->account, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, k->user, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 4, box.data, (int)box.len, SQLITE_STATIC);
        bind_int(st, 5, k->active);
        bind_int(st, 6, k->created_ms);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
    }
    kbuf_free(&box);
    return rc == SQLITE_DONE ? 0 : fail("access key");
}

int db_delete_key(const iam_key *k)
{
    return RUN("DELETE FROM access_keys WHERE id = ?", k->id);
}

int db_put_inline(const iam_user *u, const char *name, const char *document)
{
    const principal_tables *t = tables_of(u);
    char sql[200];
    snprintf(sql, sizeof sql,
             "INSERT OR REPLACE INTO %s VALUES(?, ?, ?, (SELECT count(*) FROM %s), ?)", t->inlines,
             t->inlines);
    return RUN(sql, u->account, u->name, name, document);
}

int db_delete_inline(const iam_user *u, const char *name)
{
    const principal_tables *t = tables_of(u);
    char sql[200];
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE account = ? AND %s = ? AND name = ?",
             t->inlines, t->column);
    return RUN(sql, u->account, u->name, name);
}

int db_put_managed(const iam_managed *m)
{
    sqlite3_stmt *st = prepare("INSERT OR REPLACE INTO policies VALUES(?, ?, ?, ?, ?, ?, ?)");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, m->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, m->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, m->path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, m->description, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, m->document, -1, SQLITE_STATIC);
    bind_int(st, 7, m->created_ms);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail("policy");
}

int db_delete_managed(const iam_managed *m)
{
    return RUN("DELETE FROM policies WHERE account = ? AND name = ?", m->account, m->name);
}

int db_attach(const iam_user *u, const iam_managed *m)
{
    const principal_tables *t = tables_of(u);
    char sql[200];
    snprintf(sql, sizeof sql,
             "INSERT OR REPLACE INTO %s VALUES(?, ?, ?, (SELECT count(*) FROM %s))", t->attachments,
             t->attachments);
    return RUN(sql, u->account, u->name, m->name);
}

int db_detach(const iam_user *u, const iam_managed *m)
{
    const principal_tables *t = tables_of(u);
    char sql[200];
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE account = ? AND %s = ? AND policy = ?",
             t->attachments, t->column);
    return RUN(sql, u->account, u->name, m->name);
}

int db_put_role(const iam_user *r)
{
    sqlite3_stmt *st = prepare("INSERT OR REPLACE INTO roles VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->description, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r->trust_document, -1, SQLITE_STATIC);
    bind_int(st, 7, r->max_session_s);
    bind_int(st, 8, r->created_ms);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail("role");
}

int db_delete_role(const iam_user *r)
{
    return RUN("DELETE FROM roles WHERE account = ? AND name = ?", r->account, r->name) ||
           delete_tags(r);
}

/* ---- loading ------------------------------------------------------------------------------- */

static const char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : NULL;
}

/* Runs sql and hands each row to fn; -1 when the query or fn fails. */
static int each_row(const char *sql, int (*fn)(sqlite3_stmt *st))
{
    sqlite3_stmt *st = prepare(sql);
    if (!st)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (fn(st) != 0) {
            sqlite3_finalize(st);
            return -1;
        }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail(sql);
}

static int load_account(sqlite3_stmt *st)
{
    iam_account *a = calloc(1, sizeof *a);
    if (!a)
        abort();
    snprintf(a->id, sizeof a->id, "%s", col(st, 0));
    a->created_ms = sqlite3_column_int64(st, 1);
    state_add_account(a);
    return 0;
}

static int load_user(sqlite3_stmt *st)
{
    state_add_user(
        user_new(col(st, 0), col(st, 1), col(st, 2), col(st, 3), sqlite3_column_int64(st, 4)));
    return 0;
}

static void load_tag_into(iam_user *u, sqlite3_stmt *st)
{
    if (u)
        state_set_tag(u, col(st, 3), col(st, 4));
}

static int load_tag(sqlite3_stmt *st)
{
    load_tag_into(state_user(col(st, 0), col(st, 1)), st);
    return 0;
}

static int load_role_tag(sqlite3_stmt *st)
{
    load_tag_into(state_role(col(st, 0), col(st, 1)), st);
    return 0;
}

static int load_key(sqlite3_stmt *st)
{
    iam_key *k = calloc(1, sizeof *k);
    if (!k)
        abort();
    snprintf(k->id, sizeof k->id, "%s", col(st, 0));
    snprintf(k->account, sizeof k->account, "%s", col(st, 1));
    k->user = col(st, 2) ? strdup(col(st, 2)) : NULL;
    kbuf secret = KBUF_INIT;
    if (!masterkey_open(master, sqlite3_column_blob(st, 3), (size_t)sqlite3_column_bytes(st, 3),
                        k->id, &secret) ||
        secret.len > IAM_SECRET_MAX) {
        log_error("iam.sqlite: the secret of access key %s does not open", k->id);
        kbuf_free(&secret);
        free(k->user);
        free(k);
        return -1;
    }
    memcpy(k->secret, secret.data, secret.len + 1);
    OPENSSL_cleanse(secret.data, secret.len);
    kbuf_free(&secret);
    k->active = sqlite3_column_int(st, 4) != 0;
    k->created_ms = sqlite3_column_int64(st, 5);
    state_add_key(k);
    return 0;
}

/* A stored document that no longer parses is kept as text and allows nothing. */
static policy *compile_stored(const char *document)
{
    kbuf why = KBUF_INIT;
    policy *p = policy_parse(document, POLICY_IDENTITY, &why);
    if (!p)
        log_warn("iam.sqlite: a stored policy does not parse (%s); it allows nothing", why.data);
    kbuf_free(&why);
    return p ? p : policy_parse("{\"Statement\":[]}", POLICY_IDENTITY, &why);
}

static int load_role(sqlite3_stmt *st)
{
    kbuf why = KBUF_INIT;
    policy *trust = policy_parse(col(st, 5), POLICY_TRUST, &why);
    if (!trust) /* cannot happen with what CreateRole stored: it then trusts no one */
        trust = policy_parse("{\"Statement\":[]}", POLICY_TRUST, &why);
    kbuf_free(&why);
    state_add_role(role_new(col(st, 0), col(st, 1), col(st, 2), col(st, 3), col(st, 4),
                            strdup(col(st, 5)), trust, sqlite3_column_int(st, 6),
                            sqlite3_column_int64(st, 7)));
    return 0;
}

static void load_inline_into(iam_user *u, sqlite3_stmt *st)
{
    if (u)
        state_put_inline(u, col(st, 2), strdup(col(st, 4)), compile_stored(col(st, 4)));
}

static int load_inline(sqlite3_stmt *st)
{
    load_inline_into(state_user(col(st, 0), col(st, 1)), st);
    return 0;
}

static int load_role_inline(sqlite3_stmt *st)
{
    load_inline_into(state_role(col(st, 0), col(st, 1)), st);
    return 0;
}

static int load_managed(sqlite3_stmt *st)
{
    state_add_managed(managed_new(col(st, 0), col(st, 1), col(st, 2), col(st, 3), col(st, 4),
                                  strdup(col(st, 5)), compile_stored(col(st, 5)),
                                  sqlite3_column_int64(st, 6)));
    return 0;
}

static void load_attachment_into(iam_user *u, sqlite3_stmt *st)
{
    iam_managed *m = state_managed(col(st, 0), col(st, 2));
    if (u && m)
        state_attach(u, m);
}

static int load_attachment(sqlite3_stmt *st)
{
    load_attachment_into(state_user(col(st, 0), col(st, 1)), st);
    return 0;
}

static int load_role_attachment(sqlite3_stmt *st)
{
    load_attachment_into(state_role(col(st, 0), col(st, 1)), st);
    return 0;
}

int db_load(void)
{
    return each_row("SELECT * FROM accounts", load_account) ||
                   each_row("SELECT * FROM users", load_user) ||
                   each_row("SELECT * FROM user_tags ORDER BY pos", load_tag) ||
                   each_row("SELECT * FROM access_keys ORDER BY created_ms", load_key) ||
                   each_row("SELECT * FROM user_policies ORDER BY pos", load_inline) ||
                   each_row("SELECT * FROM policies", load_managed) ||
                   each_row("SELECT * FROM attachments ORDER BY pos", load_attachment) ||
                   each_row("SELECT * FROM roles", load_role) ||
                   each_row("SELECT * FROM role_tags ORDER BY pos", load_role_tag) ||
                   each_row("SELECT * FROM role_policies ORDER BY pos", load_role_inline) ||
                   each_row("SELECT * FROM role_attachments ORDER BY pos", load_role_attachment)
               ? -1
               : 0;
}
