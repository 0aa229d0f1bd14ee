/* envmgr.c - the environment thread: pools of execution environments per function, their
 * lifecycle, and the invocations they run (see envmgr.h and env.h).
 *
 * Other threads hand work over through one mutex-guarded inbox (submissions, retirements, posted
 * jobs) and the list of environments whose runtime posted a result, then wake the loop. An
 * invocation ends exactly once, in finish(): with the runtime's result, a timeout, a crash or
 * an out-of-memory kill, whichever comes first. A busy environment whose invocation ended goes
 * back to idle; one that timed out, crashed or is retiring is killed, and once its process is
 * reaped its Runtime API server is stopped and it is freed. */
#include "envmgr.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/base64.h"
#include "../common/clock.h"
#include "../common/log.h"
#include "../common/uuid.h"
#include "env.h"
#include "fn_metrics.h"
#include "fnlog.h"

#define WATCH_MS 50          /* how often a busy environment's deadline and memory are checked */
#define RETRY_WAITING_MS 100 /* how often waiting invocations look for room again */
#define TAIL_BYTES 4096
#define INIT_TIMEOUT_MS 10000LL /* Lambda's limit on a runtime's init */

struct env_pool {
    char arn[FN_ARN_MAX]; /* the function's unqualified ARN */
    fn_env *envs;         /* all of them, idle and busy */
    invocation *waiting;  /* for an environment, oldest first */
    invocation *waiting_tail;
    env_pool *next;
};

typedef struct posted_job {
    void (*fn)(void *arg);
    void *arg;
    struct posted_job *next;
} posted_job;

typedef struct retirement {
    char arn[FN_ARN_MAX];
    struct retirement *next;
} retirement;

static struct {
    uv_loop_t loop;
    uv_thread_t thread;
    uv_async_t wake;
    uv_timer_t waiting_timer; /* drains the pools whose invocations wait */
    char runtimes_dir[4200];
    char endpoint[300];
    env_pool *pools;
    int env_count; /* environments not yet freed */
    int next_env_id;
    bool started;
    pthread_mutex_t mu;    /* guards the inbox below */
    invocation *submitted; /* newest first */
    posted_job *jobs;      /* newest first */
    retirement *retired;   /* newest first */
    fn_env *completed;     /* environments whose runtime posted a result */
    bool quiescing;        /* no more invocations run */
    bool stopping;         /* end the loop once no environment is left */
} mgr = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void pool_drain(env_pool *p);

/* --- invocations ---------------------------------------------------------------------------- */

invocation *invocation_new(fn_version *fv, const void *payload, size_t len)
{
    invocation *inv = calloc(1, sizeof *inv);
    if (!inv)
        abort();
    inv->fv = fn_version_ref(fv);
    inv->payload = malloc(len + 1);
    if (!inv->payload)
        abort();
    memcpy(inv->payload, payload, len);
    inv->payload[len] = '\0';
    inv->payload_len = len;
    uuid_v4(inv->request_id);
    return inv;
}

void invocation_free(invocation *inv)
{
    if (!inv)
        return;
    fn_version_unref(inv->fv);
    free(inv->payload);
    free(inv->client_context);
    kbuf_free(&inv->response);
    kbuf_free(&inv->log);
    free(inv);
}

/* Ends an invocation that never reached an environment. */
static void fail_early(invocation *inv, inv_outcome outcome, const char *error_json)
{
    if (outcome == INV_THROTTLED)
        fn_metrics_throttled(inv->fv);
    else if (outcome == INV_FUNCTION_ERROR)
        fn_metrics_invoked(inv->fv, true, -1);
    inv->outcome = outcome;
    kbuf_reset(&inv->response);
    kbuf_puts(&inv->response, error_json);
    inv->done(inv);
}

/* --- logs ----------------------------------------------------------------------------------- */

static void log_write(fn_env *e, const char *text, size_t len)
{
    if (e->log_file >= 0 && write(e->log_file, text, len) < 0)
        log_warn("lambda: cannot write the log of %s: %s", e->fv->name, strerror(errno));
    if (e->inv)
        kbuf_append(&e->inv->log, text, len);
}

