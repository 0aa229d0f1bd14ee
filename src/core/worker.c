/* worker.c - control threads (see worker.h): a mutex-guarded FIFO of jobs and a monotonic tick.
 *
 * A control thread runs at a lower scheduling priority (nice CONTROL_NICE) than the loops: when
 * the CPUs are busy, the data plane gets them first and control-plane calls take longer. */
#include "worker.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../common/clock.h"

typedef struct job {
    worker_job fn;
    void *arg;
    struct job *next;
} job;

struct core_worker {
    pthread_t thread;
    char name[16];
    worker_tick tick;   /* NULL: none */
    int64_t tick_ns;    /* its period */
    int64_t next_tick;  /* monotonic ns (control thread only) */
    pthread_mutex_t mu; /* guards the fields below */
    pthread_cond_t cv;  /* a job was posted, or stop */
    job *head, *tail;   /* queued jobs, oldest first */
    bool stopping;
};

void worker_post(core_worker *w, worker_job fn, void *arg)
{
    job *j = malloc(sizeof *j);
    if (!j)
        abort();
    *j = (job){fn, arg, NULL};
    pthread_mutex_lock(&w->mu);
    if (w->tail)
        w->tail->next = j;
    else
        w->head = j;
    w->tail = j;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* Waits (holding mu) until a job is queued, stop is asked, or the tick is due. */
static void wait_for_work(core_worker *w)
{
    while (!w->head && !w->stopping) {
        if (!w->tick) {
            pthread_cond_wait(&w->cv, &w->mu);
            continue;
        }
        if (clock_mono_ns() >= w->next_tick)
            return;
        struct timespec until = {.tv_sec = w->next_tick / 1000000000,
                                 .tv_nsec = w->next_tick % 1000000000};
        pthread_cond_timedwait(&w->cv, &w->mu, &until);
    }
}

static void run_tick_if_due(core_worker *w)
{
    int64_t now = clock_mono_ns();
    if (!w->tick || now < w->next_tick)
        return;
    w->next_tick = now + w->tick_ns;
    w->tick(clock_now_ms());
}

#define CONTROL_NICE 5

static void *worker_main(void *arg)
{
    core_worker *w = arg;
    pthread_setname_np(pthread_self(), w->name);
    setpriority(PRIO_PROCESS, (id_t)gettid(), CONTROL_NICE); /* best effort */
    pthread_mutex_lock(&w->mu);
    for (;;) {
        wait_for_work(w);
        job *j = w->head;
        if (j) {
            w->head = j->next;
            if (!w->head)
                w->tail = NULL;
        } else if (w->stopping) {
            break;
        }
        pthread_mutex_unlock(&w->mu);
        if (j) {
            j->fn(j->arg);
            free(j);
        }
        if (!w->stopping)
            run_tick_if_due(w);
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

core_worker *worker_start(const char *name, worker_tick tick, int tick_ms)
{
    core_worker *w = calloc(1, sizeof *w);
    if (!w)
        abort();
    snprintf(w->name, sizeof w->name, "%s", name);
    w->tick = tick;
    w->tick_ns = (int64_t)(tick_ms > 0 ? tick_ms : 10) * 1000000;
    w->next_tick = clock_mono_ns() + w->tick_ns;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
        abort();
    return w;
}

void worker_stop(core_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}

bool worker_is_current(const core_worker *w)
{
    return w && pthread_equal(pthread_self(), w->thread);
}
