/* async.c - the asynchronous-invocation queue (see async.h).
 *
 * An event in the log: partition key = its request id; data = one line of JSON naming the target
 * and the attempt ({"id","account","region","name","qualifier","attempt","first","not_before"}),
 * a newline, then the payload. In memory, every event read and not finished is on the pending
 * list in offset order; the first one's offset is the watermark. */
#include "async.h"

#include <json-c/json.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "../common/clock.h"
#include "../common/log.h"
#include "../common/uuid.h"
#include "../store/shardlog.h"
#include "destination.h"
#include "envmgr.h"
#include "fnmeta.h"
#include "jsonfield.h"

#define PUMP_MS 50
#define READ_BATCH 64
#define WATERMARK_EVERY_MS 500
#define TRIM_EVERY_MS (10 * 60 * 1000)
#define KEEP_MS (7LL * 3600 * 1000) /* longer than any event may live (6 hours) */
#define DEFAULT_RETRIES 2
#define DEFAULT_MAX_AGE_S 21600

typedef struct async_event {
    uint64_t offset;                 /* in the log */
    char id[40];                     /* the request id, kept across retries */
    fn_ref target;                   /* the function and qualifier */
    int attempt;                     /* attempts made before this one */
    int64_t first_ms;                /* when the event was first accepted */
    int64_t not_before_ms;           /* not run before this */
    char *payload;                   /* owned */
    size_t payload_len;              /* its bytes */
    bool running;                    /* submitted, not yet finished */
    bool stalled;                    /* kinesd stopped under it: left for the next start */
    struct async_event *prev, *next; /* pending, in offset order */
} async_event;

static struct {
    store *st;
    shardlog *log;
    int retry_delay_ms;
    uint64_t read_offset;                /* environment thread: the next offset to read */
    async_event *head, *tail;            /* environment thread: pending events */
    uv_timer_t pump_timer;               /* environment thread */
    bool pumping;                        /* environment thread: pump_timer is initialised */
    atomic_uint_fast64_t watermark;      /* published by the environment thread */
    uint64_t stored_watermark;           /* control thread */
    int64_t last_store_ms, last_trim_ms; /* control thread */
    atomic_bool pump_posted;             /* a pump job is queued */
} aq;

/* --- the log -------------------------------------------------------------------------------- */

static int append_event(const async_event *ev, const void *payload, size_t len, int64_t now_ms,
                        uint64_t *ticket)
{
    json_object *h = json_object_new_object();
    jf_add_str(h, "id", ev->id);
    jf_add_str(h, "account", ev->target.account);
    jf_add_str(h, "region", ev->target.region);
    jf_add_str(h, "name", ev->target.name);
    jf_add_str(h, "qualifier", ev->target.qualifier);
    jf_add_int(h, "attempt", ev->attempt);
    jf_add_int(h, "first", ev->first_ms);
    jf_add_int(h, "not_before", ev->not_before_ms);
    kbuf data = KBUF_INIT;
    kbuf_puts(&data, json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN |
                                                           JSON_C_TO_STRING_NOSLASHESCAPE));
    kbuf_putc(&data, '\n');
    kbuf_append(&data, payload, len);
    json_object_put(h);
    log_record_in rec = {ev->id, strlen(ev->id), data.data, data.len};
    uint64_t offset;
    int64_t arrival;
    int rc = shardlog_append(aq.log, &rec, 1, now_ms, &offset, &arrival, ticket);
    kbuf_free(&data);
    return rc;
}

int async_enqueue(const fn_ref *target, const char *request_id, const void *payload, size_t len,
                  int64_t now_ms, uint64_t *ticket, aws_error *err)
{
    async_event ev = {.target = *target, .first_ms = now_ms, .not_before_ms = now_ms};
    if (request_id)
        snprintf(ev.id, sizeof ev.id, "%s", request_id);
    else
        uuid_v4(ev.id);
    if (!ev.target.qualifier[0])
        snprintf(ev.target.qualifier, sizeof ev.target.qualifier, "%s", FN_LATEST);
    if (append_event(&ev, payload, len, now_ms, ticket) != 0) {
        aws_error_set(err, 500, "ServiceException", "The event could not be queued.");
        return -1;
    }
    return 0;
}