static void log_line(fn_env *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_line(fn_env *e, const char *fmt, ...)
{
    kbuf line = KBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    kbuf_vprintf(&line, fmt, ap);
    va_end(ap);
    log_write(e, line.data, line.len);
    kbuf_free(&line);
}

/* Reads what the runtime printed so far into the log. */
static void drain_output(fn_env *e)
{
    char buf[16384];
    ssize_t n;
    while (e->out_fd >= 0 && (n = read(e->out_fd, buf, sizeof buf)) > 0)
        log_write(e, buf, (size_t)n);
}

static void on_output(uv_poll_t *watch, int status, int events)
{
    (void)status, (void)events;
    drain_output(watch->data);
}

/* Peak resident memory of the runtime process, in MB (VmHWM), 0 when unknown. */
static int peak_memory_mb(pid_t pid, const char *field)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, strlen(field)) == 0)
            kb = atol(line + strlen(field));
    if (f)
        fclose(f);
    return (int)((kb + 1023) / 1024);
}

/* Logs the END and REPORT lines; returns the Duration. */
/* When the invocation in flight began, as Lambda counts its Duration and Timeout: on a cold start
 * when the runtime had finished its init and asked for work (*init_done_ns; 0: not yet), else
 * when it was handed to the environment. */
static int64_t invocation_start_ns(fn_env *e, int64_t *init_done_ns)
{
    pthread_mutex_lock(&e->mu); /* the Runtime API thread sets it */
    *init_done_ns = e->first_next_ns;
    pthread_mutex_unlock(&e->mu);
    return e->cold && *init_done_ns > e->inv_started_ns ? *init_done_ns : e->inv_started_ns;
}

static double report(fn_env *e, int64_t end_ns, int max_memory_mb)
{
    invocation *inv = e->inv;
    int64_t init_done_ns, start = invocation_start_ns(e, &init_done_ns);
    double ms = (double)(end_ns - start) / 1e6;
    log_line(e, "END RequestId: %s\n", inv->request_id);
    log_line(e,
             "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %lld ms\tMemory Size: %d "
             "MB\tMax Memory Used: %d MB\t",
             inv->request_id, ms, (long long)(ms + 0.999) + (ms == 0), e->fv->memory_mb,
             max_memory_mb);
    if (e->cold)
        log_line(e, "Init Duration: %.2f ms\t",
                 (double)((init_done_ns ? init_done_ns : end_ns) - e->spawned_ns) / 1e6);
    log_line(e, "\n");
    return ms;
}

/* --- environments ----------------------------------------------------------------------------- */

static void close_handle(uv_handle_t *handle, void *arg)
{
    (void)arg;
    if (!uv_is_closing(handle))
        uv_close(handle, NULL);
}

/* Once stopping and every environment is gone: closes whatever the loop still has (the wake,
 * the waiting timer, the async queue's timer), so that it ends. */
static void end_when_stopped(void)
{
    pthread_mutex_lock(&mgr.mu);
    bool stopping = mgr.stopping;
    pthread_mutex_unlock(&mgr.mu);
    if (stopping && mgr.env_count == 0)
        uv_walk(&mgr.loop, close_handle, NULL);
}

static void on_handle_closed(uv_handle_t *handle)
{
    fn_env *e = handle->data;
    if (--e->open_handles > 0)
        return;
    if (e->out_fd >= 0)
        close(e->out_fd);
    if (e->pidfd >= 0)
        close(e->pidfd);
    if (e->log_file >= 0)
        close(e->log_file);
    pthread_mutex_destroy(&e->mu);
    kbuf_free(&e->result);
    fn_version_unref(e->fv);
    free(e);
    mgr.env_count--;
    end_when_stopped();
}

static void unlink_env(fn_env *e)
{
    for (fn_env **at = &e->pool->envs; *at; at = &(*at)->next) {
        if (*at == e) {
            *at = e->next;
            return;
        }
    }
}

/* Takes e off the list of environments whose runtime posted a result (it is going away). */
static void forget_completion(fn_env *e)
{
    pthread_mutex_lock(&mgr.mu);
    for (fn_env **at = &mgr.completed; e->completion_queued && *at; at = &(*at)->next_completed) {
        if (*at == e) {
            *at = e->next_completed;
            e->completion_queued = false;
            break;
        }
    }
    pthread_mutex_unlock(&mgr.mu);
}

/* The process is gone: stop its Runtime API (no more results can be posted), close its
 * handles; freed once they closed. */
static void env_free(fn_env *e)
{
    unlink_env(e);
    drain_output(e);
    if (e->rt)
        rtapi_stop(e);
    forget_completion(e);
    uv_close((uv_handle_t *)&e->timer, on_handle_closed);
    if (e->pidfd >= 0)
        uv_close((uv_handle_t *)&e->exit_watch, on_handle_closed);
    if (e->out_fd >= 0)
        uv_close((uv_handle_t *)&e->out_watch, on_handle_closed);
}

