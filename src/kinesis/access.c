/* access.c - streams' resource policies and tags in memory, for the authorizer (see access.h).
 * A stream without either has no entry. */
#include "access.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "meta.h"
#include "registry_edit.h"

typedef struct access_entry {
    char *arn;
    char *policy; /* NULL: none */
    char **keys;  /* tags, ordered by key */
    char **values;
    size_t n_tags;
} access_entry;

static pthread_mutex_t access_mu = PTHREAD_MUTEX_INITIALIZER;
static access_entry *entries;
static size_t n_entries;

static void entry_free(access_entry *e)
{
    for (size_t i = 0; i < e->n_tags; i++) {
        free(e->keys[i]);
        free(e->values[i]);
    }
    free(e->keys);
    free(e->values);
    free(e->policy);
    free(e->arn);
}

static access_entry *find(const char *arn)
{
    for (size_t i = 0; i < n_entries; i++)
        if (strcmp(entries[i].arn, arn) == 0)
            return &entries[i];
    return NULL;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

static bool add_tag(const char *key, const char *value, void *arg)
{
    access_entry *e = arg;
    e->keys = realloc(e->keys, (e->n_tags + 1) * sizeof *e->keys);
    e->values = realloc(e->values, (e->n_tags + 1) * sizeof *e->values);
    if (!e->keys || !e->values)
        abort();
    e->keys[e->n_tags] = xstrdup(key);
    e->values[e->n_tags++] = xstrdup(value);
    return true;
}

/* Replaces (or, with fresh NULL, removes) the entry of arn. */
static void publish(const char *arn, access_entry *fresh)
{
    pthread_mutex_lock(&access_mu);
    access_entry *old = find(arn);
    if (old) {
        entry_free(old);
        *old = entries[--n_entries];
    }
    if (fresh) {
        entries = realloc(entries, (n_entries + 1) * sizeof *entries);
        if (!entries)
            abort();
        entries[n_entries++] = *fresh;
    }
    pthread_mutex_unlock(&access_mu);
    service_access_changed();
}

void access_refresh(const stream *s)
{
    meta *m = registry_meta();
    kbuf policy = KBUF_INIT;
    access_entry e = {0};
    int found = meta_policy_get(m, s->arn, &policy);
    meta_tags_each(m, s->uid, "", add_tag, &e);
    if (found == 1)
        e.policy = kbuf_detach(&policy);
    kbuf_free(&policy);
    if (!e.policy && !e.n_tags) {
        entry_free(&e);
        publish(s->arn, NULL);
        return;
    }
    e.arn = xstrdup(s->arn);
    publish(s->arn, &e);
}

void access_forget(const char *arn)
{
    publish(arn, NULL);
}

bool kinesis_resource_access(const char *arn, arena *a, resource_access *out)
{
    pthread_mutex_lock(&access_mu);
    const access_entry *e = find(arn);
    if (e) {
        out->policy = e->policy ? arena_strdup(a, e->policy) : NULL;
        out->tag_count = e->n_tags;
        out->tag_keys = arena_alloc(a, (e->n_tags + 1) * sizeof(char *));
        out->tag_values = arena_alloc(a, (e->n_tags + 1) * sizeof(char *));
        for (size_t i = 0; i < e->n_tags; i++) {
            out->tag_keys[i] = arena_strdup(a, e->keys[i]);
            out->tag_values[i] = arena_strdup(a, e->values[i]);
        }
    }
    pthread_mutex_unlock(&access_mu);
    return e != NULL;
}

void access_clear(void)
{
    pthread_mutex_lock(&access_mu);
    for (size_t i = 0; i < n_entries; i++)
        entry_free(&entries[i]);
    free(entries);
    entries = NULL;
    n_entries = 0;
    pthread_mutex_unlock(&access_mu);
}