/* The event a log record holds; NULL when it cannot be read (logged and skipped). */
static async_event *event_of(const log_record *rec)
{
    const char *data = rec->data, *nl = memchr(data, '\n', rec->data_len);
    json_tokener *tok = json_tokener_new();
    json_object *h = nl ? json_tokener_parse_ex(tok, data, (int)(nl - data)) : NULL;
    json_tokener_free(tok);
    if (!h) {
        log_warn("lambda: unreadable async event at offset %llu", (unsigned long long)rec->offset);
        return NULL;
    }
    async_event *ev = calloc(1, sizeof *ev);
    if (!ev)
        abort();
    ev->offset = rec->offset;
    jf_copy(h, "id", ev->id, sizeof ev->id);
    jf_copy(h, "account", ev->target.account, sizeof ev->target.account);
    jf_copy(h, "region", ev->target.region, sizeof ev->target.region);
    jf_copy(h, "name", ev->target.name, sizeof ev->target.name);
    jf_copy(h, "qualifier", ev->target.qualifier, sizeof ev->target.qualifier);
    ev->attempt = (int)jf_int(h, "attempt");
    ev->first_ms = jf_int(h, "first");
    ev->not_before_ms = jf_int(h, "not_before");
    json_object_put(h);
    size_t header_len = (size_t)(nl - data) + 1;
    ev->payload_len = rec->data_len - header_len;
    ev->payload = malloc(ev->payload_len + 1);
    if (!ev->payload)
        abort();
    memcpy(ev->payload, data + header_len, ev->payload_len);
    ev->payload[ev->payload_len] = '\0';
    return ev;
}

/* --- pending events ------------------------------------------------------------------------- */

static void publish_watermark(void)
{
    atomic_store(&aq.watermark, aq.head ? aq.head->offset : aq.read_offset);
}

static void pending_add(async_event *ev)
{
    ev->prev = aq.tail;
    if (aq.tail)
        aq.tail->next = ev;
    else
        aq.head = ev;
    aq.tail = ev;
}

static void event_free(async_event *ev)
{
    free(ev->payload);
    free(ev);
}

/* The event is finished: off the pending list, freed. */
static void event_done(async_event *ev)
{
    if (ev->prev)
        ev->prev->next = ev->next;
    else
        aq.head = ev->next;
    if (ev->next)
        ev->next->prev = ev->prev;
    else
        aq.tail = ev->prev;
    event_free(ev);
    publish_watermark();
}

/* --- outcomes ------------------------------------------------------------------------------- */

typedef struct target_settings {
    int max_retries;
    int max_age_s;
    char on_success[FN_ARN_MAX];
    char on_failure[FN_ARN_MAX];
    char function_arn[FN_ARN_MAX + 140]; /* qualified */
} target_settings;

static void settings_of(const lambda_function *fn, const char *qualifier, target_settings *out)
{
    const fn_invoke_config *c = fn_invoke_config_of(fn, qualifier);
    out->max_retries = c ? c->max_retries : DEFAULT_RETRIES;
    out->max_age_s = c ? c->max_age_s : DEFAULT_MAX_AGE_S;
    snprintf(out->on_success, sizeof out->on_success, "%s", c ? c->on_success : "");
    snprintf(out->on_failure, sizeof out->on_failure, "%s", c ? c->on_failure : "");
    snprintf(out->function_arn, sizeof out->function_arn, "%s:%s", fn->latest->arn, qualifier);
}

/* Appends text as JSON when it is JSON, else as a JSON string. */
static void add_payload(json_object *o, const char *key, const char *text, size_t len)
{
    json_tokener *tok = json_tokener_new();
    json_object *v = len ? json_tokener_parse_ex(tok, text, (int)len) : NULL;
    if (v && json_tokener_get_parse_end(tok) != len) {
        json_object_put(v);
        v = NULL;
    }
    json_tokener_free(tok);
    json_object_object_add(o, key, v ? v : json_object_new_string_len(text, (int)len));
}

