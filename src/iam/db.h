/* db.h - the identity database: <data-dir>/iam.sqlite, kinesd's IAM metadata.
 *
 * Tables for accounts, users and their tags, roles, access keys (secrets sealed under the master
 * key, masterkey.h), inline and managed policies, attachments, and a check value sealed under the
 * master key, so that start-up with another key fails clearly instead of misreading secrets.
 * WAL mode, synchronous=FULL; one API call is one transaction (db_begin ... db_commit). Only the
 * IAM control thread uses it (and the main thread at start-up, and `kinesd account create`). */
#ifndef KINESD_IAM_DB_H
#define KINESD_IAM_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/masterkey.h"
#include "state.h"

/* Opens (creating) the database under data_dir and checks the master key against it; -1 with
 * a one-line reason in why. */
int db_open(const char *data_dir, const masterkey *mk, char *why, size_t why_len);
void db_close(void);
/* Loads every row into the in-memory state (start-up); -1 on error (logged). */
int db_load(void);

int db_begin(void);
int db_commit(void); /* -1: rolled back */
void db_rollback(void);

int db_put_account(const iam_account *a);
int db_put_user(const iam_user *u);
int db_delete_user(const iam_user *u);
int db_put_tags(const iam_user *u); /* replaces the user's tags */
int db_put_key(const iam_key *k);
int db_delete_key(const iam_key *k);
int db_put_role(const iam_user *r); /* inserts or replaces (UpdateAssumeRolePolicy) */
int db_delete_role(const iam_user *r);
/* Inline policies and attachments of a user or a role (iam_user.is_role). */
int db_put_inline(const iam_user *u, const char *name, const char *document);
int db_delete_inline(const iam_user *u, const char *name);
int db_put_managed(const iam_managed *m);
int db_delete_managed(const iam_managed *m);
int db_attach(const iam_user *u, const iam_managed *m);
int db_detach(const iam_user *u, const iam_managed *m);

#endif
