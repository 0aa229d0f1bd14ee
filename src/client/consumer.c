/* consumer.c - reading every shard of a stream in lineage order (see kines/consumer.h).
 *
 * Each known shard is WAITING (a parent is not read to its end yet), READING, or DONE. next()
 * hands out the records of the current GetRecords page one by one (splitting KPL aggregates),
 * then polls the next shard that is due, round robin; a caught-up shard is polled again after
 * idle_ms. When a shard's iterator runs out (the shard is closed and read), the shard list is
 * fetched again so that its children can start. */
#include "kines/consumer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkpoint.h"
#include "common/clock.h"
#include "common/oom.h"
#include "error.h"
#include "kines/aggregation.h"
#include "options.h"

#define DEFAULT_LIMIT 1000
#define DEFAULT_IDLE_MS 250
#define RELIST_NS (10LL * 1000000000)

typedef enum { SHARD_WAITING, SHARD_READING, SHARD_DONE } shard_state;

typedef struct cshard {
    char *id, *parent, *adjacent;
    shard_state state;
    bool initial;      /* known at start: starts at the configured position */
    char *iterator;    /* NULL: get one before the next poll */
    int64_t due_ns;    /* earliest next poll */
    checkpoint done;   /* the last record handed out (sub_sequence -1: all of it) */
    bool dirty;        /* `done` or DONE changed since the last checkpoint */
    char *skip_below;  /* records numbered below this are skipped (AT_SEQUENCE_NUMBER elsewhere) */
    checkpoint resume; /* where to continue: a checkpoint or `done` after an expired iterator */
} cshard;

struct kines_consumer {
    kines_client *client;
    char *stream, *application;
    kines_consumer_options o;
    checkpoint_store *store;
    cshard *shards;
    size_t count, cap, cursor;
    bool listed;
    int64_t relist_ns;
    /* the page being handed out */
    kines_records page;
    cshard *page_shard;
    size_t page_index;
    kines_user_record *subs; /* the current aggregate's user records */
    long sub_count, sub_index;
    char key_buf[KINES_MAX_PARTITION_KEY + 1];
};

/* Decimal sequence numbers compare by length first (no leading zeros), then by digits. */
static int seq_cmp(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    return la != lb ? (la < lb ? -1 : 1) : strcmp(a, b);
}

static cshard *find_shard(kines_consumer *c, const char *id)
{
    for (size_t i = 0; id && i < c->count; i++)
        if (strcmp(c->shards[i].id, id) == 0)
            return &c->shards[i];
    return NULL;
}

/* ---- discovering shards --------------------------------------------------------------------- */

static int add_shard(kines_consumer *c, const kines_shard *s, kines_error *err)
{
    if (c->count == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        cshard *grown = realloc(c->shards, cap * sizeof *c->shards);
        if (!grown)
            return kines_out_of_memory(err);
        c->shards = grown;
        c->cap = cap;
    }
    cshard *n = &c->shards[c->count];
    memset(n, 0, sizeof *n);
    n->id = oom_strdup(s->shard_id);
    n->parent = oom_strdup(s->parent_shard_id);
    n->adjacent = oom_strdup(s->adjacent_parent_shard_id);
    if (!n->id || (s->parent_shard_id && !n->parent) ||
        (s->adjacent_parent_shard_id && !n->adjacent)) {
        free(n->id);
        free(n->parent);
        free(n->adjacent);
        return kines_out_of_memory(err);
    }
    n->initial = !c->listed;
    n->done.sub_sequence = n->resume.sub_sequence = -1;
    c->count++;
    if (c->store &&
        checkpoint_load(c->store, c->application, c->stream, n->id, &n->resume, err) != 0)
        return -1;
    if (n->resume.finished)
        n->state = SHARD_DONE;
    else if (n->initial && c->o.start.type == KINES_LATEST && s->ending_sequence_number &&
             !n->resume.found)
        n->state = SHARD_DONE; /* closed before we started: nothing new can arrive */
    return 0;
}

static bool parent_done(kines_consumer *c, const char *id)
{
    cshard *p = find_shard(c, id);
    return !p || p->state == SHARD_DONE; /* an unknown parent has expired */
}

