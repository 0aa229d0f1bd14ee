/* consumer.c - the stream consumers kinesd knows (see consumer.h).
 *
 * All consumers of all streams sit in one array sorted by (stream uid, name): the consumers of a
 * stream are one run of it, found by binary search, listed in name order. A stream has at most
 * CONSUMERS_PER_STREAM of them, so the array stays small. Every change is committed to
 * meta.sqlite before it is published under registry_lock (see consumer.h). */
#include "consumer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "../core/config.h"
#include "access.h"
#include "meta.h"
#include "registry_edit.h"

static consumer **consumers; /* sorted by consumer_order */
static size_t nconsumers, capconsumers;

const char *consumer_status_name(consumer_status status)
{
    switch (status) {
    case CONSUMER_CREATING:
        return "CREATING";
    case CONSUMER_ACTIVE:
        return "ACTIVE";
    case CONSUMER_DELETING:
        return "DELETING";
    }
    return "ACTIVE";
}

consumer_status consumer_status_parse(const char *name)
{
    if (strcmp(name, "CREATING") == 0)
        return CONSUMER_CREATING;
    if (strcmp(name, "DELETING") == 0)
        return CONSUMER_DELETING;
    return CONSUMER_ACTIVE;
}

/* ---- the sorted array ---------------------------------------------------------------------- */

static int consumer_order(uint64_t stream_uid, const char *name, const consumer *c)
{
    if (stream_uid != c->stream_uid)
        return stream_uid < c->stream_uid ? -1 : 1;
    return strcmp(name, c->name);
}

