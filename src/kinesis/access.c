/* access.c - the resource policies and tags of streams and consumers in memory, for the
 * authorizer (see access.h). A resource without either has no entry. */
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

void access_refresh(const stream *s, const consumer *c)
{
    const char *arn = c ? c->arn : s->arn;
    tag_owner owner = {s->uid, c ? c->arn : NULL};
    meta *m = registry_meta();
    kbuf policy = KBUF_INIT;
    access_entry e = {0};
    int found = meta_policy_get(m, arn, &policy);
    meta_tags_each(m, &owner, "", add_tag, &e);
    if (found == 1)
        e.policy = kbuf_detach(&policy);
    kbuf_free(&policy);
    if (!e.policy && !e.n_tags) {
        entry_free(&e);
        publish(arn, NULL);
        return;
    }
    e.arn = xstrdup(arn);
    publish(arn, &e);
}

void access_forget(const char *arn)
{
    publish(arn, NULL);
}

void access_forget_stream(const char *stream_arn)
{
    size_t len = strlen(stream_arn);
    pthread_mutex_lock(&access_mu);
    for (size_t i = n_entries; i-- > 0;) {
        const char *arn = entries[i].arn;
        if (strncmp(arn, stream_arn, len) == 0 && (!arn[len] || arn[len] == '/')) {
            entry_free(&entries[i]);
            entries[i] = entries[--n_entries];
        }
    }
    pthread_mutex_unlock(&access_mu);
    service_access_changed();
}

bool kinesis_resource_access(const char *arn, arena *a, resource_access *out)
{
    pthread_mutex_lock(&access_mu);
    const access_entry *e = find(arn);
    if (e) {
        resource_access_begin(out, a, e->policy, e->n_tags);
        for (size_t i = 0; i < e->n_tags; i++)
            resource_access_tag(out, a, i, e->keys[i], e->values[i]);
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
