/* ops_queue.c - the operations that change queues, on the service's control thread: each is one
 * sqs.sqlite transaction, then an in-memory publish under sqs_lock held exclusively (pointer and
 * field assignments only).
 *
 * CreateQueue is idempotent for the same attributes and refuses different ones
 * (QueueNameExists); a name deleted less than 60 s ago is refused (QueueDeletedRecently); FIFO
 * queues are not served, and a .fifo name is refused as AWS refuses a name it cannot take. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/service.h"
#include "deliver.h"
#include "errors.h"
#include "meta.h"
#include "ops.h"
#include "receive.h"
#include "record.h"

#define QUEUE_NAME_MAX 80
#define DELETED_RECENTLY_MS 60000
#define PURGE_INTERVAL_MS 60000
#define MAX_TAGS 50

/* The attributes a request sets, checked. */
typedef struct attr_change {
    queue_attr_id id[QA_COUNT];
    const char *value[QA_COUNT];
    size_t n;
} attr_change;

static bool valid_queue_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > QUEUE_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
              (name[i] >= '0' && name[i] <= '9') || name[i] == '-' || name[i] == '_'))
            return false;
    return true;
}

/* RedrivePolicy's target must exist in the same account and region and allow the source. */
static bool check_redrive_target(op_call *call, const char *source_arn, const char *value)
{
    char *dlq_arn = NULL;
    int max_count;
    if (!*value || !attrs_redrive_parts(value, &dlq_arn, &max_count))
        return true;
    sqs_queue *dlq = queues_find_arn(dlq_arn);
    free(dlq_arn);
    const char *reason = NULL;
    if (!dlq || strcmp(dlq->region, call->region) || strcmp(dlq->account, call->account))
        reason = "Dead letter target does not exist.";
    else if (!attrs_redrive_allowed(dlq->attrs.values[QA_REDRIVE_ALLOW_POLICY], source_arn))
        reason = "Dead-letter queue does not allow this queue as a source queue.";
    if (reason)
        sqs_error(call, SQS_INVALID_PARAMETER_VALUE,
                  "Value %s for parameter RedrivePolicy is invalid. Reason: %s", value, reason);
    return !reason;
}

/* Reads and checks the Attributes map (NULL: none). */
static bool read_attrs(op_call *call, const kval *map, const char *source_arn, attr_change *c)
{
    c->n = 0;
    for (size_t i = 0; map && i < map->u.map.n; i++) {
        const char *name = map->u.map.keys[i], *value = map->u.map.vals[i].u.s.ptr;
        int id = attrs_find(name);
        if (id < 0 && !strcmp(name, "FifoQueue") && !strcmp(value, "false"))
            continue; /* a standard queue, said explicitly */
        if (id < 0) {
            sqs_error(call, SQS_INVALID_ATTRIBUTE_NAME, "Unknown Attribute %s.", name);
            return false;
        }
        char reason[256];
        if (!attrs_check((queue_attr_id)id, value, reason, sizeof reason)) {
            if (reason[0])
                sqs_error(call, SQS_INVALID_PARAMETER_VALUE,
                          "Value %s for parameter %s is invalid. Reason: %s", value, name, reason);
            else
                sqs_error(call, SQS_INVALID_ATTRIBUTE_VALUE, "Invalid value for the parameter %s.",
                          name);
            return false;
        }
        if (id == QA_REDRIVE_POLICY && !check_redrive_target(call, source_arn, value))
            return false;
        c->id[c->n] = (queue_attr_id)id;
        c->value[c->n++] = value;
    }
    return true;
}

/* Writes the attributes and times of a change to sqs.sqlite (inside a transaction). */
static int save_attrs(uint64_t uid, const attr_change *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (sqsmeta_set_attr(uid, attrs_name(c->id[i]), *c->value[i] ? c->value[i] : NULL) < 0)
            return -1;
    return 0;
}

static void apply_attrs(sqs_queue *q, const attr_change *c)
{
    for (size_t i = 0; i < c->n; i++)
        attrs_set(&q->attrs, c->id[i], c->value[i]);
}

/* ---- tags ----------------------------------------------------------------------------------- */

