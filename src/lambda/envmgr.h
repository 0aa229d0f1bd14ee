/* envmgr.h - execution environments: the child processes that run functions, and the
 * invocations handed to them.
 *
 * One thread, "lambda-env", runs a libuv loop that owns every environment: it forks them, reaps
 * them (pidfd), reads their output into the function's log, enforces Timeout and MemorySize, and
 * keeps the per-function pools (warm environments, concurrency, waiting invocations). Each
 * environment serves the Lambda Runtime API on its own loopback port (an http_server with one
 * loop thread: AWS_LAMBDA_RUNTIME_API=127.0.0.1:PORT), so any runtime interface client knows
 * which environment it is by the address it was given. See docs/threading.md and
 * docs/lambda.md. */
#ifndef KINESD_LAMBDA_ENVMGR_H
#define KINESD_LAMBDA_ENVMGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "../common/buf.h"
#include "function.h"

typedef enum {
    INV_OK,             /* the function answered */
    INV_FUNCTION_ERROR, /* it failed, timed out or crashed: X-Amz-Function-Error Unhandled */
    INV_THROTTLED,      /* no environment could be had within the function's concurrency */
    INV_SERVICE_ERROR,  /* kinesd could not run it (stopping, cannot fork, ...) */
} inv_outcome;

typedef struct invocation invocation;
typedef void (*inv_done_fn)(invocation *inv);

/* One run of a function, from submission to its outcome. */
struct invocation {
    fn_version *fv;       /* the version to run (a reference, released by invocation_free) */
    int limit;            /* the function's concurrency when it was submitted */
    bool queue_when_busy; /* wait for an environment (async) instead of being throttled */
    char request_id[40];  /* Lambda-Runtime-Aws-Request-Id */
    char *payload;        /* the event (owned) */
    size_t payload_len;   /* its bytes */
    char *client_context; /* X-Amz-Client-Context as given (owned); NULL: none */
    int64_t deadline_ms;  /* wall clock by which it must end, for the runtime (set when the runtime
                           * takes it; the timeout itself runs on the monotonic clock) */
    inv_done_fn done;     /* called once on the environment thread with the outcome */
    void *arg;            /* the submitter's */
    /* the outcome, for done */
    inv_outcome outcome; /* how it went */
    kbuf response;       /* the function's result, or its error JSON */
    kbuf log;            /* its log, START to REPORT */
    invocation *next;    /* in a pool's waiting queue */
};

/* A new invocation of fv (taking a reference) with a copy of the payload and a fresh request
 * id. */
invocation *invocation_new(fn_version *fv, const void *payload, size_t len);
void invocation_free(invocation *inv);

/* Starts the environment thread. runtimes_dir holds the node and python runtime clients. -1 on
 * error (logged). */
int envmgr_start(const char *runtimes_dir);
/* kinesd's own URL: the AWS_ENDPOINT_URL of the functions started from now on. */
void envmgr_set_endpoint(const char *url);
/* Kills every environment and fails every waiting invocation (their done runs); afterwards
 * every submission fails at once (INV_SERVICE_ERROR). Any thread; returns at once. */
void envmgr_quiesce(void);
/* Quiesces, waits for the environments to be gone and stops the thread. */
void envmgr_stop(void);

/* Runs inv (any thread): on a warm environment of its version, else a new one within
 * inv->limit, else it waits (queue_when_busy) or is throttled. inv->done reports the outcome. */
void envmgr_submit(invocation *inv);
/* Retires the environments of a function (deleted or updated): idle ones now, busy ones when
 * their invocation ends. Any thread. */
void envmgr_retire(const char *function_arn);
/* Runs fn on the environment thread soon (any thread), after the jobs posted before it: the async
 * queue's wake-ups. */
void envmgr_post(void (*fn)(void *arg), void *arg);
/* The environment thread's loop (for timers of code that runs there). */
uv_loop_t *envmgr_loop(void);

#endif