static void env_kill(fn_env *e)
{
    if (!e->exited) {
        kill(-e->pid, SIGKILL);
        kill(e->pid, SIGKILL);
    }
}

/* ConcurrentExecutions now, of fv's function and of its account and region. */
static void sample_concurrency(const fn_version *fv)
{
    int function_running = 0, account_running = 0;
    for (env_pool *p = mgr.pools; p; p = p->next)
        for (fn_env *e = p->envs; e; e = e->next) {
            if (!e->inv || strcmp(e->fv->account, fv->account) != 0 ||
                strcmp(e->fv->region, fv->region) != 0)
                continue;
            account_running++;
            function_running += strcmp(e->fv->name, fv->name) == 0;
        }
    fn_metrics_concurrency(fv, function_running, account_running);
}

/* Ends the environment's invocation with outcome and body (from whichever cause came first). */
static void finish(fn_env *e, inv_outcome outcome, const char *body, size_t len)
{
    invocation *inv = e->inv;
    pthread_mutex_lock(&e->mu);
    e->offered = NULL;
    pthread_mutex_unlock(&e->mu);
    uv_timer_stop(&e->timer);
    drain_output(e);
    int peak = e->exited ? 0 : peak_memory_mb(e->pid, "VmHWM:");
    double duration_ms = report(e, clock_mono_ns(), peak);
    e->inv = NULL;
    fn_metrics_invoked(e->fv, outcome != INV_OK, duration_ms);
    sample_concurrency(e->fv);
    inv->outcome = outcome;
    kbuf_reset(&inv->response);
    kbuf_append(&inv->response, body, len);
    inv->done(inv);
}

/* A failure the environment does not survive: the error JSON, and the environment is killed. */
static void finish_fatally(fn_env *e, const char *type, const char *message)
{
    if (!e->inv)
        return;
    kbuf body = KBUF_INIT;
    kbuf_printf(&body, "{\"errorType\":\"%s\",\"errorMessage\":\"RequestId: %s Error: %s\"}", type,
                e->inv->request_id, message);
    e->retiring = true;
    finish(e, INV_FUNCTION_ERROR, body.data, body.len);
    kbuf_free(&body);
    env_kill(e);
    pool_drain(e->pool);
}

static void env_became_free(fn_env *e)
{
    if (e->retiring || mgr.quiescing)
        env_kill(e);
    pool_drain(e->pool);
}

static void on_process_exit(uv_poll_t *watch, int status, int events)
{
    (void)status, (void)events;
    fn_env *e = watch->data;
    pid_t reaped = e->exited ? 0 : waitpid(e->pid, &e->exit_status, WNOHANG);
    if (reaped == 0)
        return;
    if (reaped < 0) /* not ours to reap any more: it is gone all the same */
        e->exit_status = SIGKILL;
    e->exited = true;
    uv_poll_stop(watch);
    char why[96];
    if (WIFSIGNALED(e->exit_status))
        snprintf(why, sizeof why, "Runtime exited with error: signal: %s",
                 WTERMSIG(e->exit_status) == SIGKILL ? "killed"
                                                     : strsignal(WTERMSIG(e->exit_status)));
    else
        snprintf(why, sizeof why, "Runtime exited with error: exit status %d",
                 WEXITSTATUS(e->exit_status));
    if (e->inv) {
        log_line(e, "RequestId: %s Error: %s\n", e->inv->request_id, why);
        finish_fatally(e, "Runtime.ExitError", why);
    }
    env_pool *p = e->pool;
    env_free(e);
    pool_drain(p);
}

/* Whether the invocation in flight ran past the function's Timeout, on the monotonic clock (a
 * wall-clock step neither kills early nor lets it run on). As on Lambda, a cold start's Timeout
 * counts from when the runtime finished its init and asked for work; init itself may take up to
 * INIT_TIMEOUT_MS. */
static bool timed_out(fn_env *e)
{
    int64_t init_done_ns, start_ns = invocation_start_ns(e, &init_done_ns);
    int64_t limit_ns = e->cold && !init_done_ns ? INIT_TIMEOUT_MS * 1000000
                                                : (int64_t)e->fv->timeout_s * 1000000000;
    return clock_mono_ns() - start_ns >= limit_ns;
}

