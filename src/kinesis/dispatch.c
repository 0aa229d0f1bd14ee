/* dispatch.c - the request pipeline: HTTP request -> operation -> HTTP response (see dispatch.h).
 *
 * Checks run in AWS's order: method, content type, target, body present, authorization, decoding
 * (SerializationException), validation against the model (ValidationException), then the operation.
 * A reply that waits for durability is parked in its loop's queue, in ticket order, and sent when
 * the store reports the ticket durable.
 *
 * The storage thread wakes the loops through their uv_async handles. The table of live loops is
 * guarded by loops_mu, and a loop leaves it before its handle is closed, so the storage thread
 * never signals a handle that is closing or freed (shutdown, or a barrier in registry_close).
 *
 * A store whose I/O failed never reports another ticket. The first loop's timer notices that and
 * wakes every loop, which then answers its parked replies InternalFailure instead of keeping them
 * (and so the clients, and a SIGTERM waiting for them) waiting forever. */
#include "dispatch.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/clock.h"
#include "../common/log.h"
#include "../common/uuid.h"
#include "../protocol/decode.h"
#include "../protocol/model.h"
#include "../protocol/validate.h"
#include "caller.h"
#include "op.h"
#include "ops_subscribe.h" /* subscriptions_wake */
#include "ops_util.h"      /* fail_internal */
#include "registry.h"

#define TARGET_PREFIX "Kinesis_20131202."
#define MAX_LOOPS 256 /* the most --threads allows (config.c) */
#define TICK_MS 10

typedef struct parked_reply {
    uint64_t ticket;
    http_exchange *ex;
    enc_format format;
    char request_id[UUID_STR_LEN + 1];
    kbuf body;
    struct parked_reply *next;
} parked_reply;

typedef struct loop_ctx {
    uv_loop_t *loop;
    uv_async_t wake; /* the store made more tickets durable */
    uv_timer_t tick; /* first loop only: registry_tick */
    int has_tick;
    parked_reply *head, *tail;
    kbuf body; /* reused for immediate replies */
} loop_ctx;

static pthread_mutex_t loops_mu = PTHREAD_MUTEX_INITIALIZER;
static loop_ctx *loops[MAX_LOOPS]; /* under loops_mu; NULL once a loop is done */
static int loop_count;             /* under loops_mu: slots ever used */
static _Atomic uint64_t durable_ticket;
static atomic_bool store_broken; /* no ticket above durable_ticket will ever be durable */

static const char *const content_types[] = {
    [ENC_JSON] = "Content-Type: application/x-amz-json-1.1",
    [ENC_CBOR] = "Content-Type: application/x-amz-cbor-1.1",
};

static void send_reply(http_exchange *ex, int status, enc_format format, const char *request_id,
                       const kbuf *body)
{
    char rid[64];
    snprintf(rid, sizeof(rid), "x-amzn-RequestId: %s", request_id);
    const char *headers[] = {content_types[format], rid, NULL};
    http_respond(ex, status, headers, body->data ? body->data : "", body->len);
}

static void send_error(http_exchange *ex, enc_format format, const char *request_id, kbuf *body,
                       const aws_error *err)
{
    kbuf_reset(body);
    enc_error(format, body, err->type, err->message.data, err->message.len);
    send_reply(ex, err->status, format, request_id, body);
}

/* --- durability waits ------------------------------------------------------------------------- */

static void send_parked(parked_reply *r, bool durable)
{
    if (durable) {
        send_reply(r->ex, 200, r->format, r->request_id, &r->body);
        return;
    }
    aws_error err;
    aws_error_init(&err);
    fail_internal(&err);
    send_error(r->ex, r->format, r->request_id, &r->body, &err);
    aws_error_free(&err);
}

/* Answers the parked replies whose tickets are durable, or all of them once the store broke. */
static void answer_durable(loop_ctx *lc)
{
    bool broken = atomic_load(&store_broken); /* first: durable_ticket is final once it is set */
    uint64_t durable = atomic_load(&durable_ticket);
    while (lc->head && (broken || lc->head->ticket <= durable)) {
        parked_reply *r = lc->head;
        lc->head = r->next;
        if (!lc->head)
            lc->tail = NULL;
        send_parked(r, r->ticket <= durable);
        kbuf_free(&r->body);
        free(r);
    }
}

static void on_wake(uv_async_t *handle)
{
    answer_durable(handle->data);
    subscriptions_wake(); /* SubscribeToShard pushes what is now durable */
}

static void park_reply(loop_ctx *lc, http_exchange *ex, uint64_t ticket, enc_format format,
                       const char *request_id)
{
    parked_reply *r = calloc(1, sizeof(*r));
    if (!r)
        abort();
    r->ticket = ticket;
    r->ex = ex;
    r->format = format;
    memcpy(r->request_id, request_id, sizeof(r->request_id));
    r->body = lc->body; /* take the buffer; the loop gets a fresh one */
    kbuf_init(&lc->body);
    if (lc->tail)
        lc->tail->next = r;
    else
        lc->head = r;
    lc->tail = r;
    answer_durable(lc); /* it may already be durable */
}

static void wake_loops(void)
{
    pthread_mutex_lock(&loops_mu);
    for (int i = 0; i < loop_count; i++)
        if (loops[i])
            uv_async_send(&loops[i]->wake);
    pthread_mutex_unlock(&loops_mu);
}

void dispatch_on_durable(uint64_t ticket, void *arg)
{
    (void)arg;
    atomic_store(&durable_ticket, ticket);
    wake_loops();
}

/* --- loops ------------------------------------------------------------------------------------ */

