/* queue.c - a queue's lifecycle: opening its two logs and rebuilding its message index from
 * them, closing, and its URL (see queue.h).
 *
 * Start-up replays the messages log from its trim horizon (headers only matter: send time,
 * delay, carried receive counts), then the state log from its horizon (receive counts, first
 * receive times, deletions). Messages that were in flight come back visible, as after a
 * visibility timeout. */
#include "queue.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/clock.h"
#include "../common/log.h"
#include "../core/call.h"
#include "record.h"

#define REPLAY_BATCH 4096
#define REPLAY_BYTES (16u << 20)

void queue_log_path(uint64_t uid, const char *log, char *out, size_t len)
{
    snprintf(out, len, "sqs/%" PRIu64 "/%s", uid, log);
}

/* Reads every committed record of a log from its horizon; false on an I/O error. */
static bool read_all(shardlog *log, log_visit_fn visit, void *arg)
{
    uint64_t at = shardlog_trim_horizon(log), end = shardlog_committed(log);
    while (at < end) {
        uint64_t next = at;
        if (shardlog_read(log, at, REPLAY_BATCH, REPLAY_BYTES, visit, arg, &next) < 0)
            return false;
        if (next == at)
            break;
        at = next;
    }
    return true;
}

static bool replay_message(const log_record *rec, void *arg)
{
    msg_index *ix = arg;
    msg_header h;
    if (rec->offset != msgindex_end(ix))
        return true; /* cannot happen: offsets are consecutive from the horizon */
    if (!record_header_decode(rec->partition_key, rec->partition_key_len, &h)) {
        log_warn("sqs: message %" PRIu64 " has a bad header; dropping it", rec->offset);
        msgindex_add(ix, rec->arrival_ms, 0, 0, 0);
        msgindex_delete(ix, rec->offset, rec->offset + 1);
        return true;
    }
    int64_t visible_at = h.delay_s ? rec->arrival_ms + (int64_t)h.delay_s * 1000 : 0;
    msgindex_add(ix, h.sent_ms, visible_at, h.receive_count, h.first_receive_ms);
    return true;
}

static void replay_received(void *arg, uint64_t offset, uint32_t count, int64_t first_ms)
{
    msgindex_replay_received(arg, offset, count, first_ms);
}

static void replay_deleted(void *arg, uint64_t from, uint64_t to)
{
    msgindex_delete(arg, from, to);
}

static bool replay_state(const log_record *rec, void *arg)
{
    state_visitor v = {replay_received, replay_deleted, arg};
    if (!record_state_replay(rec->data, rec->data_len, &v))
        log_warn("sqs: state record %" PRIu64 " is malformed; its rest is ignored", rec->offset);
    return true;
}

static shardlog *open_log(store *st, uint64_t uid, const char *which)
{
    char path[64];
    queue_log_path(uid, which, path, sizeof path);
    return shardlog_open(st, path);
}

sqs_queue *queue_open(store *st, uint64_t uid, const char *region, const char *account,
                      const char *name)
{
    sqs_queue *q = calloc(1, sizeof *q);
    if (!q)
        abort();
    q->uid = uid;
    q->region = strdup(region);
    q->account = strdup(account);
    q->name = strdup(name);
    size_t n = strlen(region) + strlen(account) + strlen(name) + 16;
    q->arn = malloc(n);
    if (!q->region || !q->account || !q->name || !q->arn)
        abort();
    snprintf(q->arn, n, "arn:aws:sqs:%s:%s:%s", region, account, name);
    attrs_init(&q->attrs);
    pthread_mutex_init(&q->mu, NULL);
    q->messages = open_log(st, uid, "messages");
    q->state = q->messages ? open_log(st, uid, "state") : NULL;
    msgindex_init(&q->index, q->messages ? shardlog_trim_horizon(q->messages) : 0);
    if (!q->state || !read_all(q->messages, replay_message, &q->index) ||
        !read_all(q->state, replay_state, &q->index)) {
        log_error("sqs: cannot open the logs of queue %s", q->arn);
        queue_close(st, q, false);
        return NULL;
    }
    msgindex_advance(&q->index, shardlog_committed(q->messages), clock_now_ms());
    return q;
}

void queue_close(store *st, sqs_queue *q, bool destroy)
{
    char path[64];
    if (q->messages)
        shardlog_close(q->messages);
    if (q->state)
        shardlog_close(q->state);
    if (destroy) {
        queue_log_path(q->uid, "messages", path, sizeof path);
        shardlog_destroy(st, path);
        queue_log_path(q->uid, "state", path, sizeof path);
        shardlog_destroy(st, path);
        snprintf(path, sizeof path, "sqs/%" PRIu64, q->uid);
        char full[4200];
        snprintf(full, sizeof full, "%s/%s", store_dir(st), path);
        remove(full);
    }
    msgindex_free(&q->index);
    attrs_free(&q->attrs);
    for (size_t i = 0; i < q->tag_count; i++) {
        free(q->tags[i].key);
        free(q->tags[i].value);
    }
    free(q->tags);
    free(q->moves);
    pthread_mutex_destroy(&q->mu);
    free(q->region);
    free(q->account);
    free(q->name);
    free(q->arn);
    free(q);
}

bool queue_append_state(sqs_queue *q, const kbuf *rec, int64_t now_ms, uint64_t *ticket)
{
    log_record_in in = {"", 0, rec->data, rec->len};
    uint64_t offset, t = 0;
    int64_t arrival;
    if (shardlog_append(q->state, &in, 1, now_ms, &offset, &arrival, &t) != 0)
        return false;
    q->state_since_snapshot++;
    if (t > *ticket)
        *ticket = t;
    return true;
}

const char *queue_url(op_call *call, const sqs_queue *q)
{
    const char *host = http_request_header(call->request, "host");
    size_t n = (host ? strlen(host) : 9) + strlen(q->account) + strlen(q->name) + 16;
    char *url = arena_alloc(call->arena, n);
    snprintf(url, n, "http://%s/%s/%s", host ? host : "localhost", q->account, q->name);
    return url;
}
