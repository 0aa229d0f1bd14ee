/* state.c - the identities in memory: arrays of pointers, looked up by scanning (an account
 * holds tens of users and keys, not millions), changed only by the control thread (see
 * state.h). */
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/masterkey.h"

pthread_rwlock_t iam_lock = PTHREAD_RWLOCK_INITIALIZER;

/* A growable array of pointers. */
typedef struct ptr_array {
    void **items;
    size_t n, cap;
} ptr_array;

static ptr_array accounts, users, roles, keys, managed;

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        abort();
    return p;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        abort();
    return d;
}

static void push(ptr_array *a, void *item)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 16;
        a->items = realloc(a->items, a->cap * sizeof *a->items);
        if (!a->items)
            abort();
    }
    a->items[a->n++] = item;
}

static void drop(ptr_array *a, void *item)
{
    for (size_t i = 0; i < a->n; i++) {
        if (a->items[i] == item) {
            memmove(&a->items[i], &a->items[i + 1], (a->n - i - 1) * sizeof *a->items);
            a->n--;
            return;
        }
    }
}

/* ---- lookups ------------------------------------------------------------------------------- */

iam_account *state_account(const char *id)
{
    for (size_t i = 0; i < accounts.n; i++) {
        iam_account *a = accounts.items[i];
        if (strcmp(a->id, id) == 0)
            return a;
    }
    return NULL;
}

/* The user or role named `name` in `account` among `a`. */
static iam_user *principal_named(const ptr_array *a, const char *account, const char *name)
{
    for (size_t i = 0; i < a->n; i++) {
        iam_user *u = a->items[i];
        if (strcmp(u->account, account) == 0 && strcmp(u->name, name) == 0)
            return u;
    }
    return NULL;
}

iam_user *state_user(const char *account, const char *name)
{
    return principal_named(&users, account, name);
}

iam_user *state_role(const char *account, const char *name)
{
    return principal_named(&roles, account, name);
}

iam_user *state_role_arn(const char *arn)
{
    for (size_t i = 0; i < roles.n; i++) {
        iam_user *r = roles.items[i];
        if (strcmp(r->arn, arn) == 0)
            return r;
    }
    return NULL;
}

iam_key *state_key(const char *id)
{
    for (size_t i = 0; i < keys.n; i++) {
        iam_key *k = keys.items[i];
        if (strcmp(k->id, id) == 0)
            return k;
    }
    return NULL;
}

iam_managed *state_managed(const char *account, const char *name)
{
    for (size_t i = 0; i < managed.n; i++) {
        iam_managed *m = managed.items[i];
        if (strcmp(m->account, account) == 0 && strcmp(m->name, name) == 0)
            return m;
    }
    return NULL;
}

iam_managed *state_managed_arn(const char *arn)
{
    for (size_t i = 0; i < managed.n; i++) {
        iam_managed *m = managed.items[i];
        if (strcmp(m->arn, arn) == 0)
            return m;
    }
    return NULL;
}

size_t state_user_keys(const char *account, const char *user, iam_key **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < keys.n && n < max; i++) {
        iam_key *k = keys.items[i];
        bool same_user = user ? k->user && strcmp(k->user, user) == 0 : !k->user;
        if (strcmp(k->account, account) == 0 && same_user)
            out[n++] = k;
    }
    return n;
}

static int by_user_name(const void *a, const void *b)
{
    return strcmp((*(iam_user *const *)a)->name, (*(iam_user *const *)b)->name);
}

static int by_managed_name(const void *a, const void *b)
{
    return strcmp((*(iam_managed *const *)a)->name, (*(iam_managed *const *)b)->name);
}

/* The items of `a` whose account (at offset 0 of each) is `account`, sorted. */
static void **of_account(const ptr_array *a, const char *account, size_t *n,
                         int (*order)(const void *, const void *))
{
    void **out = xcalloc(a->n, sizeof *out);
    *n = 0;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp((const char *)a->items[i], account) == 0)
            out[(*n)++] = a->items[i];
    qsort(out, *n, sizeof *out, order);
    return out;
}

iam_user **state_users_of(const char *account, size_t *n)
{
    return (iam_user **)of_account(&users, account, n, by_user_name);
}

iam_user **state_roles_of(const char *account, size_t *n)
{
    return (iam_user **)of_account(&roles, account, n, by_user_name);
}

iam_managed **state_managed_of(const char *account, size_t *n)
{
    return (iam_managed **)of_account(&managed, account, n, by_managed_name);
}

/* ---- builders ------------------------------------------------------------------------------ */

static char *make_arn(const char *account, const char *kind, const char *path, const char *name)
{
    size_t n = strlen(account) + strlen(kind) + strlen(path) + strlen(name) + 32;
    char *arn = xcalloc(n, 1);
    snprintf(arn, n, "arn:aws:iam::%s:%s%s%s", account, kind, path, name);
    return arn;
}

