/* metrics.c - the metrics registry: its series (found by a hash of their names under the registry
 * lock, kept forever) and the per-thread tables samples are added to (see metrics.h, series.h).
 *
 * Each recording thread owns a table: an open-addressing array of slots, one per series the
 * thread has recorded, each with the samples since the last drain (a stat_acc and a histogram of
 * 32-bit counts). The thread takes the table's mutex around its additions; the collector takes it
 * once a second to drain. A thread that exits leaves its table to the collector (a thread-specific
 * key's destructor marks it orphaned), which drains and frees it. metrics_reset empties the
 * tables of live threads rather than freeing them: those threads still point to theirs. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "series.h"

#define MAX_SERIES 100000    /* beyond this new metrics are dropped (logged once) */
#define FIRST_TABLE_SLOTS 64 /* per thread; doubles when half full */
#define FIRST_BUCKETS 1024   /* of the registry; doubles when the series outnumber them */
#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static const char *const unit_names[UNIT_COUNT_OF_UNITS] = {"Seconds",
                                                            "Microseconds",
                                                            "Milliseconds",
                                                            "Bytes",
                                                            "Kilobytes",
                                                            "Megabytes",
                                                            "Gigabytes",
                                                            "Terabytes",
                                                            "Bits",
                                                            "Kilobits",
                                                            "Megabits",
                                                            "Gigabits",
                                                            "Terabits",
                                                            "Percent",
                                                            "Count",
                                                            "Bytes/Second",
                                                            "Kilobytes/Second",
                                                            "Megabytes/Second",
                                                            "Gigabytes/Second",
                                                            "Terabytes/Second",
                                                            "Bits/Second",
                                                            "Kilobits/Second",
                                                            "Megabits/Second",
                                                            "Gigabits/Second",
                                                            "Terabits/Second",
                                                            "Count/Second",
                                                            "None"};

const char *metric_unit_name(metric_unit unit)
{
    return unit < UNIT_COUNT_OF_UNITS ? unit_names[unit] : "None";
}

int metric_unit_parse(const char *name)
{
    for (int u = 0; u < UNIT_COUNT_OF_UNITS; u++)
        if (strcmp(name, unit_names[u]) == 0)
            return u;
    return -1;
}

static atomic_bool enabled = true;

bool metrics_enabled(void)
{
    return atomic_load_explicit(&enabled, memory_order_relaxed);
}

void metrics_set_enabled(bool on)
{
    atomic_store(&enabled, on);
}

/* ---- names and hashes ----------------------------------------------------------------------- */

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* FNV-1a of s and its terminating NUL, continuing from h. */
static uint64_t fnv(uint64_t h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)or_empty(s);; p++) {
        h = (h ^ *p) * FNV_PRIME;
        if (!*p)
            return h;
    }
}

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

/* Independent of the order of the dimensions: their hashes are summed. */
static uint64_t scope_hash(const metric_scope *sc)
{
    uint64_t h = fnv(fnv(fnv(FNV_OFFSET, sc->account), sc->region), sc->ns), dims = 0;
    for (int i = 0; i < sc->n_dims; i++)
        dims += mix(fnv(fnv(FNV_OFFSET, sc->dims[i].name), sc->dims[i].value));
    return mix(h + dims);
}

static uint64_t name_hash(uint64_t scope, const char *name)
{
    return mix(fnv(scope, name));
}

uint64_t series_hash(const metric_scope *scope, const char *name)
{
    return name_hash(scope_hash(scope), name);
}

static bool dims_match(const series *s, const metric_scope *sc)
{
    if (s->n_dims != sc->n_dims)
        return false;
    for (int i = 0; i < sc->n_dims; i++) {
        const metric_dim *d = &sc->dims[i];
        int j = 0;
        while (j < s->n_dims && strcmp(s->dims[j].name, or_empty(d->name)) != 0)
            j++;
        if (j == s->n_dims || strcmp(s->dims[j].value, or_empty(d->value)) != 0)
            return false;
    }
    return true;
}