/* Index of the first consumer not ordered before the key. */
static size_t lower_bound(uint64_t stream_uid, const char *name)
{
    size_t lo = 0, hi = nconsumers;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (consumer_order(stream_uid, name, consumers[mid]) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void insert_consumer(consumer *c)
{
    if (nconsumers == capconsumers) {
        capconsumers = capconsumers ? capconsumers * 2 : 16;
        consumer **grown = realloc(consumers, capconsumers * sizeof(*grown));
        if (!grown)
            abort();
        consumers = grown;
    }
    size_t at = lower_bound(c->stream_uid, c->name);
    memmove(&consumers[at + 1], &consumers[at], (nconsumers - at) * sizeof(*consumers));
    consumers[at] = c;
    nconsumers++;
}

/* Takes the consumer at index `at` out of the array and frees it. */
static void remove_at(size_t at)
{
    free(consumers[at]);
    memmove(&consumers[at], &consumers[at + 1], (nconsumers - at - 1) * sizeof(*consumers));
    nconsumers--;
}

size_t consumers_of(uint64_t stream_uid)
{
    size_t first = lower_bound(stream_uid, ""), end = first;
    while (end < nconsumers && consumers[end]->stream_uid == stream_uid)
        end++;
    return end - first;
}

consumer *consumer_at(uint64_t stream_uid, size_t i)
{
    size_t at = lower_bound(stream_uid, "") + i;
    return at < nconsumers && consumers[at]->stream_uid == stream_uid ? consumers[at] : NULL;
}

size_t consumer_after(uint64_t stream_uid, const char *name)
{
    size_t first = lower_bound(stream_uid, ""), at = lower_bound(stream_uid, name);
    if (at < nconsumers && consumer_order(stream_uid, name, consumers[at]) == 0)
        at++;
    return at - first;
}

consumer *consumer_find(uint64_t stream_uid, const char *name)
{
    size_t at = lower_bound(stream_uid, name);
    if (at < nconsumers && consumer_order(stream_uid, name, consumers[at]) == 0)
        return consumers[at];
    return NULL;
}

consumer *consumer_find_arn(const char *arn)
{
    for (size_t i = 0; i < nconsumers; i++)
        if (strcmp(consumers[i]->arn, arn) == 0)
            return consumers[i];
    return NULL;
}

bool consumer_require_active(const consumer *c, const char *stream_name, const char *account,
                             aws_error *err)
{
    if (c->status == CONSUMER_ACTIVE)
        return true;
    aws_error_set(err, 400, "ResourceInUseException",
                  "Consumer %s with creation timestamp %lld under stream: %s , account %s is not "
                  "in ACTIVE status.",
                  c->name, (long long)(c->created_ms / 1000), stream_name, account);
    return false;
}

/* ---- loading ------------------------------------------------------------------------------- */

static int adopt_loaded(consumer *c, void *arg)
{
    (void)arg;
    if (c->transition_at_ms) /* a deadline of the process that wrote it: pending, from now */
        c->transition_at_ms = registry_transition_deadline();
    insert_consumer(c);
    return 0;
}

int consumers_load(void)
{
    return meta_load_consumers(registry_meta(), adopt_loaded, NULL);
}

void consumers_clear(void)
{
    for (size_t i = 0; i < nconsumers; i++)
        free(consumers[i]);
    free(consumers);
    consumers = NULL;
    nconsumers = capconsumers = 0;
}

/* ---- changes ------------------------------------------------------------------------------- */

static void write_lock(void)
{
    pthread_rwlock_wrlock(&registry_lock);
}

/* The consumer's row and its tags, in one transaction. */
static int commit_new_consumer(const consumer *c, const kval *tags)
{
    meta *m = registry_meta();
    tag_owner owner = {c->stream_uid, c->arn};
    if (meta_begin(m) != 0)
        return -1;
    return meta_end(m, meta_put_consumer(m, c) || registry_put_tags(m, &owner, tags));
}

consumer *consumer_register(uint64_t stream_uid, const char *stream_arn, const char *name,
                            const kval *tags, int64_t now_ms)
{
    consumer *c = calloc(1, sizeof(*c));
    if (!c)
        abort();
    c->stream_uid = stream_uid;
    snprintf(c->name, sizeof(c->name), "%s", name);
    snprintf(c->stream_arn, sizeof(c->stream_arn), "%s", stream_arn);
    snprintf(c->arn, sizeof(c->arn), "%s/consumer/%s:%lld", stream_arn, name,
             (long long)(now_ms / 1000));
    c->created_ms = now_ms;
    c->status = kinesd_cfg.transition_ms > 0 ? CONSUMER_CREATING : CONSUMER_ACTIVE;
    if (c->status == CONSUMER_CREATING)
        c->transition_at_ms = registry_transition_deadline();
    if (commit_new_consumer(c, tags) != 0) {
        free(c);
        return NULL;
    }
    write_lock();
    insert_consumer(c);
    registry_unlock();
    const stream *s = registry_find_uid(stream_uid);
    if (s && tags)
        access_refresh(s, c);
    return c;
}

/* Deletes a consumer for good: its row (with its tags and policy), then its memory. */
static int remove_consumer(consumer *c)
{
    meta *m = registry_meta();
    if (meta_begin(m) != 0 || meta_end(m, meta_delete_consumer(m, c)) != 0)
        return -1;
    access_forget(c->arn);
    write_lock();
    remove_at(lower_bound(c->stream_uid, c->name));
    registry_unlock();
    return 0;
}

/* Commits `next` (a changed copy of c), then publishes it into c. */
static int update_consumer(consumer *c, const consumer *next)
{
    if (meta_put_consumer(registry_meta(), next) != 0)
        return -1;
    write_lock();
    *c = *next;
    registry_unlock();
    return 0;
}

int consumer_start_deleting(consumer *c)
{
    if (kinesd_cfg.transition_ms <= 0)
        return remove_consumer(c);
    consumer next = *c;
    next.status = CONSUMER_DELETING;
    next.transition_at_ms = registry_transition_deadline();
    return update_consumer(c, &next);
}

int consumers_put_deleting(uint64_t stream_uid, int64_t until_ms)
{
    int rc = 0;
    for (size_t i = lower_bound(stream_uid, "");
         rc == 0 && i < nconsumers && consumers[i]->stream_uid == stream_uid; i++) {
        consumer next = *consumers[i];
        next.status = CONSUMER_DELETING;
        next.transition_at_ms = until_ms;
        rc = meta_put_consumer(registry_meta(), &next);
    }
    return rc;
}

void consumers_set_deleting(uint64_t stream_uid, int64_t until_ms)
{
    for (size_t i = lower_bound(stream_uid, "");
         i < nconsumers && consumers[i]->stream_uid == stream_uid; i++) {
        consumers[i]->status = CONSUMER_DELETING;
        consumers[i]->transition_at_ms = until_ms;
    }
}

void consumers_forget_stream(uint64_t stream_uid)
{
    size_t first = lower_bound(stream_uid, "");
    while (first < nconsumers && consumers[first]->stream_uid == stream_uid)
        remove_at(first);
}

/* ---- the timer ----------------------------------------------------------------------------- */

/* Ends the pending transition of c (which may free c). */
static int finish_transition(consumer *c)
{
    if (c->status == CONSUMER_DELETING)
        return remove_consumer(c);
    consumer next = *c;
    next.status = CONSUMER_ACTIVE;
    next.transition_at_ms = 0;
    return update_consumer(c, &next);
}

void consumers_apply_transitions(int64_t deadline_now)
{
    for (size_t i = nconsumers; i-- > 0;) {
        consumer *c = consumers[i];
        if (c->transition_at_ms && c->transition_at_ms <= deadline_now && finish_transition(c) != 0)
            log_error("consumers: consumer %s: transition not persisted", c->name);
    }
}