iam_user *user_new(const char *account, const char *name, const char *id, const char *path,
                   int64_t created_ms)
{
    iam_user *u = xcalloc(1, sizeof *u);
    snprintf(u->account, sizeof u->account, "%s", account);
    snprintf(u->id, sizeof u->id, "%s", id);
    u->name = xstrdup(name);
    u->path = xstrdup(path);
    u->arn = make_arn(account, "user", path, name);
    u->created_ms = created_ms;
    return u;
}

iam_user *role_new(const char *account, const char *name, const char *id, const char *path,
                   const char *description, char *trust_document, policy *trust, int max_session_s,
                   int64_t created_ms)
{
    iam_user *r = user_new(account, name, id, path, created_ms);
    free(r->arn);
    r->arn = make_arn(account, "role", path, name);
    r->is_role = true;
    r->description = description ? xstrdup(description) : NULL;
    r->trust_document = trust_document;
    r->trust = trust;
    r->max_session_s = max_session_s;
    return r;
}

iam_managed *managed_new(const char *account, const char *name, const char *id, const char *path,
                         const char *description, char *document, policy *compiled,
                         int64_t created_ms)
{
    iam_managed *m = xcalloc(1, sizeof *m);
    snprintf(m->account, sizeof m->account, "%s", account);
    snprintf(m->id, sizeof m->id, "%s", id);
    m->name = xstrdup(name);
    m->path = xstrdup(path);
    m->arn = make_arn(account, "policy", path, name);
    m->description = description ? xstrdup(description) : NULL;
    m->document = document;
    m->compiled = compiled;
    m->created_ms = created_ms;
    return m;
}

iam_key *key_new(const char *account, const char *user, int64_t now_ms)
{
    iam_key *k = xcalloc(1, sizeof *k);
    state_random_id(k->id, "AKIA", IAM_KEY_ID_LEN - 4, true);
    state_random_secret(k->secret);
    snprintf(k->account, sizeof k->account, "%s", account);
    k->user = user ? xstrdup(user) : NULL;
    k->active = true;
    k->created_ms = now_ms;
    return k;
}

void state_random_id(char *out, const char *prefix, size_t n, bool base32)
{
    static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned char bytes[32];
    masterkey_random(bytes, n);
    size_t at = strlen(prefix);
    memcpy(out, prefix, at);
    for (size_t i = 0; i < n; i++)
        out[at + i] = base32 ? b32[bytes[i] % 32] : alnum[bytes[i] % 36];
    out[at + n] = '\0';
}

void state_random_secret(char out[IAM_SECRET_LEN + 1])
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char bytes[IAM_SECRET_LEN];
    masterkey_random(bytes, sizeof bytes);
    for (size_t i = 0; i < IAM_SECRET_LEN; i++)
        out[i] = alphabet[bytes[i] % 64];
    out[IAM_SECRET_LEN] = '\0';
}

/* ---- changes ------------------------------------------------------------------------------- */

static void user_free(iam_user *u)
{
    for (size_t i = 0; i < u->n_tags; i++) {
        free(u->tags[i].key);
        free(u->tags[i].value);
    }
    for (size_t i = 0; i < u->n_inlines; i++) {
        free(u->inlines[i].name);
        free(u->inlines[i].document);
        policy_free(u->inlines[i].compiled);
    }
    free(u->tags);
    free(u->inlines);
    free(u->attached);
    free(u->name);
    free(u->path);
    free(u->arn);
    free(u->description);
    free(u->trust_document);
    policy_free(u->trust);
    free(u);
}

static void managed_free(iam_managed *m)
{
    free(m->name);
    free(m->path);
    free(m->arn);
    free(m->description);
    free(m->document);
    policy_free(m->compiled);
    free(m);
}

static void key_free(iam_key *k)
{
    free(k->user);
    memset(k->secret, 0, sizeof k->secret);
    free(k);
}

void state_add_account(iam_account *a)
{
    push(&accounts, a);
}

void state_add_user(iam_user *u)
{
    push(&users, u);
}

void state_remove_user(iam_user *u)
{
    drop(&users, u);
    user_free(u);
}

void state_add_role(iam_user *r)
{
    push(&roles, r);
}

void state_remove_role(iam_user *r)
{
    drop(&roles, r);
    user_free(r);
}

void state_set_trust(iam_user *r, char *document, policy *compiled)
{
    free(r->trust_document);
    policy_free(r->trust);
    r->trust_document = document;
    r->trust = compiled;
}

void state_add_key(iam_key *k)
{
    push(&keys, k);
}

void state_remove_key(iam_key *k)
{
    drop(&keys, k);
    key_free(k);
}

void state_add_managed(iam_managed *m)
{
    push(&managed, m);
}