static bool series_is(const series *s, uint64_t hash, const metric_scope *sc, const char *name)
{
    return s->hash == hash && strcmp(s->name, name) == 0 && strcmp(s->ns, or_empty(sc->ns)) == 0 &&
           strcmp(s->account, or_empty(sc->account)) == 0 &&
           strcmp(s->region, or_empty(sc->region)) == 0 && dims_match(s, sc);
}

/* ---- the registry --------------------------------------------------------------------------- */

pthread_rwlock_t series_export_lock = PTHREAD_RWLOCK_INITIALIZER;

static pthread_mutex_t series_mu = PTHREAD_MUTEX_INITIALIZER;
static series **buckets;                  /* under series_mu */
static size_t bucket_count, series_count; /* under series_mu */
static _Atomic(series *) newest;          /* written under series_mu, read by anyone */
static bool full_logged;                  /* under series_mu */

static char *dup_or_abort(const char *s)
{
    char *copy = strdup(or_empty(s));
    if (!copy)
        abort();
    return copy;
}

static int dim_order(const void *a, const void *b)
{
    return strcmp(((const metric_dim *)a)->name, ((const metric_dim *)b)->name);
}

static series *series_new(const metric_scope *sc, const char *name, uint64_t hash, metric_kind kind,
                          metric_unit unit)
{
    series *s = calloc(1, sizeof *s);
    metric_dim *dims = calloc(sc->n_dims ? (size_t)sc->n_dims : 1, sizeof *dims);
    if (!s || !dims)
        abort();
    for (int i = 0; i < sc->n_dims; i++)
        dims[i] = (metric_dim){dup_or_abort(sc->dims[i].name), dup_or_abort(sc->dims[i].value)};
    qsort(dims, (size_t)sc->n_dims, sizeof *dims, dim_order);
    *s = (series){.hash = hash,
                  .account = dup_or_abort(sc->account),
                  .region = dup_or_abort(sc->region),
                  .ns = dup_or_abort(sc->ns),
                  .name = dup_or_abort(name),
                  .dims = dims,
                  .n_dims = sc->n_dims,
                  .kind = kind,
                  .unit = unit};
    return s;
}

static void grow_buckets(void)
{
    size_t n = bucket_count ? bucket_count * 2 : FIRST_BUCKETS;
    series **fresh = calloc(n, sizeof *fresh);
    if (!fresh)
        abort();
    for (size_t i = 0; i < bucket_count; i++) {
        for (series *s = buckets[i], *next; s; s = next) {
            next = s->bucket;
            s->bucket = fresh[s->hash & (n - 1)];
            fresh[s->hash & (n - 1)] = s;
        }
    }
    free(buckets);
    buckets = fresh;
    bucket_count = n;
}

/* Caller holds series_mu. */
static series *lookup(const metric_scope *sc, const char *name, uint64_t hash)
{
    if (!bucket_count)
        return NULL;
    for (series *s = buckets[hash & (bucket_count - 1)]; s; s = s->bucket)
        if (series_is(s, hash, sc, name))
            return s;
    return NULL;
}

/* Caller holds series_mu; NULL when the registry is full. */
static series *insert(const metric_scope *sc, const char *name, uint64_t hash, metric_kind kind,
                      metric_unit unit)
{
    if (series_count >= MAX_SERIES) {
        if (!full_logged)
            log_warn("metrics: %d metrics recorded; new ones are dropped", MAX_SERIES);
        full_logged = true;
        return NULL;
    }
    if (series_count >= bucket_count)
        grow_buckets();
    series *s = series_new(sc, name, hash, kind, unit);
    s->bucket = buckets[hash & (bucket_count - 1)];
    buckets[hash & (bucket_count - 1)] = s;
    s->older = atomic_load(&newest);
    atomic_store_explicit(&newest, s, memory_order_release);
    series_count++;
    return s;
}