static void activate_ready_shards(kines_consumer *c)
{
    for (size_t i = 0; i < c->count; i++) {
        cshard *s = &c->shards[i];
        bool latest_start = s->initial && c->o.start.type == KINES_LATEST;
        if (s->state == SHARD_WAITING &&
            (latest_start || (parent_done(c, s->parent) && parent_done(c, s->adjacent))))
            s->state = SHARD_READING;
    }
}

static int refresh_shards(kines_consumer *c, kines_error *err)
{
    kines_shard_list list;
    if (kines_list_shards(c->client, c->stream, &list, err) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < list.count; i++)
        if (!find_shard(c, list.shards[i].shard_id))
            rc = add_shard(c, &list.shards[i], err);
    kines_shard_list_free(&list);
    c->listed = true;
    c->relist_ns = clock_mono_ns() + RELIST_NS;
    activate_ready_shards(c);
    return rc;
}

/* ---- iterators ------------------------------------------------------------------------------ */

/* Where a shard (re)starts: after its resume point, else at the start position. */
static kines_position start_of(const kines_consumer *c, const cshard *s)
{
    const checkpoint *at = &s->resume;
    if (at->sequence_number[0]) {
        bool partial = at->sub_sequence >= 0; /* the rest of an aggregate is still to come */
        return (kines_position){partial ? KINES_AT_SEQUENCE_NUMBER : KINES_AFTER_SEQUENCE_NUMBER,
                                at->sequence_number, 0};
    }
    return s->initial ? c->o.start : (kines_position){KINES_TRIM_HORIZON, NULL, 0};
}

static int open_iterator(kines_consumer *c, cshard *s, kines_error *err)
{
    if (s->done.sequence_number[0])
        s->resume = s->done; /* an expired iterator: continue after what was handed out */
    kines_position from = start_of(c, s);
    int rc = kines_get_shard_iterator(c->client, c->stream, s->id, &from, &s->iterator, err);
    bool elsewhere = rc != 0 && from.type == KINES_AT_SEQUENCE_NUMBER && s->initial &&
                     !s->resume.sequence_number[0] &&
                     strcmp(err->type, "InvalidArgumentException") == 0;
    if (!elsewhere)
        return rc;
    /* The starting number belongs to another shard: read this one, skipping older records. */
    if (!(s->skip_below = oom_strdup(from.sequence_number)))
        return kines_out_of_memory(err);
    kines_position horizon = {KINES_TRIM_HORIZON, NULL, 0};
    return kines_get_shard_iterator(c->client, c->stream, s->id, &horizon, &s->iterator, err);
}

/* ---- polling -------------------------------------------------------------------------------- */

static void set_page(kines_consumer *c, cshard *s, kines_records *page)
{
    kines_records_free(&c->page);
    c->page = *page;
    c->page_shard = s;
    c->page_index = 0;
}

/* One GetRecords on s; its records become the current page. */
static int poll_shard(kines_consumer *c, cshard *s, kines_error *err)
{
    if (!s->iterator && open_iterator(c, s, err) != 0)
        return -1;
    kines_records page;
    int rc = kines_get_records(c->client, s->iterator, c->o.limit, &page, err);
    if (rc != 0 && strcmp(err->type, "ExpiredIteratorException") == 0) {
        free(s->iterator);
        s->iterator = NULL;
        return 0; /* reopened on the next poll */
    }
    if (rc != 0)
        return -1;
    free(s->iterator);
    s->iterator = oom_strdup(page.next_iterator);
    if (page.next_iterator && !s->iterator) { /* reopened after what was handed out */
        kines_records_free(&page);
        return kines_out_of_memory(err);
    }
    bool caught_up = page.count == 0 && page.millis_behind_latest == 0;
    s->due_ns = clock_mono_ns() + (caught_up ? (int64_t)c->o.idle_ms * 1000000 : 0);
    set_page(c, s, &page);
    return 0;
}

