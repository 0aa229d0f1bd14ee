/* test_kinesis_race.c - the dispatcher's durability wake-ups against loops that come and go: the
 * storage thread calls dispatch_on_durable at any moment, including while a loop thread runs
 * dispatch_loop_done and closes (then frees) its wake handle, as at shutdown. Meant to run under
 * ThreadSanitizer and ASan: before the fix the table of loops was read without synchronisation
 * and a wake could be sent to a handle being closed or already freed. Also: as many loops as
 * --threads allows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <uv.h>

#include "core/dispatch.h"

#define LOOPS 16 /* the dispatcher keeps at most 256 loop slots per process */
#define SPINS 200

static atomic_bool hammering;
/* Every loop has made its descriptors before any loop closes them: libuv closes descriptors
 * with a raw system call that TSan does not see, so a descriptor number reused by another
 * thread would be reported as a (false) race. */
static pthread_barrier_t all_started;

/* The storage thread's part: reports ever higher tickets as fast as it can. */
static void *report_durable(void *arg)
{
    (void)arg;
    uint64_t ticket = 1;
    while (atomic_load(&hammering))
        dispatch_on_durable(ticket++, NULL);
    return NULL;
}

/* A loop thread's life: init, a little work, done, and run until its handles are closed. */
static void *loop_life(void *arg)
{
    int *closed_ok = arg;
    uv_loop_t loop;
    uv_loop_init(&loop);
    void *ctx = dispatch_loop_init(&loop, NULL);
    pthread_barrier_wait(&all_started);
    for (int i = 0; i < SPINS; i++)
        uv_run(&loop, UV_RUN_NOWAIT);
    dispatch_loop_done(ctx);
    uv_run(&loop, UV_RUN_DEFAULT);
    *closed_ok = uv_loop_close(&loop) == 0;
    return NULL;
}

static void test_wakeups_while_loops_stop(void **state)
{
    (void)state;
    atomic_store(&hammering, true);
    pthread_t reporter;
    pthread_create(&reporter, NULL, report_durable, NULL);
    pthread_barrier_init(&all_started, NULL, LOOPS);
    pthread_t t[LOOPS];
    int closed_ok[LOOPS];
    for (int i = 0; i < LOOPS; i++)
        pthread_create(&t[i], NULL, loop_life, &closed_ok[i]);
    for (int i = 0; i < LOOPS; i++) {
        pthread_join(t[i], NULL);
        assert_true(closed_ok[i]);
    }
    pthread_barrier_destroy(&all_started);
    atomic_store(&hammering, false);
    pthread_join(reporter, NULL);
    dispatch_on_durable(UINT64_MAX, NULL); /* no loop left: must touch nothing */
}

/* --threads allows up to 256 loops (and defaults to the number of cores): every one of them gets
 * a slot (the table used to hold 64, and the 65th loop aborted the server at start-up). */
static void test_more_loops_than_64(void **state)
{
    (void)state;
    enum { MANY = 100 };
    static uv_loop_t loops[MANY];
    void *ctx[MANY];
    for (int i = 0; i < MANY; i++) {
        uv_loop_init(&loops[i]);
        ctx[i] = dispatch_loop_init(&loops[i], NULL);
        assert_non_null(ctx[i]);
    }
    for (int i = 0; i < MANY; i++) {
        dispatch_loop_done(ctx[i]);
        uv_run(&loops[i], UV_RUN_DEFAULT);
        assert_int_equal(uv_loop_close(&loops[i]), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wakeups_while_loops_stop),
        cmocka_unit_test(test_more_loops_than_64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
