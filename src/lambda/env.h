/* env.h - one execution environment, as the environment thread and its Runtime API see it.
 * Private to envmgr.c (pools, lifecycle), env_spawn.c (the child process) and rtapi.c (the
 * Runtime API on the environment's own HTTP loop thread).
 *
 * The fields above `mu` belong to the environment thread. Those below are shared with the
 * environment's Runtime API thread and guarded by mu: the invocation the runtime may take, the
 * `next` request parked until there is one, and the result the runtime posted. */
#ifndef KINESD_LAMBDA_ENV_H
#define KINESD_LAMBDA_ENV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#include "../net/http.h"
#include "envmgr.h"

typedef struct env_pool env_pool;
typedef struct fn_env fn_env;

struct fn_env {
    int id;                 /* for the log stream name */
    env_pool *pool;         /* the function's pool */
    fn_version *fv;         /* what it runs (a reference) */
    pid_t pid;              /* the runtime process (its own process group) */
    int pidfd;              /* readable once it exited */
    uv_poll_t exit_watch;   /* on pidfd */
    int out_fd;             /* read end of its stdout and stderr */
    uv_poll_t out_watch;    /* on out_fd */
    int log_file;           /* the function's log, for appending */
    uv_timer_t timer;       /* Timeout and MemorySize checks while busy */
    int open_handles;       /* uv handles not yet closed */
    http_server *rt;        /* its Runtime API */
    int port;               /* where that listens (127.0.0.1) */
    bool retiring;          /* kill instead of going idle */
    bool exited;            /* reaped */
    int exit_status;        /* waitpid's status */
    bool cold;              /* the invocation in flight is its first */
    int64_t spawned_ns;     /* monotonic time of the fork */
    int64_t inv_started_ns; /* of the invocation in flight */
    invocation *inv;        /* in flight (environment thread's view); NULL: idle */
    bool completion_queued; /* on the manager's completed list */
    fn_env *next;           /* in its pool */
    fn_env *next_completed; /* on the manager's completed list */

    pthread_mutex_t mu;         /* guards the fields below */
    uv_async_t rt_wake;         /* on the Runtime API loop: answer a parked next, or close */
    bool rt_ready;              /* rt_wake is initialised (the loop runs) */
    invocation *offered;        /* the invocation the runtime may take with next */
    bool taken;                 /* next returned it */
    http_exchange *parked_next; /* a next waiting for an invocation */
    bool closing;               /* answer nothing more: the environment is going */
    int64_t first_next_ns;      /* when the runtime first asked for work (init done) */
    bool result_ready;          /* the runtime posted a response or error (or init error) */
    bool result_error;          /* it was an error */
    bool init_failed;           /* it was an init error */
    kbuf result;                /* what it posted */
};

/* How long an environment's credentials last; environments are retired before (envmgr.c). */
#define ENV_CREDENTIALS_MS (12LL * 3600 * 1000)
#define ENV_MAX_AGE_MS (11LL * 3600 * 1000)

/* env_spawn.c: forks the runtime of e->fv with its Runtime API at e->port; -1 with a
 * Runtime.* error written into why (no process). */
int env_spawn_process(fn_env *e, const char *runtimes_dir, const char *endpoint, kbuf *why);

/* rtapi.c: the Runtime API server of an environment (port 0: a free one); NULL on error. */
http_server *rtapi_start(fn_env *e);
/* Offers an invocation to the runtime (environment thread): answers a parked next. */
void rtapi_offer(fn_env *e, invocation *inv);
/* Stops answering (environment thread) and stops the server: joins its thread. */
void rtapi_stop(fn_env *e);

/* envmgr.c: the runtime posted a result (Runtime API thread): the environment thread takes it. */
void envmgr_result_posted(fn_env *e);

#endif