/* Called when the current page is used up: a shard without a next iterator is finished. */
static int finish_page(kines_consumer *c, kines_error *err)
{
    cshard *s = c->page_shard;
    kines_records_free(&c->page);
    c->page_shard = NULL;
    if (!s || s->iterator || s->state != SHARD_READING)
        return 0;
    s->state = SHARD_DONE;
    s->done.finished = true;
    s->dirty = true;
    return refresh_shards(c, err); /* its children may start now */
}

static cshard *next_due_shard(kines_consumer *c, int64_t now, int64_t *earliest)
{
    *earliest = INT64_MAX;
    for (size_t k = 0; k < c->count; k++) {
        cshard *s = &c->shards[(c->cursor + k) % c->count];
        if (s->state != SHARD_READING)
            continue;
        if (s->due_ns <= now) {
            c->cursor = (c->cursor + k + 1) % c->count;
            return s;
        }
        if (s->due_ns < *earliest)
            *earliest = s->due_ns;
    }
    return NULL;
}

/* ---- handing out records -------------------------------------------------------------------- */

/* Whether sub-record `index` of record seq was already handed out before a restart. */
static bool already_seen(const cshard *s, const char *seq, long index)
{
    const checkpoint *r = &s->resume;
    return r->sub_sequence >= 0 && strcmp(r->sequence_number, seq) == 0 && index <= r->sub_sequence;
}

static void fill_record(kines_consumer *c, const kines_record *r, kines_consumer_record *out)
{
    cshard *s = c->page_shard;
    out->shard_id = s->id;
    out->sequence_number = r->sequence_number;
    out->arrival_timestamp = r->arrival_timestamp;
    snprintf(s->done.sequence_number, sizeof s->done.sequence_number, "%s", r->sequence_number);
    s->dirty = true;
    if (c->sub_count <= 0) {
        out->aggregated = false;
        out->sub_sequence_number = 0;
        out->partition_key = r->partition_key;
        out->data = r->data;
        out->len = r->len;
        s->done.sub_sequence = -1;
        return;
    }
    const kines_user_record *u = &c->subs[c->sub_index];
    size_t key_len = u->partition_key_len < KINES_MAX_PARTITION_KEY ? u->partition_key_len
                                                                    : KINES_MAX_PARTITION_KEY;
    memcpy(c->key_buf, u->partition_key, key_len);
    c->key_buf[key_len] = '\0';
    out->aggregated = true;
    out->sub_sequence_number = (uint64_t)c->sub_index;
    out->partition_key = c->key_buf;
    out->data = u->data;
    out->len = u->len;
    s->done.sub_sequence = c->sub_index + 1 < c->sub_count ? c->sub_index : -1;
}

/* Moves to the next (sub-)record of the page that is to be handed out; false at the page's end. */
static bool advance(kines_consumer *c)
{
    cshard *s = c->page_shard;
    for (;;) {
        if (c->sub_count > 0 && ++c->sub_index < c->sub_count) {
            const kines_record *r = &c->page.records[c->page_index - 1];
            if (!already_seen(s, r->sequence_number, c->sub_index))
                return true;
            continue;
        }
        free(c->subs);
        c->subs = NULL;
        c->sub_count = 0;
        if (c->page_index >= c->page.count)
            return false;
        const kines_record *r = &c->page.records[c->page_index++];
        if (s->skip_below && seq_cmp(r->sequence_number, s->skip_below) < 0)
            continue;
        c->sub_count = kines_agg_decode(r->data, r->len, &c->subs);
        if (c->sub_count == KINES_AGG_NO_MEMORY) {
            c->sub_count = 0;
            c->page_index--; /* read again by the next call (next_record sees the failure) */
            return false;
        }
        if (c->sub_count < 0) {
            c->sub_count = 0;
            return true; /* a plain record */
        }
        c->sub_index = -1; /* an aggregate (an empty one yields nothing) */
    }
}

/* ---- the public calls ----------------------------------------------------------------------- */

bool kines_consumer_finished(const kines_consumer *c)
{
    if (!c->listed || c->page_shard)
        return false;
    for (size_t i = 0; i < c->count; i++)
        if (c->shards[i].state != SHARD_DONE)
            return false;
    return true;
}