/* The tags of q with the changes of a map (set) or a key list (remove), as a new array. */
static queue_tag *edited_tags(const sqs_queue *q, const kval *set, const kval *remove,
                              size_t *count)
{
    size_t cap = q->tag_count + (set ? set->u.map.n : 0), n = 0;
    queue_tag *tags = calloc(cap ? cap : 1, sizeof *tags);
    if (!tags)
        abort();
    for (size_t i = 0; i < q->tag_count; i++) {
        bool drop = false;
        for (size_t j = 0; remove && j < remove->u.list.n; j++)
            drop |= !strcmp(q->tags[i].key, remove->u.list.items[j].u.s.ptr);
        for (size_t j = 0; set && j < set->u.map.n; j++)
            drop |= !strcmp(q->tags[i].key, set->u.map.keys[j]);
        if (!drop)
            tags[n++] = (queue_tag){strdup(q->tags[i].key), strdup(q->tags[i].value)};
    }
    for (size_t j = 0; set && j < set->u.map.n; j++)
        tags[n++] = (queue_tag){strdup(set->u.map.keys[j]), strdup(set->u.map.vals[j].u.s.ptr)};
    *count = n;
    return tags;
}

static void free_tags(queue_tag *tags, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(tags[i].key);
        free(tags[i].value);
    }
    free(tags);
}

static int save_tags(uint64_t uid, const kval *set, const kval *remove)
{
    for (size_t j = 0; remove && j < remove->u.list.n; j++)
        if (sqsmeta_set_tag(uid, remove->u.list.items[j].u.s.ptr, NULL) < 0)
            return -1;
    for (size_t j = 0; set && j < set->u.map.n; j++)
        if (sqsmeta_set_tag(uid, set->u.map.keys[j], set->u.map.vals[j].u.s.ptr) < 0)
            return -1;
    return 0;
}

/* Publishes a queue's new tags (sqs_lock exclusively) and frees the old ones. */
static void publish_tags(sqs_queue *q, queue_tag *tags, size_t n)
{
    pthread_rwlock_wrlock(&sqs_lock);
    queue_tag *old = q->tags;
    size_t old_n = q->tag_count;
    q->tags = tags;
    q->tag_count = n;
    pthread_rwlock_unlock(&sqs_lock);
    free_tags(old, old_n);
}

/* ---- CreateQueue ---------------------------------------------------------------------------- */

/* The first attribute whose requested value differs from the queue's; NULL when none does. */
static const char *differing_attr(const sqs_queue *q, const attr_change *c)
{
    for (size_t i = 0; i < c->n; i++) {
        const char *now = attrs_value(&q->attrs, c->id[i]);
        if (strcmp(now ? now : "", c->value[i]))
            return attrs_name(c->id[i]);
    }
    return NULL;
}

static void write_url(op_call *call, const sqs_queue *q)
{
    enc_map_begin(call->out);
    enc_key(call->out, "QueueUrl");
    enc_str(call->out, queue_url(call, q));
    enc_map_end(call->out);
}

static sqs_queue *create(op_call *call, const char *name, const attr_change *c, const kval *tags)
{
    uint64_t uid;
    sqs_queue *q = NULL;
    if (sqsmeta_begin() < 0)
        return NULL;
    if (sqsmeta_insert_queue(call->region, call->account, name, call->now_ms, &uid) == 0 &&
        save_attrs(uid, c) == 0 && save_tags(uid, tags, NULL) == 0 &&
        (q = queue_open(sqs_store, uid, call->region, call->account, name)) &&
        sqsmeta_commit() == 0)
        return q;
    sqsmeta_rollback();
    if (q)
        queue_close(sqs_store, q, true);
    return NULL;
}

void op_create_queue(op_call *call)
{
    const char *name = kv_str(call->input, "QueueName");
    if (!valid_queue_name(name)) {
        sqs_error(call, SQS_INVALID_PARAMETER_VALUE,
                  "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in "
                  "length");
        return;
    }
    char arn[256];
    snprintf(arn, sizeof arn, "arn:aws:sqs:%s:%s:%s", call->region, call->account, name);
    attr_change c;
    if (!read_attrs(call, kv_get(call->input, "Attributes"), arn, &c))
        return;
    sqs_queue *q = queues_find(call->region, call->account, name);
    if (q) {
        const char *differs = differing_attr(q, &c);
        if (differs)
            sqs_error(call, SQS_QUEUE_NAME_EXISTS,
                      "A queue already exists with the same name and a different value for "
                      "attribute %s",
                      differs);
        else
            write_url(call, q);
        return;
    }
    if (sqsmeta_deleted_since(call->region, call->account, name,
                              call->now_ms - DELETED_RECENTLY_MS)) {
        sqs_error(call, SQS_QUEUE_DELETED_RECENTLY,
                  "You must wait 60 seconds after deleting a queue before you can create "
                  "another with the same name.");
        return;
    }
    if (!(q = create(call, name, &c, kv_get(call->input, "tags")))) {
        ops_fail_internal(call);
        return;
    }
    q->created_ms = q->modified_ms = call->now_ms;
    apply_attrs(q, &c);
    q->tags = edited_tags(q, kv_get(call->input, "tags"), NULL, &q->tag_count);
    pthread_rwlock_wrlock(&sqs_lock);
    queues_insert(q);
    pthread_rwlock_unlock(&sqs_lock);
    service_access_changed();
    write_url(call, q);
}

