/* test_store_util.h - helpers shared by the store's unit tests (test_store_*.c): temporary data
 * directories, waiting for durability tickets, appending and reading back records. */
#ifndef KINESD_TEST_STORE_UTIL_H
#define KINESD_TEST_STORE_UTIL_H

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "common/buf.h"
#include "store/shardlog.h"
#include "store/store.h"

/* ---- temporary directories ---- */

static inline void tmpdir_make(char out[64])
{
    snprintf(out, 64, "/tmp/kinesd-store-XXXXXX");
    assert_non_null(mkdtemp(out));
}

static inline void tmpdir_remove(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- durability tickets ---- */

typedef struct durable_waiter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t ticket;
    unsigned reports;
    bool out_of_order;
} durable_waiter;

static durable_waiter waiter = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, false};

static inline void on_durable(uint64_t ticket, void *arg)
{
    (void)arg;
    pthread_mutex_lock(&waiter.mu);
    if (ticket <= waiter.ticket)
        waiter.out_of_order = true; /* checked by waiter_check: cmocka asserts only on its thread */
    waiter.ticket = ticket;
    waiter.reports++;
    pthread_cond_broadcast(&waiter.cv);
    pthread_mutex_unlock(&waiter.mu);
}

/* Starts counting afresh (for a new store); fails the test if tickets came out of order. */
static inline void waiter_reset(void)
{
    pthread_mutex_lock(&waiter.mu);
    assert_false(waiter.out_of_order);
    waiter.ticket = 0;
    waiter.reports = 0;
    pthread_mutex_unlock(&waiter.mu);
}

static inline unsigned waiter_reports(void)
{
    pthread_mutex_lock(&waiter.mu);
    unsigned n = waiter.reports;
    pthread_mutex_unlock(&waiter.mu);
    return n;
}

/* Waits at most ms milliseconds until ticket is reported durable; false on timeout. */
static inline bool wait_durable_for(uint64_t ticket, int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&waiter.mu);
    int rc = 0;
    while (waiter.ticket < ticket && rc == 0)
        rc = pthread_cond_timedwait(&waiter.cv, &waiter.mu, &until);
    bool ok = waiter.ticket >= ticket;
    pthread_mutex_unlock(&waiter.mu);
    return ok;
}

static inline bool wait_durable(uint64_t ticket)
{
    return wait_durable_for(ticket, 10000);
}

/* ---- records ---- */

/* Appends one record and waits until it is durable; returns its offset. */
static inline uint64_t append_one(shardlog *log, const char *key, const char *data, int64_t now_ms,
                                  int64_t *arrival_ms)
{
    log_record_in rec = {key, strlen(key), data, strlen(data)};
    uint64_t offset, ticket;
    int64_t arrival;
    assert_int_equal(shardlog_append(log, &rec, 1, now_ms, &offset, &arrival, &ticket), 0);
    assert_true(wait_durable(ticket));
    if (arrival_ms)
        *arrival_ms = arrival;
    return offset;
}

/* Records read back, their keys and data as "key=data" strings. */
typedef struct collected {
    size_t n;
    uint64_t offsets[4096];
    int64_t arrivals[4096];
    char *text[4096];
} collected;

static inline bool collect_visit(const log_record *rec, void *arg)
{
    collected *c = arg;
    assert_true(c->n < 4096);
    kbuf b = KBUF_INIT;
    kbuf_printf(&b, "%.*s=%.*s", (int)rec->partition_key_len, rec->partition_key,
                (int)rec->data_len, (const char *)rec->data);
    c->offsets[c->n] = rec->offset;
    c->arrivals[c->n] = rec->arrival_ms;
    c->text[c->n++] = kbuf_detach(&b);
    return true;
}

static inline void collected_free(collected *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->text[i]);
    c->n = 0;
}

/* Reads everything committed from `from` on (in calls of `per_call` records). */
static inline void read_all(shardlog *log, uint64_t from, size_t per_call, collected *c)
{
    uint64_t next = from;
    for (;;) {
        size_t before = c->n;
        assert_int_equal(shardlog_read(log, next, per_call, SIZE_MAX, collect_visit, c, &next), 0);
        if (c->n == before)
            break;
    }
}

#endif
