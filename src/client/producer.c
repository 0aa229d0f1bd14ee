/* producer.c - the asynchronous batching producer (see kines/producer.h).
 *
 * Records are spread over lanes by a hash of their partition key, so all records of a key share a
 * lane. Each lane has its own queue, kines_client (connection) and thread, which loops: wait until
 * a batch is due, take it from the lane's queue (at most one entry per partition key), send it
 * with PutRecords outside the lock, report each record's outcome, and put the retryable failures
 * back in front of the lane's queue. A lane has one request in flight at a time, so the lanes
 * give max_in_flight concurrent requests while the records of a key are still sent one batch
 * after the other, retries first. One lock guards the queues, the shared buffer accounting and the
 * statistics. */
#include "kines/producer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/oom.h"
#include "error.h"
#include "kines/aggregation.h"
#include "options.h"
#include "pqueue.h"
#include "records.h"
#include "retry.h"
#include "schema_check.h"

#define DEFAULT_LINGER_MS 100
#define DEFAULT_IN_FLIGHT 4
#define MAX_IN_FLIGHT 64
#define DEFAULT_BUFFERED_BYTES ((size_t)64 * 1024 * 1024)
#define DEFAULT_TTL_MS 60000
#define DEFAULT_AGGREGATE_BYTES 51200 /* the KPL's AggregationMaxSize */
#define MAX_AGGREGATE_BYTES (KINES_MAX_RECORD_BYTES - 4096)
#define KEYSET_SLOTS 1024 /* > 2 * KINES_MAX_BATCH_RECORDS */
#define MAX_BLOCKED 500   /* keys held back in one batch (entries + blocked < KEYSET_SLOTS) */
#define MAX_SCAN 4096     /* records looked at when filling one batch */
#define MAX_WAIT_NS 1000000000LL

static const retry_policy record_backoff = {0, 100, 5000, 0}; /* per failed record */

typedef struct batch batch;

/* The records of the partition keys that hash to one lane, and the thread that sends them. */
typedef struct lane {
    struct kines_producer *p;
    kines_client *client;
    pqueue queue;        /* waiting to be sent, retries in front */
    size_t queued_bytes; /* of the records in queue */
    pthread_cond_t wake; /* records arrived, flush or close */
    batch *batch;        /* the batch being filled or sent */
    pthread_t thread;
    bool started;
} lane;

struct kines_producer {
    char *stream;
    kines_producer_options o;
    pthread_mutex_t lock;
    pthread_mutex_t report_lock; /* on_result is called by one lane at a time */
    pthread_cond_t space;        /* putters: buffer room freed */
    pthread_cond_t idle;         /* flushers: everything has its outcome */
    size_t buffered_bytes;       /* queued and in flight, all lanes */
    size_t outstanding;          /* records queued or in flight, all lanes */
    int flushing;                /* callers waiting in flush */
    bool closing;
    kines_producer_stats stats;
    lane *lanes;
    int lane_count;
};

/* ---- choosing a batch ----------------------------------------------------------------------- */

/* A batch is a list of PutRecords entries; each entry holds the records of one partition key (one
 * record, or with aggregation several, packed into one KPL aggregate). */
typedef struct batch_entry {
    const precord *first;
    size_t bytes; /* estimated size of the entry as sent */
    int records;
    bool closed; /* a record of this key was left behind: later ones must wait too */
} batch_entry;

struct batch {
    pqueue records;
    batch_entry entries[KINES_MAX_BATCH_RECORDS];
    int entry_count;
    size_t bytes;
    const precord *blocked[MAX_BLOCKED]; /* first held-back record of keys that must wait */
    int blocked_count;
    bool full;              /* no more records fit */
    int64_t retry_ns;       /* earliest retry time of a held-back record (INT64_MAX: none) */
    int slot[KEYSET_SLOTS]; /* keys: 0 free, entry index + 1, or -(blocked index + 1) */
};