static void notice_broken_store(void)
{
    store *st = registry_store();
    if (atomic_load(&store_broken) || !st || !store_failed(st))
        return;
    atomic_store(&store_broken, true);
    wake_loops();
}

static void on_tick(uv_timer_t *timer)
{
    (void)timer;
    notice_broken_store();
    registry_tick(clock_now_ms(), clock_mono_ms());
}

void *dispatch_loop_init(uv_loop_t *loop, void *app)
{
    (void)app;
    loop_ctx *lc = calloc(1, sizeof(*lc));
    if (!lc)
        abort();
    lc->loop = loop;
    uv_async_init(loop, &lc->wake, on_wake);
    lc->wake.data = lc;
    pthread_mutex_lock(&loops_mu);
    int slot = loop_count++;
    if (slot >= MAX_LOOPS)
        abort();
    loops[slot] = lc;
    pthread_mutex_unlock(&loops_mu);
    if (slot == 0) {
        uv_timer_init(loop, &lc->tick);
        uv_timer_start(&lc->tick, on_tick, TICK_MS, TICK_MS);
        lc->has_tick = 1;
    }
    return lc;
}

static void free_on_close(uv_handle_t *handle)
{
    loop_ctx *lc = handle->data;
    if (handle == (uv_handle_t *)&lc->wake) {
        kbuf_free(&lc->body);
        free(lc);
    }
}

void dispatch_loop_done(void *ctx)
{
    loop_ctx *lc = ctx;
    pthread_mutex_lock(&loops_mu);
    for (int i = 0; i < loop_count; i++)
        if (loops[i] == lc)
            loops[i] = NULL;
    pthread_mutex_unlock(&loops_mu);
    if (lc->has_tick) {
        lc->tick.data = lc;
        uv_close((uv_handle_t *)&lc->tick, NULL);
    }
    uv_close((uv_handle_t *)&lc->wake, free_on_close);
}

/* --- the pipeline ------------------------------------------------------------------------------
 */

static bool media_type_is(const char *ct, const char *type)
{
    size_t n = strcspn(ct, "; ");
    return n == strlen(type) && strncasecmp(ct, type, n) == 0;
}

/* The wire format of the request (and so of its response); false for an unknown content type. */
static bool request_format(const http_request *req, enc_format *format)
{
    const char *ct = http_request_header(req, "content-type");
    if (!ct)
        return false;
    if (media_type_is(ct, "application/x-amz-cbor-1.1")) {
        *format = ENC_CBOR;
        return true;
    }
    *format = ENC_JSON;
    return media_type_is(ct, "application/x-amz-json-1.1") || media_type_is(ct, "application/json");
}

/* The operation named by X-Amz-Target, or NULL (sets UnknownOperationException). */
static const model_op *target_op(const http_request *req, aws_error *err)
{
    const char *target = http_request_header(req, "x-amz-target");
    size_t plen = strlen(TARGET_PREFIX);
    const model_op *op = NULL;
    if (target && strncmp(target, TARGET_PREFIX, plen) == 0)
        op = model_find_op(target + plen);
    if (!op)
        aws_error_set(err, 400, "UnknownOperationException", "%s", "");
    return op;
}

/* Runs every check and the operation; fills err on failure. */
static void run_request(const http_request *req, enc_format format, bool format_known,
                        op_call *call, caller *who)
{
    aws_error *err = call->err;
    if (strcmp(req->method, "POST") != 0) {
        aws_error_set(err, 403, "AccessDeniedException",
                      "Unable to determine service/operation name to be authorized");
        return;
    }
    if (!format_known) {
        aws_error_set(err, 404, "UnknownOperationException", "%s", "");
        return;
    }
    const model_op *op = target_op(req, err);
    if (!op)
        return;
    if (req->body_len == 0) {
        aws_error_set(err, 400, "SerializationException", "%s", "");
        return;
    }
    if (!caller_identify(req, who, err))
        return;
    call->operation = model_op_name(op);
    call->account = who->account;
    call->region = who->region;
    call->input = format == ENC_CBOR ? decode_cbor(op, req->body, req->body_len, call->arena, err)
                                     : decode_json(op, req->body, req->body_len, call->arena, err);
    if (!call->input || !validate_input(op, call->input, err))
        return;
    op_handler handler = op_lookup(call->operation);
    if (!handler) {
        aws_error_set(err, 400, "UnknownOperationException", "kinesd does not implement %s yet",
                      call->operation);
        return;
    }
    handler(call);
}

void dispatch_request(http_exchange *ex, const http_request *req, void *ctx)
{
    loop_ctx *lc = ctx;
    char request_id[UUID_STR_LEN + 1];
    uuid_v4(request_id);

    arena a;
    arena_init(&a);
    aws_error err;
    aws_error_init(&err);
    enc_format format = ENC_JSON;
    bool format_known = request_format(req, &format);
    kenc enc;
    kbuf_reset(&lc->body);
    enc_init(&enc, format, &lc->body);
    caller who;
    op_call call = {.arena = &a,
                    .now_ms = clock_now_ms(),
                    .mono_ms = clock_mono_ms(),
                    .out = &enc,
                    .err = &err,
                    .exchange = ex,
                    .loop = lc->loop};

    run_request(req, format, format_known, &call, &who);

    if (err.status)
        send_error(ex, format, request_id, &lc->body, &err);
    else if (call.commit_ticket)
        park_reply(lc, ex, call.commit_ticket, format, request_id);
    else if (!call.exchange_taken)
        send_reply(ex, 200, format, request_id, &lc->body);
    if (err.status >= 500)
        log_warn("%s failed: %s %s", call.operation ? call.operation : "request", err.type,
                 err.message.data ? err.message.data : "");
    aws_error_free(&err);
    arena_free(&a);
}
