/* service.c - the SQS service: its operation table (where each operation runs, its IAM action,
 * the queue ARN it acts on: AWS's "Actions, resources, and condition keys for Amazon SQS"), and
 * its lifecycle (see sqs.h).
 *
 * Messages (send, receive, delete, visibility) and reads of queue metadata run on the loop
 * threads with sqs_lock held shared (OP_LOOP_READ); everything that writes sqs.sqlite or creates
 * and deletes logs runs on the control thread (OP_CONTROL). Every handler first checks the
 * input's required members (the service validates its own input: service.own_validation). */
#include "sqs.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/clock.h"
#include "../common/log.h"
#include "deliver.h"
#include "errors.h"
#include "meta.h"
#include "ops.h"
#include "receipt.h"
#include "receive.h"

store *sqs_store;

/* ---- the resources an operation acts on ----------------------------------------------------- */

/* The queue's ARN from QueueUrl (.../ACCOUNT/NAME) or QueueName (in QueueOwnerAWSAccountId,
 * else the caller's account). */
static int queue_resource(op_call *call, const char **arns, int max)
{
    (void)max;
    const char *url = kv_str(call->input, "QueueUrl"), *name = kv_str(call->input, "QueueName");
    const char *owner = kv_str(call->input, "QueueOwnerAWSAccountId");
    const char *account = owner ? owner : call->account;
    char acct[32] = "";
    if (url && strrchr(url, '/')) {
        const char *slash = strrchr(url, '/'), *start = slash;
        while (start > url && start[-1] != '/')
            start--;
        size_t n = (size_t)(slash - start);
        if (n < sizeof acct) {
            memcpy(acct, start, n);
            acct[n] = '\0';
            account = acct;
        }
        name = slash + 1;
    }
    if (!name) {
        arns[0] = "*";
        return 1;
    }
    size_t n = strlen(call->region) + strlen(account) + strlen(name) + 16;
    char *arn = arena_alloc(call->arena, n);
    snprintf(arn, n, "arn:aws:sqs:%s:%s:%s", call->region, account, name);
    arns[0] = arn;
    return 1;
}

/* The queue's resource policy (its Policy attribute) and tags, for the authorizer: how another
 * account gets at a queue (service.resource_access). */
static bool queue_access(const char *arn, arena *a, resource_access *out)
{
    pthread_rwlock_rdlock(&sqs_lock);
    const sqs_queue *q = queues_find_arn(arn);
    if (q) {
        resource_access_begin(out, a, q->attrs.values[QA_POLICY], q->tag_count);
        for (size_t i = 0; i < q->tag_count; i++)
            resource_access_tag(out, a, i, q->tags[i].key, q->tags[i].value);
    }
    pthread_rwlock_unlock(&sqs_lock);
    return q != NULL;
}

/* ---- the table ------------------------------------------------------------------------------ */

/* Each handler behind the check of its required members. */
#define CHECKED(handler)                                                                           \
    static void handler##_checked(op_call *call)                                                   \
    {                                                                                              \
        if (ops_check_required(call))                                                              \
            handler(call);                                                                         \
    }

CHECKED(op_create_queue)
CHECKED(op_delete_queue)
CHECKED(op_set_queue_attributes)
CHECKED(op_tag_queue)
CHECKED(op_untag_queue)
CHECKED(op_purge_queue)
CHECKED(op_get_queue_url)
CHECKED(op_list_queues)
CHECKED(op_get_queue_attributes)
CHECKED(op_list_queue_tags)
CHECKED(op_list_dead_letter_source_queues)
CHECKED(op_send_message)
CHECKED(op_send_message_batch)
CHECKED(op_receive_message)
CHECKED(op_delete_message)
CHECKED(op_delete_message_batch)
CHECKED(op_change_message_visibility)
CHECKED(op_change_message_visibility_batch)

#define QUEUE_OP(name, handler, mode)                                                              \
    {                                                                                              \
        name, handler##_checked, mode, "sqs:" name, queue_resource                                 \
    }

static const op_entry sqs_ops[] = {
    QUEUE_OP("CreateQueue", op_create_queue, OP_CONTROL),
    QUEUE_OP("DeleteQueue", op_delete_queue, OP_CONTROL),
    QUEUE_OP("SetQueueAttributes", op_set_queue_attributes, OP_CONTROL),
    QUEUE_OP("TagQueue", op_tag_queue, OP_CONTROL),
    QUEUE_OP("UntagQueue", op_untag_queue, OP_CONTROL),
    QUEUE_OP("PurgeQueue", op_purge_queue, OP_CONTROL),
    QUEUE_OP("GetQueueUrl", op_get_queue_url, OP_LOOP_READ),
    {"ListQueues", op_list_queues_checked, OP_LOOP_READ, "sqs:ListQueues", NULL},
    QUEUE_OP("GetQueueAttributes", op_get_queue_attributes, OP_LOOP_READ),
    QUEUE_OP("ListQueueTags", op_list_queue_tags, OP_LOOP_READ),
    QUEUE_OP("ListDeadLetterSourceQueues", op_list_dead_letter_source_queues, OP_LOOP_READ),
    QUEUE_OP("SendMessage", op_send_message, OP_LOOP_READ),
    /* batches are authorized as their single-message actions, as AWS does */
    {"SendMessageBatch", op_send_message_batch_checked, OP_LOOP_READ, "sqs:SendMessage",
     queue_resource},
    QUEUE_OP("ReceiveMessage", op_receive_message, OP_LOOP_READ),
    QUEUE_OP("DeleteMessage", op_delete_message, OP_LOOP_READ),
    {"DeleteMessageBatch", op_delete_message_batch_checked, OP_LOOP_READ, "sqs:DeleteMessage",
     queue_resource},
    QUEUE_OP("ChangeMessageVisibility", op_change_message_visibility, OP_LOOP_READ),
    {"ChangeMessageVisibilityBatch", op_change_message_visibility_batch_checked, OP_LOOP_READ,
     "sqs:ChangeMessageVisibility", queue_resource},
    {NULL, NULL, OP_LOOP, NULL, NULL},
};

