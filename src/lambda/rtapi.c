/* rtapi.c - the Lambda Runtime API of one execution environment (see env.h), served on its own
 * loopback port by an http_server with one loop thread:
 *
 *   GET  /2018-06-01/runtime/invocation/next          the next event (a long poll: parked,
 *                                                     holding no thread, until there is one)
 *   POST /2018-06-01/runtime/invocation/{id}/response the result
 *   POST /2018-06-01/runtime/invocation/{id}/error    an error ({errorMessage, errorType, ...})
 *   POST /2018-06-01/runtime/init/error               initialisation failed
 *
 * with the Lambda-Runtime-* headers AWS sends. The environment thread offers an invocation
 * (rtapi_offer) and wakes this loop through rt_wake; results go back through
 * envmgr_result_posted. */
#include <stdio.h>
#include <string.h>

#include "../common/clock.h"
#include "../common/uuid.h"
#include "env.h"

#define PREFIX "/2018-06-01/runtime/"
#define RESPONSE_MAX 6291556 /* Lambda's largest synchronous response */
#define RT_IDLE_TIMEOUT_MS (15 * 60 * 1000)

static void respond_json(http_exchange *ex, int status, const char *body)
{
    const char *headers[] = {"Content-Type: application/json", NULL};
    http_respond(ex, status, headers, body, strlen(body));
}

/* Answers a next with the offered invocation (holding e->mu). */
static void deliver(fn_env *e, http_exchange *ex)
{
    invocation *inv = e->offered;
    char id[96], deadline[64], arn[FN_ARN_MAX + 64], trace[128], root[UUID_STR_LEN + 1];
    char context[8192];
    uuid_v4(root);
    /* the Timeout counts from now: the runtime has finished its init and takes the event */
    inv->deadline_ms = clock_now_ms() + (int64_t)inv->fv->timeout_s * 1000;
    snprintf(id, sizeof id, "Lambda-Runtime-Aws-Request-Id: %s", inv->request_id);
    snprintf(deadline, sizeof deadline, "Lambda-Runtime-Deadline-Ms: %lld",
             (long long)inv->deadline_ms);
    if (strcmp(inv->fv->version, FN_LATEST) == 0)
        snprintf(arn, sizeof arn, "Lambda-Runtime-Invoked-Function-Arn: %s", inv->fv->arn);
    else
        snprintf(arn, sizeof arn, "Lambda-Runtime-Invoked-Function-Arn: %s:%s", inv->fv->arn,
                 inv->fv->version);
    snprintf(trace, sizeof trace, "Lambda-Runtime-Trace-Id: Root=1-%08llx-%.24s;Sampled=0",
             (long long)(clock_now_ms() / 1000), root);
    const char *headers[7] = {"Content-Type: application/json", id, deadline, arn, trace, NULL};
    if (inv->client_context) {
        snprintf(context, sizeof context, "Lambda-Runtime-Client-Context: %s", inv->client_context);
        headers[5] = context;
    }
    e->taken = true;
    if (!e->first_next_ns)
        e->first_next_ns = clock_mono_ns();
    http_respond(ex, 200, headers, inv->payload, inv->payload_len);
}

static void on_next(fn_env *e, http_exchange *ex)
{
    pthread_mutex_lock(&e->mu);
    http_exchange *replaced = NULL;
    if (e->closing) {
        respond_json(ex, 410, "{\"errorMessage\":\"The environment is shutting down\"}");
    } else if (e->offered && !e->taken) {
        deliver(e, ex);
    } else {
        replaced = e->parked_next;
        e->parked_next = ex;
        if (!e->first_next_ns)
            e->first_next_ns = clock_mono_ns();
    }
    pthread_mutex_unlock(&e->mu);
    if (replaced)
        respond_json(replaced, 400,
                     "{\"errorMessage\":\"Another next request replaced this one\"}");
}

/* A response or an error for request `id` (NULL: an init error). */
static void on_result(fn_env *e, http_exchange *ex, const http_request *req, const char *id,
                      bool error)
{
    if (req->body_len > RESPONSE_MAX && !error) {
        respond_json(ex, 413,
                     "{\"errorMessage\":\"Exceeded maximum allowed payload size "
                     "(6291556 bytes).\",\"errorType\":\"RequestEntityTooLarge\"}");
        return;
    }
    pthread_mutex_lock(&e->mu);
    bool accepted = e->offered && !e->result_ready &&
                    (!id || (e->taken && strcmp(id, e->offered->request_id) == 0));
    if (accepted) {
        e->result_ready = true;
        e->result_error = error;
        e->init_failed = !id;
        kbuf_reset(&e->result);
        kbuf_append(&e->result, req->body, req->body_len);
        if (error && req->body_len == 0) {
            const char *type = http_request_header(req, "lambda-runtime-function-error-type");
            kbuf_printf(&e->result, "{\"errorMessage\":\"\",\"errorType\":\"%s\"}",
                        type ? type : "Unhandled");
        }
    }
    pthread_mutex_unlock(&e->mu);
    if (!accepted) {
        respond_json(ex, 400,
                     "{\"errorMessage\":\"Invalid request ID\","
                     "\"errorType\":\"InvalidRequestID\"}");
        return;
    }
    respond_json(ex, 202, "{\"status\":\"OK\"}");
    envmgr_result_posted(e);
}