static void on_watch(uv_timer_t *timer)
{
    fn_env *e = timer->data;
    if (!e->inv)
        return;
    if (timed_out(e)) {
        char why[96];
        char ts[32];
        snprintf(why, sizeof why, "Task timed out after %d.00 seconds", e->fv->timeout_s);
        fn_format_time(clock_now_ms(), ts);
        log_line(e, "%s %s %s\n", ts, e->inv->request_id, why);
        finish_fatally(e, "Sandbox.Timedout", why);
        return;
    }
    if (peak_memory_mb(e->pid, "VmRSS:") > e->fv->memory_mb) {
        log_line(e, "RequestId: %s Error: Runtime exited with error: signal: killed\n",
                 e->inv->request_id);
        finish_fatally(e, "Runtime.OutOfMemory", "Runtime exited with error: signal: killed");
    }
}

/* Hands inv to the environment (which has none). */
static void env_start_invocation(fn_env *e, invocation *inv)
{
    e->inv = inv;
    e->inv_started_ns = clock_mono_ns();
    log_line(e, "START RequestId: %s Version: %s\n", inv->request_id, e->fv->version);
    uv_timer_start(&e->timer, on_watch, WATCH_MS, WATCH_MS);
    sample_concurrency(e->fv);
    rtapi_offer(e, inv);
}

static fn_env *env_new(env_pool *p, fn_version *fv)
{
    fn_env *e = calloc(1, sizeof *e);
    if (!e)
        abort();
    e->id = ++mgr.next_env_id;
    e->pool = p;
    e->fv = fn_version_ref(fv);
    e->pidfd = e->out_fd = e->log_file = -1;
    pthread_mutex_init(&e->mu, NULL);
    uv_timer_init(&mgr.loop, &e->timer);
    e->timer.data = e;
    e->open_handles = 1;
    mgr.env_count++;
    return e;
}

/* A new environment for inv: its Runtime API, its process, its watches. */
static void env_spawn(env_pool *p, invocation *inv)
{
    fn_env *e = env_new(p, inv->fv);
    kbuf why = KBUF_INIT;
    char endpoint[sizeof mgr.endpoint];
    pthread_mutex_lock(&mgr.mu);
    snprintf(endpoint, sizeof endpoint, "%s", mgr.endpoint);
    pthread_mutex_unlock(&mgr.mu);
    e->rt = rtapi_start(e);
    if (!e->rt)
        kbuf_puts(&why, "{\"errorType\":\"Runtime.Unknown\",\"errorMessage\":\"cannot listen\"}");
    else
        e->port = http_server_port(e->rt);
    if (e->rt && env_spawn_process(e, mgr.runtimes_dir, endpoint, &why) == 0) {
        e->log_file = fnlog_open(e->fv);
        e->cold = true;
        e->next = p->envs;
        p->envs = e;
        uv_poll_init(&mgr.loop, &e->exit_watch, e->pidfd);
        uv_poll_init(&mgr.loop, &e->out_watch, e->out_fd);
        e->exit_watch.data = e->out_watch.data = e;
        e->open_handles += 2;
        uv_poll_start(&e->exit_watch, UV_READABLE, on_process_exit);
        uv_poll_start(&e->out_watch, UV_READABLE | UV_DISCONNECT, on_output);
        env_start_invocation(e, inv);
        kbuf_free(&why);
        return;
    }
    fail_early(inv, INV_FUNCTION_ERROR, why.data);
    kbuf_free(&why);
    e->next = p->envs; /* env_free unlinks it */
    p->envs = e;
    e->exited = true;
    env_free(e);
}

/* --- pools ---------------------------------------------------------------------------------- */

static env_pool *pool_of(const char *arn)
{
    for (env_pool *p = mgr.pools; p; p = p->next)
        if (strcmp(p->arn, arn) == 0)
            return p;
    env_pool *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    snprintf(p->arn, sizeof p->arn, "%s", arn);
    p->next = mgr.pools;
    mgr.pools = p;
    return p;
}

/* Runs inv on the pool now if it can; false when it has to wait. */
static bool pool_try(env_pool *p, invocation *inv)
{
    int busy = 0, total = 0;
    fn_env *idle_same = NULL, *idle_other = NULL;
    for (fn_env *e = p->envs; e; e = e->next) {
        if (e->exited || e->retiring)
            continue;
        if (!e->inv && clock_mono_ns() - e->spawned_ns > ENV_MAX_AGE_MS * 1000000) {
            e->retiring = true; /* before its credentials expire */
            env_kill(e);
            continue;
        }
        total++;
        busy += e->inv != NULL;
        if (!e->inv && e->fv == inv->fv)
            idle_same = e;
        else if (!e->inv)
            idle_other = e;
    }
    if (busy >= inv->limit) /* a warm environment too: the limit may have been lowered */
        return false;
    if (idle_same) {
        idle_same->cold = false; /* (its first_next_ns counts only on a cold start) */
        env_start_invocation(idle_same, inv);
        return true;
    }
    if (total >= inv->limit && idle_other) { /* make room: retire a warm one of another version */
        idle_other->retiring = true;
        env_kill(idle_other);
    }
    env_spawn(p, inv);
    return true;
}