static void serve_waiting(sqs_queue *q, void *arg)
{
    if (atomic_load(&q->waiting))
        waiters_serve(q, *(const int64_t *)arg);
}

/* On every loop when the store made more appends durable: serve the long polls of queues that
 * may now have messages, and report internal deliveries. */
static void sqs_on_durable(void)
{
    int64_t now_ms = clock_now_ms();
    pthread_rwlock_rdlock(&sqs_lock);
    if (waiters_total())
        queues_all(serve_waiting, &now_ms);
    deliver_poll();
    pthread_rwlock_unlock(&sqs_lock);
}

service sqs_service = {
    .name = "sqs",
    .model = MODEL_SQS,
    .ops = sqs_ops,
    .lock = &sqs_lock,
    .tick = sqs_tick,
    .tick_ms = SQS_TICK_MS,
    .on_durable = sqs_on_durable,
    .own_validation = true,
    .resource_access = queue_access,
    .access_denied = sqs_access_denied,
};

/* ---- lifecycle ------------------------------------------------------------------------------ */

static bool load_failed;

static void load_queue(const sqsmeta_queue_row *row, void *arg)
{
    (void)arg;
    sqs_queue *q = queue_open(sqs_store, row->uid, row->region, row->account, row->name);
    if (!q) {
        load_failed = true;
        return;
    }
    q->created_ms = row->created_ms;
    q->modified_ms = row->modified_ms;
    q->last_purge_ms = row->last_purge_ms;
    queues_insert(q);
}

/* Finds a loaded queue by uid (start-up only: a scan). */
typedef struct uid_search {
    uint64_t uid;
    sqs_queue *found;
} uid_search;

static void match_uid(sqs_queue *q, void *arg)
{
    uid_search *s = arg;
    if (q->uid == s->uid)
        s->found = q;
}

static sqs_queue *by_uid(uint64_t uid)
{
    uid_search s = {uid, NULL};
    queues_all(match_uid, &s);
    return s.found;
}

static void load_attr(uint64_t uid, const char *name, const char *value, void *arg)
{
    (void)arg;
    sqs_queue *q = by_uid(uid);
    int id = attrs_find(name);
    if (q && id >= 0)
        attrs_set(&q->attrs, (queue_attr_id)id, value);
}

static void load_tag(uint64_t uid, const char *key, const char *value, void *arg)
{
    (void)arg;
    sqs_queue *q = by_uid(uid);
    if (!q)
        return;
    q->tags = realloc(q->tags, (q->tag_count + 1) * sizeof *q->tags);
    if (!q->tags)
        abort();
    q->tags[q->tag_count++] = (queue_tag){strdup(key), strdup(value)};
}

/* Deletes the log directories of queues that are not in sqs.sqlite (a crash during DeleteQueue
 * after its transaction committed). */
static void remove_orphans(void)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/sqs", store_dir(sqs_store));
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char *end;
        uint64_t uid = strtoull(e->d_name, &end, 10);
        if (e->d_name[0] < '0' || e->d_name[0] > '9' || *end || by_uid(uid))
            continue;
        log_warn("sqs: removing the logs of deleted queue %" PRIu64, uid);
        char path[64];
        queue_log_path(uid, "messages", path, sizeof path);
        shardlog_destroy(sqs_store, path);
        queue_log_path(uid, "state", path, sizeof path);
        shardlog_destroy(sqs_store, path);
        char full[4500];
        snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
        remove(full);
    }
    if (d)
        closedir(d);
}

int sqs_open(store *st)
{
    sqs_store = st;
    if (sqsmeta_open(store_dir(st)) < 0 || receipt_init() < 0 ||
        sqsmeta_each_queue(load_queue, NULL) < 0 || load_failed ||
        sqsmeta_each_attr(load_attr, NULL) < 0 || sqsmeta_each_tag(load_tag, NULL) < 0) {
        sqs_close();
        return -1;
    }
    remove_orphans();
    return 0;
}

void sqs_quiesce(void)
{
    waiters_stop();
}

static void close_queue(sqs_queue *q, void *arg)
{
    (void)arg;
    deliver_forget(q);
    queue_close(sqs_store, q, false);
}

void sqs_close(void)
{
    queues_all(close_queue, NULL);
    queues_clear();
    sqsmeta_close();
}
