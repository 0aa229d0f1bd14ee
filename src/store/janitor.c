/* janitor.c - the store's deleting thread (see janitor.h): a FIFO of jobs under a mutex. */
#include "janitor.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "fsutil.h"

typedef struct job {
    struct job *next;
    char **paths; /* files to unlink, then `dir` is synced; or NULL: remove `dir` whole */
    size_t n;
    char *dir;
    janitor_done_fn done;
    void *arg;
} job;

struct janitor {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job *head, *tail; /* under mu */
    bool stopping;    /* under mu */
};

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno != ENOENT)
            log_error("store: cannot delete %s: %s", dir, strerror(errno));
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            unlinkat(dirfd(d), e->d_name, 0) < 0)
            log_error("store: cannot delete %s/%s: %s", dir, e->d_name, strerror(errno));
    closedir(d);
    if (rmdir(dir) < 0)
        log_error("store: cannot delete %s: %s", dir, strerror(errno));
    fs_sync_parent(dir);
}

static void run_job(job *jb)
{
    if (jb->paths) {
        for (size_t i = 0; i < jb->n; i++) {
            if (unlink(jb->paths[i]) < 0 && errno != ENOENT)
                log_warn("store: unlink %s: %s", jb->paths[i], strerror(errno));
            free(jb->paths[i]);
        }
        free(jb->paths);
        fs_sync_dir(jb->dir);
    } else {
        remove_dir(jb->dir);
    }
    if (jb->done)
        jb->done(jb->arg);
    free(jb->dir);
    free(jb);
}

static void *janitor_main(void *arg)
{
    janitor *j = arg;
    pthread_mutex_lock(&j->mu);
    for (;;) {
        while (!j->head && !j->stopping)
            pthread_cond_wait(&j->cv, &j->mu);
        job *jb = j->head;
        if (!jb)
            break;
        j->head = jb->next;
        if (!j->head)
            j->tail = NULL;
        pthread_mutex_unlock(&j->mu);
        run_job(jb);
        pthread_mutex_lock(&j->mu);
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

janitor *janitor_start(void)
{
    janitor *j = calloc(1, sizeof *j);
    if (!j)
        abort();
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    if (pthread_create(&j->thread, NULL, janitor_main, j) != 0)
        abort();
    return j;
}

void janitor_stop(janitor *j)
{
    pthread_mutex_lock(&j->mu);
    j->stopping = true;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
    pthread_join(j->thread, NULL);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    free(j);
}

static void push(janitor *j, job *jb)
{
    pthread_mutex_lock(&j->mu);
    if (j->tail)
        j->tail->next = jb;
    else
        j->head = jb;
    j->tail = jb;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

static job *job_new(char **paths, size_t n, char *dir, janitor_done_fn done, void *arg)
{
    job *jb = calloc(1, sizeof *jb);
    if (!jb)
        abort();
    *jb = (job){NULL, paths, n, dir, done, arg};
    return jb;
}

void janitor_unlink(janitor *j, char **paths, size_t n, char *dir)
{
    push(j, job_new(paths, n, dir, NULL, NULL));
}

void janitor_remove_dir(janitor *j, char *dir, janitor_done_fn done, void *arg)
{
    push(j, job_new(NULL, 0, dir, done, arg));
}