/* Lambda's destination record. inv is NULL when the event never ran (EventAgeExceeded). */
static char *destination_record(const async_event *ev, const target_settings *t,
                                const char *condition, const invocation *inv)
{
    char ts[32];
    int64_t now = clock_now_ms();
    fn_format_time(now, ts);
    memcpy(ts + 23, "Z", 2); /* "...T10:00:00.000Z" */
    json_object *o = json_object_new_object(), *req = json_object_new_object();
    json_object_object_add(o, "version", json_object_new_string("1.0"));
    json_object_object_add(o, "timestamp", json_object_new_string(ts));
    json_object_object_add(req, "requestId", json_object_new_string(ev->id));
    json_object_object_add(req, "functionArn", json_object_new_string(t->function_arn));
    json_object_object_add(req, "condition", json_object_new_string(condition));
    json_object_object_add(req, "approximateInvokeCount",
                           json_object_new_int(ev->attempt + (inv != NULL)));
    json_object_object_add(o, "requestContext", req);
    add_payload(o, "requestPayload", ev->payload, ev->payload_len);
    if (inv) {
        json_object *resp = json_object_new_object();
        json_object_object_add(resp, "statusCode", json_object_new_int(200));
        json_object_object_add(resp, "executedVersion", json_object_new_string(inv->fv->version));
        if (inv->outcome != INV_OK)
            json_object_object_add(resp, "functionError", json_object_new_string("Unhandled"));
        json_object_object_add(o, "responseContext", resp);
        add_payload(o, "responsePayload", inv->response.data ? inv->response.data : "",
                    inv->response.len);
    }
    char *text = strdup(
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return text;
}

static void report_to(const char *arn, const async_event *ev, const target_settings *t,
                      const char *condition, const invocation *inv)
{
    if (!arn[0])
        return;
    char *record = destination_record(ev, t, condition, inv);
    destination_send(arn, record, strlen(record), ev->id);
    free(record);
}

/* Appends the event again for its next attempt; false when that failed. */
static bool retry_later(async_event *ev)
{
    int64_t now = clock_now_ms();
    async_event next = *ev;
    next.attempt++;
    next.not_before_ms = now + (int64_t)aq.retry_delay_ms * next.attempt;
    uint64_t ticket;
    return append_event(&next, ev->payload, ev->payload_len, now, &ticket) == 0;
}

static void on_invoked(invocation *inv)
{
    async_event *ev = inv->arg;
    ev->running = false;
    if (inv->outcome == INV_SERVICE_ERROR) {
        ev->stalled = true; /* kinesd is stopping: run again after the restart */
        invocation_free(inv);
        return;
    }
    target_settings t;
    memset(&t, 0, sizeof t);
    pthread_rwlock_rdlock(&lambda_lock);
    aws_error err;
    aws_error_init(&err);
    lambda_function *fn = fn_find(&ev->target, &err);
    if (fn)
        settings_of(fn, ev->target.qualifier, &t);
    pthread_rwlock_unlock(&lambda_lock);
    aws_error_free(&err);
    int64_t age_ms = clock_now_ms() - ev->first_ms;
    if (inv->outcome == INV_OK)
        report_to(t.on_success, ev, &t, "Success", inv);
    else if (!fn || ev->attempt >= t.max_retries || age_ms >= (int64_t)t.max_age_s * 1000 ||
             !retry_later(ev))
        report_to(t.on_failure, ev, &t, "RetriesExhausted", inv);
    invocation_free(inv);
    event_done(ev);
}

/* Submits the event to its function, or finishes it when it cannot run. */
static void run_event(async_event *ev)
{
    aws_error err;
    aws_error_init(&err);
    pthread_rwlock_rdlock(&lambda_lock);
    lambda_function *fn = fn_find(&ev->target, &err);
    fn_version *fv = fn ? fn_version_of(fn, ev->target.qualifier) : NULL;
    target_settings t;
    invocation *inv = NULL;
    if (fv) {
        settings_of(fn, ev->target.qualifier, &t);
        inv = invocation_new(fv, ev->payload, ev->payload_len);
        inv->limit = fn_limit(fn);
    }
    pthread_rwlock_unlock(&lambda_lock);
    aws_error_free(&err);
    if (!inv) {
        log_warn("lambda: dropping event %s: function %s:%s is gone", ev->id, ev->target.name,
                 ev->target.qualifier);
        event_done(ev);
        return;
    }
    if (clock_now_ms() - ev->first_ms >= (int64_t)t.max_age_s * 1000) {
        report_to(t.on_failure, ev, &t, "EventAgeExceeded", NULL);
        invocation_free(inv);
        event_done(ev);
        return;
    }
    snprintf(inv->request_id, sizeof inv->request_id, "%s", ev->id);
    inv->queue_when_busy = true;
    inv->done = on_invoked;
    inv->arg = ev;
    ev->running = true;
    envmgr_submit(inv);
}

/* --- reading -------------------------------------------------------------------------------- */

static bool on_record(const log_record *rec, void *arg)
{
    (void)arg;
    async_event *ev = event_of(rec);
    if (ev)
        pending_add(ev);
    return true;
}

static void pump(void *arg)
{
    (void)arg;
    atomic_store(&aq.pump_posted, false);
    uint64_t committed = shardlog_committed(aq.log);
    while (aq.read_offset < committed) {
        uint64_t next = aq.read_offset;
        if (shardlog_read(aq.log, aq.read_offset, READ_BATCH, 4u << 20, on_record, NULL, &next) !=
                0 ||
            next == aq.read_offset)
            break;
        aq.read_offset = next;
    }
    publish_watermark();
    async_event *ev = aq.head;
    int64_t now = clock_now_ms();
    while (ev) {
        async_event *next = ev->next;
        if (!ev->running && !ev->stalled && ev->not_before_ms <= now)
            run_event(ev);
        ev = next;
    }
}

static void on_pump_timer(uv_timer_t *timer)
{
    (void)timer;
    pump(NULL);
}

static void start_pumping(void *arg)
{
    (void)arg;
    uv_timer_init(envmgr_loop(), &aq.pump_timer);
    uv_timer_start(&aq.pump_timer, on_pump_timer, 0, PUMP_MS);
    aq.pumping = true;
}

/* Environment thread, after start_pumping (jobs run in the order posted). */
static void stop_pumping(void *arg)
{
    (void)arg;
    if (aq.pumping && !uv_is_closing((uv_handle_t *)&aq.pump_timer))
        uv_close((uv_handle_t *)&aq.pump_timer, NULL);
    aq.pumping = false;
}

void async_on_durable(void)
{
    if (aq.log && !atomic_exchange(&aq.pump_posted, true))
        envmgr_post(pump, NULL);
}

/* --- lifecycle ------------------------------------------------------------------------------ */

int async_open(store *st, int retry_delay_ms)
{
    aq.st = st;
    aq.retry_delay_ms = retry_delay_ms;
    aq.log = shardlog_open(st, "lambda/async");
    if (!aq.log)
        return -1;
    aq.read_offset = aq.stored_watermark = fnmeta_async_watermark();
    if (aq.read_offset < shardlog_trim_horizon(aq.log))
        aq.read_offset = shardlog_trim_horizon(aq.log);
    atomic_store(&aq.watermark, aq.read_offset);
    return 0;
}

void async_start(void)
{
    envmgr_post(start_pumping, NULL);
}

void async_stop(void)
{
    if (aq.log) /* else it never started */
        envmgr_post(stop_pumping, NULL);
}

void async_close(void)
{
    for (async_event *ev; (ev = aq.head);) {
        aq.head = ev->next;
        event_free(ev);
    }
    aq.tail = NULL;
    if (aq.log)
        shardlog_close(aq.log);
    aq.log = NULL;
}

void async_tick(int64_t now_ms)
{
    if (!aq.log || now_ms - aq.last_store_ms < WATERMARK_EVERY_MS)
        return;
    aq.last_store_ms = now_ms;
    uint64_t w = atomic_load(&aq.watermark);
    if (w != aq.stored_watermark) {
        store_flush(aq.st); /* the retries appended before w moved are durable first */
        if (fnmeta_set_async_watermark(w) == 0)
            aq.stored_watermark = w;
    }
    if (now_ms - aq.last_trim_ms >= TRIM_EVERY_MS) {
        aq.last_trim_ms = now_ms;
        shardlog_trim_before(aq.log, now_ms - KEEP_MS);
    }
}