static uint32_t hash_key(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static const precord *slot_record(const batch *b, int v)
{
    return v > 0 ? b->entries[v - 1].first : b->blocked[-v - 1];
}

/* The key table slot of r's partition key (free when the key is not in the batch yet). */
static int *key_slot(batch *b, const precord *r)
{
    for (uint32_t i = hash_key(r->key, r->key_len) % KEYSET_SLOTS;; i = (i + 1) % KEYSET_SLOTS) {
        if (!b->slot[i])
            return &b->slot[i];
        const precord *o = slot_record(b, b->slot[i]);
        if (o->key_len == r->key_len && memcmp(o->key, r->key, r->key_len) == 0)
            return &b->slot[i];
    }
}

/* Bytes a record adds to an aggregate: its Record message and table overhead, generously. */
static size_t aggregated_size(const precord *r)
{
    return r->len + 16;
}

/* Whether r can join entry e (same key) without breaking the aggregate or batch limits. */
static bool can_join(const kines_producer *p, const batch *b, const batch_entry *e,
                     const precord *r)
{
    return p->o.aggregate && !e->closed && !r->explicit_hash_key && !e->first->explicit_hash_key &&
           e->bytes + aggregated_size(r) <= p->o.max_aggregate_bytes &&
           b->bytes + aggregated_size(r) <= p->o.max_batch_bytes;
}

/* Holds r's key back for this batch: its later records must not overtake r. */
static void block_key(batch *b, int *slot, const precord *r)
{
    if (b->blocked_count == MAX_BLOCKED) {
        b->full = true;
        return;
    }
    b->blocked[b->blocked_count++] = r;
    *slot = -b->blocked_count;
}

/* Places r into the batch; false when it has to wait for a later one. */
static bool place(kines_producer *p, batch *b, precord *r, int64_t now)
{
    int *slot = key_slot(b, r);
    if (*slot < 0)
        return false;
    if (*slot > 0) {
        batch_entry *e = &b->entries[*slot - 1];
        if (!can_join(p, b, e, r)) {
            e->closed = true;
            return false;
        }
        size_t grow = e->records == 1 ? KINES_AGG_MAGIC_LEN + KINES_AGG_MD5_LEN + 16 : 0;
        e->bytes += aggregated_size(r) + grow;
        b->bytes += aggregated_size(r) + grow;
        e->records++;
        r->entry = *slot - 1;
        return true;
    }
    bool fits = b->entry_count < p->o.max_batch_records &&
                b->bytes + precord_size(r) <= p->o.max_batch_bytes;
    if (r->retry_ns > now || !fits) {
        if (r->retry_ns > now && r->retry_ns < b->retry_ns)
            b->retry_ns = r->retry_ns;
        b->full = b->full || b->entry_count == p->o.max_batch_records;
        block_key(b, slot, r);
        return false;
    }
    b->entries[b->entry_count] = (batch_entry){r, precord_size(r), 1, false};
    r->entry = b->entry_count++;
    *slot = b->entry_count;
    b->bytes += precord_size(r);
    return true;
}

/* Moves the lane's next batch from its queue into its batch. */
static void take_batch(lane *l)
{
    batch *b = l->batch;
    memset(b, 0, sizeof *b);
    b->retry_ns = INT64_MAX;
    int64_t now = clock_mono_ns();
    size_t scanned = 0;
    for (precord *r = l->queue.head; r && !b->full && scanned++ < MAX_SCAN;) {
        precord *next = r->next;
        if (place(l->p, b, r, now)) {
            pqueue_remove(&l->queue, r);
            pqueue_push_back(&b->records, r);
            l->queued_bytes -= precord_size(r);
        }
        r = next;
    }
}

static bool batch_due(const lane *l, int64_t now)
{
    const kines_producer *p = l->p;
    if (!l->queue.head)
        return false;
    if (p->flushing || p->closing || l->queue.count >= (size_t)p->o.max_batch_records ||
        l->queued_bytes >= p->o.max_batch_bytes)
        return true;
    return now - l->queue.head->put_ns >= (int64_t)p->o.linger_ms * 1000000;
}

/* Under the lock: waits until `when` (monotonic, as l->wake's clock), or until woken by a put,
 * flush or close. A wall clock stepped back or forward changes nothing. */
static void wait_until(lane *l, int64_t when)
{
    int64_t now = clock_mono_ns();
    if (when <= now)
        return;
    if (when - now > MAX_WAIT_NS)
        when = now + MAX_WAIT_NS; /* the caller looks again */
    struct timespec at = {.tv_sec = when / 1000000000, .tv_nsec = when % 1000000000};
    pthread_cond_timedwait(&l->wake, &l->p->lock, &at);
}

/* The lane's work is done once the producer closes with nothing left in the lane's queue (its
 * one request in flight is its own, already settled when it looks). */
static bool lane_done(const lane *l)
{
    return l->p->closing && !l->queue.head;
}

static void wait_until_due(lane *l)
{
    while (!batch_due(l, clock_mono_ns()) && !lane_done(l)) {
        if (!l->queue.head) {
            pthread_cond_wait(&l->wake, &l->p->lock);
            continue;
        }
        wait_until(l, l->queue.head->put_ns + (int64_t)l->p->o.linger_ms * 1000000);
    }
}

/* ---- outcomes ------------------------------------------------------------------------------- */

typedef struct outcome {
    pqueue done;  /* delivered or dropped: freed after reporting */
    pqueue retry; /* back in front of the buffer */
    uint64_t delivered, failed, bytes;
} outcome;

static void report(kines_producer *p, precord *r, const char *shard, const char *seq,
                   const kines_error *err)
{
    if (!p->o.on_result)
        return;
    pthread_mutex_lock(&p->report_lock);
    p->o.on_result(p->o.user, r->ctx, shard, seq, err);
    pthread_mutex_unlock(&p->report_lock);
}

static bool expired(const kines_producer *p, const precord *r)
{
    return clock_mono_ns() - r->put_ns > (int64_t)p->o.record_ttl_ms * 1000000;
}

/* A record that failed with `err`: retried while retryable and young enough, else reported. */
static void record_failed(kines_producer *p, precord *r, const kines_error *err, bool retryable,
                          outcome *out)
{
    if (retryable && !expired(p, r)) {
        r->retry_ns =
            clock_mono_ns() +
            (int64_t)retry_delay_ms(&record_backoff, r->attempts, retry_random()) * 1000000;
        pqueue_push_back(&out->retry, r);
        return;
    }
    report(p, r, NULL, NULL, err);
    out->failed++;
    pqueue_push_back(&out->done, r);
}

static bool record_code_retryable(const char *code)
{
    return strcmp(code, "ProvisionedThroughputExceededException") == 0 ||
           strcmp(code, "InternalFailure") == 0;
}

static void sort_results(kines_producer *p, batch *b, const kines_put_results *res, outcome *out)
{
    while (b->records.head) {
        precord *r = b->records.head;
        pqueue_remove(&b->records, r);
        const kines_put_result *x = &res->results[r->entry];
        if (!x->error_code) {
            report(p, r, x->shard_id, x->sequence_number, NULL);
            out->delivered++;
            out->bytes += r->len;
            pqueue_push_back(&out->done, r);
            continue;
        }
        kines_error e = {.status = KINES_ERR_SERVICE, .http_status = 200, .attempts = r->attempts};
        snprintf(e.type, sizeof e.type, "%s", x->error_code);
        snprintf(e.message, sizeof e.message, "%s", x->error_message ? x->error_message : "");
        record_failed(p, r, &e, record_code_retryable(x->error_code), out);
    }
}

/* The PutRecords entries of a batch: single records as they are, groups as KPL aggregates
 * (*aggregates collects the buffers to free). NULL when memory is out. */
static kines_put_entry *build_entries(batch *b, unsigned char **aggregates)
{
    int n = b->entry_count;
    kines_put_entry *entries = calloc((size_t)n, sizeof *entries);
    kines_put_entry *members = calloc(b->records.count, sizeof *members);
    size_t *start = calloc((size_t)n + 1, sizeof *start), *fill = calloc((size_t)n, sizeof *fill);
    bool built = entries && members && start && fill;
    for (int i = 0; built && i < n; i++)
        start[i + 1] = start[i] + (size_t)b->entries[i].records;
    for (precord *r = built ? b->records.head : NULL; r; r = r->next) {
        members[start[r->entry] + fill[r->entry]++] =
            (kines_put_entry){r->data, r->len, r->key, r->explicit_hash_key};
        r->attempts++;
    }
    for (int i = 0; built && i < n; i++) {
        entries[i] = members[start[i]];
        if (b->entries[i].records > 1) {
            kines_agg_encode(&members[start[i]], (size_t)b->entries[i].records, &aggregates[i],
                             &entries[i].len);
            entries[i].data = aggregates[i];
            built = aggregates[i] != NULL;
        }
    }
    free(members);
    free(start);
    free(fill);
    if (!built) {
        oom_failed();
        free(entries);
        return NULL;
    }
    return entries;
}

static void send_batch(kines_producer *p, kines_client *client, batch *b, outcome *out)
{
    unsigned char **aggregates = calloc((size_t)b->entry_count, sizeof *aggregates);
    kines_put_entry *entries = aggregates ? build_entries(b, aggregates) : NULL;
    kines_put_results res;
    kines_error err = {0};
    int rc = entries
                 ? kines_put_records(client, p->stream, entries, (size_t)b->entry_count, &res, &err)
                 : kines_out_of_memory(&err);
    if (rc == 0) {
        sort_results(p, b, &res, out);
        kines_put_results_free(&res);
    } else {
        /* out of memory now is not for ever: the records are retried, as after throttling */
        bool retry = kines_error_is_retryable(&err) || err.status == KINES_ERR_MEMORY;
        while (b->records.head) {
            precord *r = b->records.head;
            pqueue_remove(&b->records, r);
            record_failed(p, r, &err, retry, out);
        }
    }
    for (int i = 0; aggregates && i < b->entry_count; i++)
        free(aggregates[i]);
    free(aggregates);
    free(entries);
}

/* ---- the worker ----------------------------------------------------------------------------- */

/* Under the lock: books the outcome, requeues retries in front of the lane's queue, wakes putters
 * and flushers. */
static void settle(lane *l, outcome *out)
{
    kines_producer *p = l->p;
    size_t freed = 0, finished = out->done.count;
    for (precord *r = out->done.head; r; r = r->next)
        freed += precord_size(r);
    p->stats.records_delivered += out->delivered;
    p->stats.records_failed += out->failed;
    p->stats.bytes_delivered += out->bytes;
    p->stats.retried_records += out->retry.count;
    p->stats.requests++;
    for (precord *r = out->retry.head; r; r = r->next)
        l->queued_bytes += precord_size(r);
    pqueue_prepend(&l->queue, &out->retry);
    p->buffered_bytes -= freed;
    p->outstanding -= finished;
    pthread_cond_broadcast(&p->space);
    if (p->outstanding == 0)
        pthread_cond_broadcast(&p->idle);
}

static void free_all(pqueue *q)
{
    while (q->head) {
        precord *r = q->head;
        pqueue_remove(q, r);
        precord_free(r);
    }
}

static void *lane_worker(void *arg)
{
    lane *l = arg;
    kines_producer *p = l->p;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        wait_until_due(l);
        if (lane_done(l))
            break;
        take_batch(l);
        if (l->batch->entry_count == 0) { /* everything due is waiting for its retry time */
            wait_until(l, l->batch->retry_ns);
            continue;
        }
        pthread_mutex_unlock(&p->lock);

        outcome out = {0};
        send_batch(p, l->client, l->batch, &out);
        pthread_mutex_lock(&p->lock);
        settle(l, &out);
        pthread_mutex_unlock(&p->lock);
        free_all(&out.done);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* ---- the public calls ----------------------------------------------------------------------- */

static void apply_defaults(kines_producer_options *o)
{
    if (o->max_batch_records <= 0 || o->max_batch_records > KINES_MAX_BATCH_RECORDS)
        o->max_batch_records = KINES_MAX_BATCH_RECORDS;
    if (o->max_batch_bytes == 0 || o->max_batch_bytes > KINES_MAX_BATCH_BYTES)
        o->max_batch_bytes = KINES_MAX_BATCH_BYTES;
    if (o->max_batch_bytes < KINES_MAX_RECORD_BYTES)
        o->max_batch_bytes = KINES_MAX_RECORD_BYTES; /* the largest record must fit a batch */
    if (o->linger_ms <= 0)
        o->linger_ms = DEFAULT_LINGER_MS;
    if (o->max_buffered_bytes == 0)
        o->max_buffered_bytes = DEFAULT_BUFFERED_BYTES;
    if (o->record_ttl_ms <= 0)
        o->record_ttl_ms = DEFAULT_TTL_MS;
    if (o->max_aggregate_bytes == 0 || o->max_aggregate_bytes > MAX_AGGREGATE_BYTES)
        o->max_aggregate_bytes =
            o->max_aggregate_bytes ? MAX_AGGREGATE_BYTES : DEFAULT_AGGREGATE_BYTES;
    if (o->max_in_flight <= 0)
        o->max_in_flight = DEFAULT_IN_FLIGHT;
    if (o->max_in_flight > MAX_IN_FLIGHT)
        o->max_in_flight = MAX_IN_FLIGHT;
}

static lane *lane_of(kines_producer *p, const precord *r)
{
    return &p->lanes[hash_key(r->key, r->key_len) % (uint32_t)p->lane_count];
}

/* Stops the started lanes (after they sent what they hold) and frees everything. */
static void destroy(kines_producer *p)
{
    pthread_mutex_lock(&p->lock);
    p->closing = true;
    for (int i = 0; i < p->lane_count; i++)
        pthread_cond_signal(&p->lanes[i].wake);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->lane_count; i++) {
        lane *l = &p->lanes[i];
        if (l->started)
            pthread_join(l->thread, NULL);
        kines_client_free(l->client);
        pthread_cond_destroy(&l->wake);
        free(l->batch);
    }
    pthread_mutex_destroy(&p->lock);
    pthread_mutex_destroy(&p->report_lock);
    pthread_cond_destroy(&p->space);
    pthread_cond_destroy(&p->idle);
    free(p->lanes);
    free(p->stream);
    free(p);
}

/* Gives lane i its client, batch and thread; -1 with err set when it cannot. */
static int start_lane(kines_producer *p, int i, const kines_options *client, kines_error *err)
{
    lane *l = &p->lanes[i];
    l->p = p;
    pthread_condattr_t monotonic;
    pthread_condattr_init(&monotonic);
    pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC); /* wait_until's deadlines */
    pthread_cond_init(&l->wake, &monotonic);
    pthread_condattr_destroy(&monotonic);
    l->batch = malloc(sizeof *l->batch);
    if (!l->batch)
        return kines_out_of_memory(err);
    l->client = kines_client_new(client, err);
    if (!l->client)
        return -1;
    l->started = pthread_create(&l->thread, NULL, lane_worker, l) == 0;
    return l->started ? 0 : kines_fail(err, KINES_ERR_CONFIG, "cannot start a producer thread");
}