series *series_get(const metric_scope *sc, const char *name, uint64_t hash, metric_kind kind,
                   metric_unit unit)
{
    if (sc->n_dims < 0 || sc->n_dims > METRIC_MAX_DIMS || !name)
        return NULL;
    pthread_mutex_lock(&series_mu);
    series *s = lookup(sc, name, hash);
    if (!s)
        s = insert(sc, name, hash, kind, unit);
    pthread_mutex_unlock(&series_mu);
    return s;
}

series *series_find(const metric_scope *sc, const char *name)
{
    uint64_t hash = series_hash(sc, name);
    pthread_mutex_lock(&series_mu);
    series *s = lookup(sc, name, hash);
    pthread_mutex_unlock(&series_mu);
    return s;
}

series *series_newest(void)
{
    return atomic_load_explicit(&newest, memory_order_acquire);
}

/* ---- per-thread tables ---------------------------------------------------------------------- */

typedef struct slot {
    series *s;      /* NULL: free */
    stat_acc acc;   /* samples since the last drain */
    uint32_t *hist; /* their histogram (HIST_BUCKETS); NULL until the first sample */
} slot;

typedef struct thread_table {
    pthread_mutex_t mu;        /* the owning thread's additions; the collector's drain */
    slot *slots;               /* a power of two of them */
    size_t cap;                /* how many */
    size_t used;               /* how many hold a series */
    bool orphaned;             /* its thread exited (under tables_mu) */
    struct thread_table *next; /* in the list of tables (under tables_mu) */
} thread_table;

static pthread_mutex_t tables_mu = PTHREAD_MUTEX_INITIALIZER;
static thread_table *tables; /* under tables_mu */
static pthread_key_t table_key;
static pthread_once_t table_key_once = PTHREAD_ONCE_INIT;
static _Thread_local thread_table *my_table;

static void orphan_table(void *table)
{
    pthread_mutex_lock(&tables_mu);
    ((thread_table *)table)->orphaned = true;
    pthread_mutex_unlock(&tables_mu);
}

static void make_table_key(void)
{
    pthread_key_create(&table_key, orphan_table);
}

static thread_table *table_of_this_thread(void)
{
    if (my_table)
        return my_table;
    thread_table *t = calloc(1, sizeof *t);
    if (!t || !(t->slots = calloc(FIRST_TABLE_SLOTS, sizeof *t->slots)))
        abort();
    t->cap = FIRST_TABLE_SLOTS;
    pthread_mutex_init(&t->mu, NULL);
    pthread_once(&table_key_once, make_table_key);
    pthread_setspecific(table_key, t);
    pthread_mutex_lock(&tables_mu);
    t->next = tables;
    tables = t;
    pthread_mutex_unlock(&tables_mu);
    return my_table = t;
}

static slot *probe(slot *slots, size_t cap, uint64_t hash, const metric_scope *sc, const char *name)
{
    for (size_t i = hash & (cap - 1);; i = (i + 1) & (cap - 1))
        if (!slots[i].s || (sc && series_is(slots[i].s, hash, sc, name)))
            return &slots[i];
}

/* Caller holds t->mu. */
static void grow_table(thread_table *t)
{
    size_t cap = t->cap * 2;
    slot *fresh = calloc(cap, sizeof *fresh);
    if (!fresh)
        abort();
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].s)
            *probe(fresh, cap, t->slots[i].s->hash, NULL, NULL) = t->slots[i];
    free(t->slots);
    t->slots = fresh;
    t->cap = cap;
}

/* The thread's slot for the sample's series (NULL when the registry has no room). Caller holds
 * t->mu. */
static slot *slot_for(thread_table *t, const metric_scope *sc, uint64_t scope_h,
                      const metric_sample *m)
{
    uint64_t hash = name_hash(scope_h, m->name);
    slot *sl = probe(t->slots, t->cap, hash, sc, m->name);
    if (sl->s)
        return sl;
    series *s = series_get(sc, m->name, hash, m->kind, m->unit);
    if (!s)
        return NULL;
    if (2 * (t->used + 1) > t->cap) {
        grow_table(t);
        sl = probe(t->slots, t->cap, hash, sc, m->name);
    }
    sl->s = s;
    t->used++;
    return sl;
}

