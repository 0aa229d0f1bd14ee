/* state.h - the identities kinesd knows, in memory: accounts, users, roles, access keys, inline
 * and managed policies (compiled), as the IAM control thread last committed them to iam.sqlite.
 *
 * Threads (docs/threading.md): the IAM control thread alone changes this state - after the
 * change is committed - holding iam_lock exclusively for the in-memory work only; loop threads
 * (authentication, authorization, the read-only operations) read it holding iam_lock shared.
 * Pointers are valid only while the lock is held (or on the control thread). A key's last use
 * is recorded by loop threads with atomics, under the shared lock. */
#ifndef KINESD_IAM_STATE_H
#define KINESD_IAM_STATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../auth/policy.h"

#define IAM_ID_LEN 21      /* "AIDA" + 17, "ANPA" + 17, "AROA" + 17 */
#define IAM_KEY_ID_LEN 20  /* "AKIA" + 16 */
#define IAM_SECRET_LEN 40  /* the secrets kinesd makes */
#define IAM_SECRET_MAX 127 /* the longest it takes (KINESD_ROOT_SECRET_ACCESS_KEY) */

typedef struct iam_tag {
    char *key;   /* "team" */
    char *value; /* "data" */
} iam_tag;

/* A policy embedded in a user or a role (PutUserPolicy, PutRolePolicy). */
typedef struct iam_inline {
    char *name;       /* PolicyName */
    char *document;   /* as given */
    policy *compiled; /* parsed once */
} iam_inline;

/* A customer managed policy (CreatePolicy); one version, v1. */
typedef struct iam_managed {
    char account[16];
    char *name;
    char id[IAM_ID_LEN + 1];
    char *path; /* "/" */
    char *arn;  /* arn:aws:iam::ACCOUNT:policy/PATHNAME */
    char *description;
    char *document;
    policy *compiled;
    int64_t created_ms;
    int attachments; /* users and roles it is attached to */
} iam_managed;

/* A user, or a role (is_role): both are principals holding inline and attached managed
 * policies; a role has no keys and is used through sessions (AssumeRole) its trust policy
 * allows. */
typedef struct iam_user {
    char account[16];
    char *name;
    char id[IAM_ID_LEN + 1]; /* AIDA... (users), AROA... (roles) */
    char *path;              /* "/" */
    char *arn;               /* arn:aws:iam::ACCOUNT:user/PATHNAME or :role/PATHNAME */
    int64_t created_ms;
    iam_tag *tags; /* in the order they were first set */
    size_t n_tags;
    iam_inline *inlines;
    size_t n_inlines;
    iam_managed **attached; /* in attachment order */
    size_t n_attached;
    bool is_role;         /* a role (CreateRole) */
    char *description;    /* roles: Description; NULL when none */
    char *trust_document; /* roles: AssumeRolePolicyDocument, as given */
    policy *trust;        /* roles: the trust policy, compiled (POLICY_TRUST) */
    int max_session_s;    /* roles: MaxSessionDuration, 3600..43200 */
} iam_user;

typedef struct iam_key {
    char id[IAM_KEY_ID_LEN + 1];
    char account[16];
    char *user; /* its user's name; NULL for the account's root */
    char secret[IAM_SECRET_MAX + 1];
    bool active;
    int64_t created_ms;
    int64_t last_used_ms;     /* atomic; 0: never (since start-up) */
    const char *last_service; /* atomic; a static signing name */
    const char *last_region;  /* atomic; an interned region */
} iam_key;

typedef struct iam_account {
    char id[16];
    int64_t created_ms;
} iam_account;

extern pthread_rwlock_t iam_lock;

/* Lookups (iam_lock held, or the control thread). */
iam_account *state_account(const char *id);
iam_user *state_user(const char *account, const char *name);
iam_user *state_role(const char *account, const char *name);
iam_user *state_role_arn(const char *arn);
iam_key *state_key(const char *id);
iam_managed *state_managed(const char *account, const char *name);
iam_managed *state_managed_arn(const char *arn);
/* The keys of a user (NULL: the root) of an account, into out (at most max); how many. */
size_t state_user_keys(const char *account, const char *user, iam_key **out, size_t max);
/* Every user / managed policy of an account, sorted by name, into a malloc'd array. */
iam_user **state_users_of(const char *account, size_t *n);
iam_user **state_roles_of(const char *account, size_t *n);
iam_managed **state_managed_of(const char *account, size_t *n);

/* Changes (control thread, iam_lock held exclusively; the objects become the state's). */
void state_add_account(iam_account *a);
void state_add_user(iam_user *u);
void state_remove_user(iam_user *u); /* and frees it */
void state_add_role(iam_user *r);
void state_remove_role(iam_user *r); /* and frees it */
/* Replaces a role's trust policy; takes document and compiled. */
void state_set_trust(iam_user *r, char *document, policy *compiled);
void state_add_key(iam_key *k);
void state_remove_key(iam_key *k); /* and frees it */
void state_add_managed(iam_managed *m);
void state_remove_managed(iam_managed *m); /* and frees it */
/* Sets (or replaces) a user's inline policy; takes document and compiled. */
void state_put_inline(iam_user *u, const char *name, char *document, policy *compiled);
bool state_delete_inline(iam_user *u, const char *name);
iam_inline *state_find_inline(iam_user *u, const char *name);
void state_attach(iam_user *u, iam_managed *m);
bool state_detach(iam_user *u, iam_managed *m);
/* Sets a tag (replacing its value) or removes it. */
void state_set_tag(iam_user *u, const char *key, const char *value);
void state_remove_tag(iam_user *u, const char *key);
void state_clear(void); /* frees everything (shutdown) */

/* Builders. */
iam_user *user_new(const char *account, const char *name, const char *id, const char *path,
                   int64_t created_ms);
/* A role; takes trust_document and trust. */
iam_user *role_new(const char *account, const char *name, const char *id, const char *path,
                   const char *description, char *trust_document, policy *trust, int max_session_s,
                   int64_t created_ms);
iam_managed *managed_new(const char *account, const char *name, const char *id, const char *path,
                         const char *description, char *document, policy *compiled,
                         int64_t created_ms);
/* A new active key of a user (NULL: the root) with a fresh id and secret. */
iam_key *key_new(const char *account, const char *user, int64_t now_ms);
/* A random id: prefix + n characters of [A-Z2-7] (access keys) or [A-Z0-9] (others). */
void state_random_id(char *out, const char *prefix, size_t n, bool base32);
/* A random 40-character secret of [A-Za-z0-9+/]. */
void state_random_secret(char out[IAM_SECRET_LEN + 1]);

/* Records a use of a key (loop threads, iam_lock shared). */
void state_key_used(iam_key *k, const char *service, const char *region, int64_t now_ms);

#endif