static void pool_run(invocation *inv)
{
    if (mgr.quiescing) {
        fail_early(inv, INV_SERVICE_ERROR, "{\"errorMessage\":\"kinesd is stopping\"}");
        return;
    }
    env_pool *p = pool_of(inv->fv->arn);
    if (!p->waiting && pool_try(p, inv))
        return;
    if (!inv->queue_when_busy) {
        fail_early(inv, INV_THROTTLED, "{\"message\":\"Rate Exceeded.\"}");
        return;
    }
    inv->next = NULL;
    if (p->waiting_tail)
        p->waiting_tail->next = inv;
    else
        p->waiting = inv;
    p->waiting_tail = inv;
}

/* The function's concurrency now (it may have changed while the invocation waited). */
static void refresh_limit(invocation *inv)
{
    fn_ref ref;
    memset(&ref, 0, sizeof ref);
    aws_error err;
    aws_error_init(&err);
    snprintf(ref.account, sizeof ref.account, "%s", inv->fv->account);
    snprintf(ref.region, sizeof ref.region, "%s", inv->fv->region);
    snprintf(ref.name, sizeof ref.name, "%s", inv->fv->name);
    pthread_rwlock_rdlock(&lambda_lock);
    const lambda_function *fn = fn_find(&ref, &err);
    if (fn)
        inv->limit = fn_limit(fn);
    pthread_rwlock_unlock(&lambda_lock);
    aws_error_free(&err);
}

static void pool_drain(env_pool *p)
{
    while (p->waiting) {
        invocation *inv = p->waiting;
        refresh_limit(inv);
        if (!mgr.quiescing && !pool_try(p, inv))
            return;
        p->waiting = inv->next;
        if (!p->waiting)
            p->waiting_tail = NULL;
        if (mgr.quiescing)
            fail_early(inv, INV_SERVICE_ERROR, "{\"errorMessage\":\"kinesd is stopping\"}");
    }
}

/* --- the inbox ------------------------------------------------------------------------------ */

/* The runtime's posted result, taken on the environment thread. */
static void take_result(fn_env *e)
{
    pthread_mutex_lock(&e->mu);
    bool ready = e->result_ready && e->inv && e->offered == e->inv;
    bool error = e->result_error;
    if (e->init_failed)
        e->retiring = true; /* a runtime that failed to start is not reused */
    kbuf result = e->result;
    e->result = (kbuf)KBUF_INIT;
    pthread_mutex_unlock(&e->mu);
    if (ready) {
        finish(e, error ? INV_FUNCTION_ERROR : INV_OK, result.data ? result.data : "", result.len);
        env_became_free(e);
    }
    kbuf_free(&result);
}

void envmgr_result_posted(fn_env *e)
{
    pthread_mutex_lock(&mgr.mu);
    if (!e->completion_queued) {
        e->completion_queued = true;
        e->next_completed = mgr.completed;
        mgr.completed = e;
    }
    pthread_mutex_unlock(&mgr.mu);
    uv_async_send(&mgr.wake);
}

static void retire_now(const char *arn)
{
    for (env_pool *p = mgr.pools; p; p = p->next) {
        if (strcmp(p->arn, arn) != 0)
            continue;
        for (fn_env *e = p->envs; e; e = e->next) {
            e->retiring = true;
            if (!e->inv)
                env_kill(e);
        }
    }
}

static void on_waiting_timer(uv_timer_t *timer)
{
    (void)timer;
    for (env_pool *p = mgr.pools; p; p = p->next)
        pool_drain(p);
}

static void quiesce_now(void)
{
    for (env_pool *p = mgr.pools; p; p = p->next) {
        pool_drain(p);
        for (fn_env *e = p->envs; e; e = e->next)
            env_kill(e);
    }
}