static void slot_add(slot *sl, double value)
{
    if (!sl->hist && !(sl->hist = calloc(HIST_BUCKETS, sizeof *sl->hist)))
        abort();
    acc_add(&sl->acc, value, 1);
    sl->hist[hist_bucket(value)]++;
}

void metric_add_all(const metric_scope *sc, const metric_sample *samples, size_t n)
{
    if (!metrics_enabled() || sc->n_dims < 0 || sc->n_dims > METRIC_MAX_DIMS)
        return;
    thread_table *t = table_of_this_thread();
    uint64_t scope_h = scope_hash(sc);
    pthread_mutex_lock(&t->mu);
    for (size_t i = 0; i < n; i++) {
        slot *sl = samples[i].name ? slot_for(t, sc, scope_h, &samples[i]) : NULL;
        if (sl)
            slot_add(sl, samples[i].value);
    }
    pthread_mutex_unlock(&t->mu);
}

void metric_add(const metric_scope *scope, const char *name, metric_kind kind, double value,
                metric_unit unit)
{
    metric_sample m = {name, kind, value, unit};
    metric_add_all(scope, &m, 1);
}

/* ---- the collector's side ------------------------------------------------------------------- */

static void drain_table(thread_table *t, series_drain_fn fn, void *arg)
{
    pthread_mutex_lock(&t->mu);
    for (size_t i = 0; i < t->cap; i++) {
        slot *sl = &t->slots[i];
        if (!sl->s || sl->acc.count == 0)
            continue;
        fn(sl->s, &sl->acc, sl->hist, arg);
        memset(&sl->acc, 0, sizeof sl->acc);
        memset(sl->hist, 0, HIST_BUCKETS * sizeof *sl->hist);
    }
    pthread_mutex_unlock(&t->mu);
}

static void free_table(thread_table *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->slots[i].hist);
    free(t->slots);
    pthread_mutex_destroy(&t->mu);
    free(t);
}

void metrics_drain(series_drain_fn fn, void *arg)
{
    pthread_mutex_lock(&tables_mu);
    for (thread_table **p = &tables; *p;) {
        thread_table *t = *p;
        drain_table(t, fn, arg);
        if (t->orphaned) {
            *p = t->next;
            free_table(t);
        } else {
            p = &t->next;
        }
    }
    pthread_mutex_unlock(&tables_mu);
}

static void free_series(series *s)
{
    for (int i = 0; i < s->n_dims; i++) {
        free((char *)s->dims[i].name);
        free((char *)s->dims[i].value);
    }
    free(s->dims);
    free((char *)s->account);
    free((char *)s->region);
    free((char *)s->ns);
    free((char *)s->name);
    free(s->pending_hist);
    free(s->total_hist);
    free(s);
}

/* Forgets every slot of a live thread's table (its series are about to go). */
static void empty_table(thread_table *t)
{
    pthread_mutex_lock(&t->mu);
    for (size_t i = 0; i < t->cap; i++)
        free(t->slots[i].hist);
    memset(t->slots, 0, t->cap * sizeof *t->slots);
    t->used = 0;
    pthread_mutex_unlock(&t->mu);
}

void metrics_reset(void)
{
    pthread_mutex_lock(&tables_mu);
    for (thread_table **p = &tables; *p;) {
        thread_table *t = *p;
        if (t->orphaned) {
            *p = t->next;
            free_table(t);
        } else {
            empty_table(t);
            p = &t->next;
        }
    }
    pthread_mutex_unlock(&tables_mu);
    pthread_mutex_lock(&series_mu);
    for (series *s = atomic_load(&newest), *older; s; s = older) {
        older = s->older;
        free_series(s);
    }
    atomic_store(&newest, NULL);
    free(buckets);
    buckets = NULL;
    bucket_count = series_count = 0;
    full_logged = false;
    pthread_mutex_unlock(&series_mu);
}