kines_producer *kines_producer_new(const kines_options *client, const char *stream,
                                   const kines_producer_options *opts, kines_error *err)
{
    kines_producer *p = calloc(1, sizeof *p);
    if (!p) {
        kines_out_of_memory(err);
        return NULL;
    }
    p->stream = oom_strdup(stream);
    options_read(&p->o, sizeof p->o, opts, OPTIONS_V1_SIZE(kines_producer_options, schema));
    apply_defaults(&p->o);
    pthread_mutex_init(&p->lock, NULL);
    pthread_mutex_init(&p->report_lock, NULL);
    pthread_cond_init(&p->space, NULL);
    pthread_cond_init(&p->idle, NULL);
    p->lane_count = p->o.max_in_flight;
    p->lanes = calloc((size_t)p->lane_count, sizeof *p->lanes);
    if (!p->stream || !p->lanes) {
        p->lane_count = 0;
        destroy(p);
        kines_out_of_memory(err);
        return NULL;
    }
    for (int i = 0; i < p->lane_count; i++) {
        if (start_lane(p, i, client, err) != 0) {
            p->lane_count = i + 1;
            destroy(p);
            return NULL;
        }
    }
    return p;
}

/* Waits for room for `size` more bytes; a record larger than the whole buffer waits for empty. */
static int wait_for_room(kines_producer *p, size_t size, kines_error *err)
{
    while (p->buffered_bytes > 0 && p->buffered_bytes + size > p->o.max_buffered_bytes) {
        if (p->o.fail_when_full)
            return kines_fail(err, KINES_ERR_FULL, "producer buffer full (%zu bytes buffered)",
                              p->buffered_bytes);
        pthread_cond_wait(&p->space, &p->lock);
    }
    return 0;
}