static void on_wake(uv_async_t *handle)
{
    (void)handle;
    pthread_mutex_lock(&mgr.mu);
    invocation *submitted = mgr.submitted;
    posted_job *jobs = mgr.jobs;
    retirement *retired = mgr.retired;
    fn_env *completed = mgr.completed;
    bool quiescing = mgr.quiescing;
    mgr.submitted = NULL, mgr.jobs = NULL, mgr.retired = NULL, mgr.completed = NULL;
    for (fn_env *e = completed; e; e = e->next_completed)
        e->completion_queued = false;
    pthread_mutex_unlock(&mgr.mu);

    for (fn_env *e = completed, *next; e; e = next) {
        next = e->next_completed;
        take_result(e);
    }
    invocation *oldest = NULL; /* submissions run in arrival order */
    while (submitted) {
        invocation *next = submitted->next;
        submitted->next = oldest;
        oldest = submitted;
        submitted = next;
    }
    while (oldest) {
        invocation *next = oldest->next;
        pool_run(oldest);
        oldest = next;
    }
    for (retirement *r; (r = retired); free(r)) {
        retired = r->next;
        retire_now(r->arn);
    }
    posted_job *first = NULL; /* jobs run in the order they were posted */
    while (jobs) {
        posted_job *next = jobs->next;
        jobs->next = first;
        first = jobs;
        jobs = next;
    }
    for (posted_job *j; (j = first); free(j)) {
        first = j->next;
        j->fn(j->arg);
    }
    if (quiescing)
        quiesce_now();
    end_when_stopped();
}

void envmgr_submit(invocation *inv)
{
    pthread_mutex_lock(&mgr.mu);
    inv->next = mgr.submitted;
    mgr.submitted = inv;
    pthread_mutex_unlock(&mgr.mu);
    uv_async_send(&mgr.wake);
}

void envmgr_retire(const char *function_arn)
{
    retirement *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    snprintf(r->arn, sizeof r->arn, "%s", function_arn);
    pthread_mutex_lock(&mgr.mu);
    r->next = mgr.retired;
    mgr.retired = r;
    pthread_mutex_unlock(&mgr.mu);
    uv_async_send(&mgr.wake);
}

void envmgr_post(void (*fn)(void *arg), void *arg)
{
    posted_job *j = malloc(sizeof *j);
    if (!j)
        abort();
    *j = (posted_job){fn, arg, NULL};
    pthread_mutex_lock(&mgr.mu);
    j->next = mgr.jobs;
    mgr.jobs = j;
    pthread_mutex_unlock(&mgr.mu);
    uv_async_send(&mgr.wake);
}

uv_loop_t *envmgr_loop(void)
{
    return &mgr.loop;
}

/* --- the thread ----------------------------------------------------------------------------- */

static void thread_main(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "lambda-env");
    uv_run(&mgr.loop, UV_RUN_DEFAULT);
}

void envmgr_set_endpoint(const char *url)
{
    pthread_mutex_lock(&mgr.mu);
    snprintf(mgr.endpoint, sizeof mgr.endpoint, "%s", url);
    pthread_mutex_unlock(&mgr.mu);
}

int envmgr_start(const char *runtimes_dir)
{
    snprintf(mgr.runtimes_dir, sizeof mgr.runtimes_dir, "%s", runtimes_dir);
    if (uv_loop_init(&mgr.loop) != 0)
        return -1;
    uv_async_init(&mgr.loop, &mgr.wake, on_wake);
    uv_timer_init(&mgr.loop, &mgr.waiting_timer);
    uv_timer_start(&mgr.waiting_timer, on_waiting_timer, RETRY_WAITING_MS, RETRY_WAITING_MS);
    if (uv_thread_create(&mgr.thread, thread_main, NULL) != 0) {
        log_error("lambda: cannot start the environment thread");
        return -1;
    }
    mgr.started = true;
    return 0;
}

void envmgr_quiesce(void)
{
    if (!mgr.started)
        return;
    pthread_mutex_lock(&mgr.mu);
    mgr.quiescing = true;
    pthread_mutex_unlock(&mgr.mu);
    uv_async_send(&mgr.wake);
}

void envmgr_stop(void)
{
    if (!mgr.started)
        return;
    log_info("lambda: stopping the execution environments");
    pthread_mutex_lock(&mgr.mu);
    mgr.quiescing = mgr.stopping = true;
    pthread_mutex_unlock(&mgr.mu);
    uv_async_send(&mgr.wake);
    uv_thread_join(&mgr.thread);
    for (env_pool *p; (p = mgr.pools); free(p))
        mgr.pools = p->next;
    uv_loop_close(&mgr.loop);
    mgr.started = false;
    log_info("lambda: execution environments stopped");
}