/* ---- the others ----------------------------------------------------------------------------- */

static void write_empty(op_call *call)
{
    enc_map_begin(call->out);
    enc_map_end(call->out);
}

void op_delete_queue(op_call *call)
{
    sqs_queue *q = ops_queue(call);
    if (!q)
        return;
    if (sqsmeta_begin() < 0 ||
        sqsmeta_delete_queue(q->uid, q->region, q->account, q->name, call->now_ms) < 0 ||
        sqsmeta_commit() < 0) {
        sqsmeta_rollback();
        ops_fail_internal(call);
        return;
    }
    pthread_rwlock_wrlock(&sqs_lock);
    queues_remove(q);
    pthread_rwlock_unlock(&sqs_lock);
    service_access_changed();
    waiters_expire(q, 0, true);
    deliver_forget(q);
    queue_close(sqs_store, q, true);
    write_empty(call);
}

void op_set_queue_attributes(op_call *call)
{
    sqs_queue *q = ops_queue(call);
    attr_change c;
    if (!q || !read_attrs(call, kv_get(call->input, "Attributes"), q->arn, &c))
        return;
    if (sqsmeta_begin() < 0 || save_attrs(q->uid, &c) < 0 ||
        sqsmeta_set_times(q->uid, call->now_ms, q->last_purge_ms) < 0 || sqsmeta_commit() < 0) {
        sqsmeta_rollback();
        ops_fail_internal(call);
        return;
    }
    pthread_rwlock_wrlock(&sqs_lock);
    apply_attrs(q, &c);
    q->modified_ms = call->now_ms;
    pthread_rwlock_unlock(&sqs_lock);
    service_access_changed(); /* the Policy attribute is the queue's resource policy */
    write_empty(call);
}

static void change_tags(op_call *call, const kval *set, const kval *remove)
{
    sqs_queue *q = ops_queue(call);
    if (!q)
        return;
    size_t n;
    queue_tag *tags = edited_tags(q, set, remove, &n);
    if (n > MAX_TAGS) {
        free_tags(tags, n);
        sqs_error(call, SQS_INVALID_PARAMETER_VALUE, "Too many tags added for queue %s.", q->name);
        return;
    }
    if (sqsmeta_begin() < 0 || save_tags(q->uid, set, remove) < 0 || sqsmeta_commit() < 0) {
        sqsmeta_rollback();
        free_tags(tags, n);
        ops_fail_internal(call);
        return;
    }
    publish_tags(q, tags, n);
    service_access_changed();
    write_empty(call);
}

void op_tag_queue(op_call *call)
{
    change_tags(call, kv_get(call->input, "Tags"), NULL);
}

void op_untag_queue(op_call *call)
{
    change_tags(call, NULL, kv_get(call->input, "TagKeys"));
}

void op_purge_queue(op_call *call)
{
    sqs_queue *q = ops_queue(call);
    if (!q)
        return;
    if (q->last_purge_ms && call->now_ms - q->last_purge_ms < PURGE_INTERVAL_MS) {
        sqs_error(call, SQS_PURGE_IN_PROGRESS,
                  "Only one PurgeQueue operation on %s is allowed every 60 seconds.", q->name);
        return;
    }
    kbuf rec = KBUF_INIT;
    pthread_mutex_lock(&q->mu);
    msgindex_advance(&q->index, shardlog_committed(q->messages), call->now_ms);
    uint64_t end = q->index.promoted; /* only committed messages: see record.h */
    record_state_deleted(&rec, 0, end);
    bool ok = queue_append_state(q, &rec, call->now_ms, &call->commit_ticket);
    if (ok)
        msgindex_delete(&q->index, 0, end);
    pthread_mutex_unlock(&q->mu);
    kbuf_free(&rec);
    if (!ok || sqsmeta_begin() < 0 || sqsmeta_set_times(q->uid, q->modified_ms, call->now_ms) < 0 ||
        sqsmeta_commit() < 0) {
        sqsmeta_rollback();
        ops_fail_internal(call);
        return;
    }
    q->last_purge_ms = call->now_ms;
    write_empty(call);
}