static void sleep_until(int64_t when_ns)
{
    int64_t ns = when_ns - clock_mono_ns();
    if (ns <= 0)
        return;
    struct timespec ts = {ns / 1000000000, ns % 1000000000};
    nanosleep(&ts, NULL);
}

static int next_record(kines_consumer *c, kines_consumer_record *out, int wait_ms, kines_error *e)
{
    int64_t deadline = clock_mono_ns() + (int64_t)wait_ms * 1000000;
    if (!c->listed && refresh_shards(c, e) != 0)
        return -1;
    for (;;) {
        if (c->page_shard && advance(c)) {
            fill_record(c, &c->page.records[c->page_index - 1], out);
            return 1;
        }
        if (oom_take())
            return kines_out_of_memory(e);
        if (c->page_shard && finish_page(c, e) != 0)
            return -1;
        int64_t now = clock_mono_ns(), earliest;
        if (now >= c->relist_ns && refresh_shards(c, e) != 0)
            return -1;
        cshard *s = next_due_shard(c, now, &earliest);
        if (s) {
            if (poll_shard(c, s, e) != 0)
                return -1;
            continue;
        }
        if (kines_consumer_finished(c) || now >= deadline)
            return 0;
        sleep_until(earliest < deadline ? earliest : deadline);
    }
}

int kines_consumer_next(kines_consumer *c, kines_consumer_record *out, int wait_ms,
                        kines_error *err)
{
    kines_error e;
    kines_error_clear(&e);
    int rc = next_record(c, out, wait_ms, &e);
    if (err)
        *err = e;
    return rc;
}

int kines_consumer_checkpoint(kines_consumer *c, kines_error *err)
{
    if (!c->store)
        return 0;
    if (checkpoint_begin(c->store, err) != 0)
        return -1;
    for (size_t i = 0; i < c->count; i++) {
        cshard *s = &c->shards[i];
        if (!s->dirty)
            continue;
        if (checkpoint_save(c->store, c->application, c->stream, s->id, &s->done, err) != 0) {
            checkpoint_commit(c->store, NULL);
            return -1;
        }
    }
    if (checkpoint_commit(c->store, err) != 0)
        return -1;
    for (size_t i = 0; i < c->count; i++)
        c->shards[i].dirty = false;
    return 0;
}

kines_consumer *kines_consumer_new(const kines_options *client, const char *stream,
                                   const kines_consumer_options *opts, kines_error *err)
{
    kines_consumer *c = calloc(1, sizeof *c);
    if (!c) {
        kines_out_of_memory(err);
        return NULL;
    }
    options_read(&c->o, sizeof c->o, opts, OPTIONS_V1_SIZE(kines_consumer_options, idle_ms));
    c->o.limit = c->o.limit > 0 ? c->o.limit : DEFAULT_LIMIT;
    c->o.idle_ms = c->o.idle_ms > 0 ? c->o.idle_ms : DEFAULT_IDLE_MS;
    c->stream = oom_strdup(stream);
    c->application = oom_strdup(c->o.application ? c->o.application : "default");
    const char *start = c->o.start.sequence_number;
    c->o.start.sequence_number = oom_strdup(start);
    if (!c->stream || !c->application || (start && !c->o.start.sequence_number)) {
        kines_out_of_memory(err);
        kines_consumer_free(c);
        return NULL;
    }
    c->client = kines_client_new(client, err);
    if (c->client && c->o.checkpoint_path)
        c->store = checkpoint_open(c->o.checkpoint_path, err);
    if (!c->client || (c->o.checkpoint_path && !c->store)) {
        kines_consumer_free(c);
        return NULL;
    }
    c->o.checkpoint_path = NULL; /* not kept: the store is open */
    c->o.application = NULL;
    return c;
}

void kines_consumer_free(kines_consumer *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->count; i++) {
        cshard *s = &c->shards[i];
        free(s->id);
        free(s->parent);
        free(s->adjacent);
        free(s->iterator);
        free(s->skip_below);
    }
    free(c->shards);
    free(c->subs);
    kines_records_free(&c->page);
    checkpoint_close(c->store);
    kines_client_free(c->client);
    free((char *)c->o.start.sequence_number);
    free(c->stream);
    free(c->application);
    free(c);
}