static void handle(http_exchange *ex, const http_request *req, void *ctx)
{
    fn_env *e = ctx;
    const char *path = req->url;
    if (strncmp(path, PREFIX, strlen(PREFIX)) != 0) {
        respond_json(ex, 404, "{\"errorMessage\":\"Unknown path\",\"errorType\":\"NotFound\"}");
        return;
    }
    path += strlen(PREFIX);
    static const char inv[] = "invocation/";
    size_t len = strlen(path);
    if (strcmp(req->method, "GET") == 0 && strcmp(path, "invocation/next") == 0) {
        on_next(e, ex);
    } else if (strcmp(req->method, "POST") == 0 && strcmp(path, "init/error") == 0) {
        on_result(e, ex, req, NULL, true);
    } else if (strcmp(req->method, "POST") == 0 && strncmp(path, inv, sizeof inv - 1) == 0 &&
               len > sizeof inv + 5) {
        char id[64];
        const char *rest = path + sizeof inv - 1;
        size_t id_len = strcspn(rest, "/");
        snprintf(id, sizeof id, "%.*s", (int)(id_len < 63 ? id_len : 63), rest);
        if (strcmp(rest + id_len, "/response") == 0)
            on_result(e, ex, req, id, false);
        else if (strcmp(rest + id_len, "/error") == 0)
            on_result(e, ex, req, id, true);
        else
            respond_json(ex, 404, "{\"errorMessage\":\"Unknown path\",\"errorType\":\"NotFound\"}");
    } else {
        respond_json(ex, 404, "{\"errorMessage\":\"Unknown path\",\"errorType\":\"NotFound\"}");
    }
}

static void on_wake(uv_async_t *handle)
{
    fn_env *e = handle->data;
    pthread_mutex_lock(&e->mu);
    http_exchange *ex = e->parked_next;
    if (ex && e->closing) {
        e->parked_next = NULL;
        respond_json(ex, 410, "{\"errorMessage\":\"The environment is shutting down\"}");
    } else if (ex && e->offered && !e->taken) {
        e->parked_next = NULL;
        deliver(e, ex);
    }
    pthread_mutex_unlock(&e->mu);
}

static void *loop_init(uv_loop_t *loop, void *app)
{
    fn_env *e = app;
    uv_async_init(loop, &e->rt_wake, on_wake);
    e->rt_wake.data = e;
    pthread_mutex_lock(&e->mu);
    e->rt_ready = true;
    pthread_mutex_unlock(&e->mu);
    return e;
}

static void loop_done(void *ctx)
{
    fn_env *e = ctx;
    pthread_mutex_lock(&e->mu);
    e->rt_ready = false;
    pthread_mutex_unlock(&e->mu);
    uv_close((uv_handle_t *)&e->rt_wake, NULL);
}

http_server *rtapi_start(fn_env *e)
{
    http_server_config cfg = {
        .host = "127.0.0.1",
        .port = 0,
        .threads = 1,
        .max_request_bytes = 2 * RESPONSE_MAX,
        .idle_timeout_ms = RT_IDLE_TIMEOUT_MS,
        .handler = handle,
        .loop_init = loop_init,
        .loop_done = loop_done,
        .app = e,
    };
    return http_server_start(&cfg);
}

static void wake(fn_env *e)
{
    if (e->rt_ready)
        uv_async_send(&e->rt_wake);
}

void rtapi_offer(fn_env *e, invocation *inv)
{
    pthread_mutex_lock(&e->mu);
    e->offered = inv;
    e->taken = false;
    e->result_ready = false;
    kbuf_reset(&e->result);
    wake(e);
    pthread_mutex_unlock(&e->mu);
}

void rtapi_stop(fn_env *e)
{
    pthread_mutex_lock(&e->mu);
    e->closing = true;
    e->offered = NULL;
    wake(e);
    pthread_mutex_unlock(&e->mu);
    http_server_stop(e->rt);
    e->rt = NULL;
}