int kines_producer_put(kines_producer *p, const void *data, size_t len, const char *partition_key,
                       const char *explicit_hash_key, void *record_ctx, kines_error *err)
{
    kines_put_entry entry = {data, len, partition_key, explicit_hash_key};
    if (record_check(&entry, 0, err) != 0 ||
        schema_check(p->o.schema, data, len, "record", err) != 0)
        return -1;
    precord *r = precord_new(data, len, partition_key, explicit_hash_key, record_ctx, 0);
    if (!r)
        return kines_out_of_memory(err);
    pthread_mutex_lock(&p->lock);
    int rc = wait_for_room(p, precord_size(r), err);
    if (rc == 0) {
        lane *l = lane_of(p, r);
        r->put_ns = clock_mono_ns();
        pqueue_push_back(&l->queue, r);
        l->queued_bytes += precord_size(r);
        p->buffered_bytes += precord_size(r);
        p->outstanding++;
        p->stats.records_put++;
        /* The lane's thread waits without a deadline while its queue is empty. */
        if (l->queue.count == 1 || batch_due(l, r->put_ns))
            pthread_cond_signal(&l->wake);
    }
    pthread_mutex_unlock(&p->lock);
    if (rc != 0)
        precord_free(r);
    return rc;
}

void kines_producer_flush(kines_producer *p)
{
    pthread_mutex_lock(&p->lock);
    p->flushing++;
    for (int i = 0; i < p->lane_count; i++)
        pthread_cond_signal(&p->lanes[i].wake);
    while (p->outstanding > 0)
        pthread_cond_wait(&p->idle, &p->lock);
    p->flushing--;
    pthread_mutex_unlock(&p->lock);
}

void kines_producer_stats_get(kines_producer *p, kines_producer_stats *out)
{
    pthread_mutex_lock(&p->lock);
    *out = p->stats;
    out->buffered_records = p->outstanding;
    pthread_mutex_unlock(&p->lock);
}

void kines_producer_close(kines_producer *p)
{
    if (p)
        destroy(p);
}