void state_remove_managed(iam_managed *m)
{
    drop(&managed, m);
    managed_free(m);
}

iam_inline *state_find_inline(iam_user *u, const char *name)
{
    for (size_t i = 0; i < u->n_inlines; i++)
        if (strcmp(u->inlines[i].name, name) == 0)
            return &u->inlines[i];
    return NULL;
}

void state_put_inline(iam_user *u, const char *name, char *document, policy *compiled)
{
    iam_inline *p = state_find_inline(u, name);
    if (p) {
        free(p->document);
        policy_free(p->compiled);
    } else {
        u->inlines = realloc(u->inlines, (u->n_inlines + 1) * sizeof *u->inlines);
        if (!u->inlines)
            abort();
        p = &u->inlines[u->n_inlines++];
        p->name = xstrdup(name);
    }
    p->document = document;
    p->compiled = compiled;
}

bool state_delete_inline(iam_user *u, const char *name)
{
    iam_inline *p = state_find_inline(u, name);
    if (!p)
        return false;
    free(p->name);
    free(p->document);
    policy_free(p->compiled);
    size_t i = (size_t)(p - u->inlines);
    memmove(p, p + 1, (u->n_inlines - i - 1) * sizeof *p);
    u->n_inlines--;
    return true;
}

void state_attach(iam_user *u, iam_managed *m)
{
    u->attached = realloc(u->attached, (u->n_attached + 1) * sizeof *u->attached);
    if (!u->attached)
        abort();
    u->attached[u->n_attached++] = m;
    m->attachments++;
}

bool state_detach(iam_user *u, iam_managed *m)
{
    for (size_t i = 0; i < u->n_attached; i++) {
        if (u->attached[i] == m) {
            memmove(&u->attached[i], &u->attached[i + 1],
                    (u->n_attached - i - 1) * sizeof *u->attached);
            u->n_attached--;
            m->attachments--;
            return true;
        }
    }
    return false;
}

void state_set_tag(iam_user *u, const char *key, const char *value)
{
    for (size_t i = 0; i < u->n_tags; i++) {
        if (strcmp(u->tags[i].key, key) == 0) {
            free(u->tags[i].value);
            u->tags[i].value = xstrdup(value);
            return;
        }
    }
    u->tags = realloc(u->tags, (u->n_tags + 1) * sizeof *u->tags);
    if (!u->tags)
        abort();
    u->tags[u->n_tags++] = (iam_tag){xstrdup(key), xstrdup(value)};
}

void state_remove_tag(iam_user *u, const char *key)
{
    for (size_t i = 0; i < u->n_tags; i++) {
        if (strcmp(u->tags[i].key, key) == 0) {
            free(u->tags[i].key);
            free(u->tags[i].value);
            memmove(&u->tags[i], &u->tags[i + 1], (u->n_tags - i - 1) * sizeof *u->tags);
            u->n_tags--;
            return;
        }
    }
}

void state_clear(void)
{
    while (users.n)
        state_remove_user(users.items[users.n - 1]);
    while (roles.n)
        state_remove_role(roles.items[roles.n - 1]);
    while (keys.n)
        state_remove_key(keys.items[keys.n - 1]);
    while (managed.n)
        state_remove_managed(managed.items[managed.n - 1]);
    for (size_t i = 0; i < accounts.n; i++)
        free(accounts.items[i]);
    free(users.items), free(roles.items), free(keys.items), free(managed.items);
    free(accounts.items);
    memset(&users, 0, sizeof users), memset(&roles, 0, sizeof roles), memset(&keys, 0, sizeof keys);
    memset(&managed, 0, sizeof managed), memset(&accounts, 0, sizeof accounts);
}

/* ---- last use ------------------------------------------------------------------------------ */

static pthread_mutex_t regions_mu = PTHREAD_MUTEX_INITIALIZER;
static ptr_array regions; /* interned region names, never freed */

static const char *intern_region(const char *region)
{
    pthread_mutex_lock(&regions_mu);
    const char *found = NULL;
    for (size_t i = 0; i < regions.n && !found; i++)
        if (strcmp(regions.items[i], region) == 0)
            found = regions.items[i];
    if (!found) {
        found = xstrdup(region);
        push(&regions, (void *)found);
    }
    pthread_mutex_unlock(&regions_mu);
    return found;
}

void state_key_used(iam_key *k, const char *service, const char *region, int64_t now_ms)
{
    __atomic_store_n(&k->last_used_ms, now_ms, __ATOMIC_RELAXED);
    __atomic_store_n(&k->last_service, service, __ATOMIC_RELAXED);
    const char *r = __atomic_load_n(&k->last_region, __ATOMIC_RELAXED);
    if (!r || strcmp(r, region) != 0)
        __atomic_store_n(&k->last_region, intern_region(region), __ATOMIC_RELAXED);
}
