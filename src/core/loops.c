/* loops.c - each loop thread's part of the core: replies parked until durable, calls finished on
 * other threads, and the wake-ups that bring both back to the loop (see core_internal.h).
 *
 * The storage thread reports durable tickets through dispatch_on_durable; a control thread (or
 * whoever finishes a deferred call) hands the request back through loop_complete. Both wake the
 * loop through its uv_async handle. The table of live loops is guarded by loops_mu, and a loop
 * leaves it before its handle is closed, so nobody signals a handle that is closing or freed.
 *
 * A store whose I/O failed never reports another ticket. A loop's timer, which runs only while
 * the loop has parked replies (an idle kinesd wakes for none of this), notices that and wakes
 * every loop, which then answers its parked replies InternalFailure instead of keeping them (and
 * so the clients, and a SIGTERM waiting for them) waiting forever. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core_internal.h"
#include "dispatch.h"

#define MAX_LOOPS 256 /* the most --threads allows (config.c) */
#define TICK_MS 10

struct loop_ctx {
    uv_loop_t *loop;
    uv_async_t wake;         /* durable tickets or completed calls to answer */
    uv_timer_t watch;        /* runs while replies are parked: notices a broken store */
    core_request *parked;    /* waiting for durability, in ticket order (oldest first) */
    core_request *last;      /* the newest parked */
    pthread_mutex_t done_mu; /* guards completed */
    core_request *completed; /* finished elsewhere, to answer here (newest first) */
};

static pthread_mutex_t loops_mu = PTHREAD_MUTEX_INITIALIZER;
static loop_ctx *loops[MAX_LOOPS]; /* under loops_mu; NULL once a loop is done */
static int loop_count;             /* under loops_mu: slots ever used */
static _Atomic uint64_t durable_ticket;
static atomic_bool store_broken; /* no ticket above durable_ticket will ever be durable */
static store *data_store;        /* whose failure the tick watches; may be NULL */

void dispatch_set_store(store *st)
{
    data_store = st;
}

/* --- durability --------------------------------------------------------------------------- */

/* Answers the parked replies whose tickets are durable or lost (the store abandoned their
 * appends: the disk was full), or all of them once the store broke. */
static void answer_durable(loop_ctx *lc)
{
    bool broken = atomic_load(&store_broken); /* first: durable_ticket is final once it is set */
    uint64_t durable = atomic_load(&durable_ticket);
    while (lc->parked) {
        core_request *r = lc->parked;
        uint64_t ticket = r->call.commit_ticket;
        bool lost = data_store && store_ticket_lost(data_store, ticket); /* see store.h */
        if (!broken && !lost && ticket > durable)
            break;
        lc->parked = r->next;
        if (!lc->parked)
            lc->last = NULL;
        if (ticket <= durable && !lost)
            reply_send(r);
        else
            reply_failed(r);
        request_free(r);
    }
    if (!lc->parked)
        uv_timer_stop(&lc->watch);
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

static void notice_broken_store(uv_timer_t *timer)
{
    (void)timer;
    if (atomic_load(&store_broken) || !data_store || !store_failed(data_store))
        return;
    atomic_store(&store_broken, true);
    wake_loops();
}

void loop_park(core_request *r)
{
    loop_ctx *lc = r->lc;
    r->next = NULL;
    if (lc->last)
        lc->last->next = r;
    else
        lc->parked = r;
    lc->last = r;
    if (!uv_is_active((uv_handle_t *)&lc->watch))
        uv_timer_start(&lc->watch, notice_broken_store, TICK_MS, TICK_MS);
    answer_durable(lc); /* it may already be durable */
}

/* --- completed calls ------------------------------------------------------------------------ */

void loop_complete(core_request *r)
{
    loop_ctx *lc = r->lc;
    pthread_mutex_lock(&lc->done_mu);
    r->next = lc->completed;
    lc->completed = r;
    pthread_mutex_unlock(&lc->done_mu);
    uv_async_send(&lc->wake);
}

/* Answers the calls finished elsewhere, oldest first. */
static void answer_completed(loop_ctx *lc)
{
    pthread_mutex_lock(&lc->done_mu);
    core_request *newest = lc->completed;
    lc->completed = NULL;
    pthread_mutex_unlock(&lc->done_mu);
    core_request *oldest = NULL;
    while (newest) {
        core_request *next = newest->next;
        newest->next = oldest;
        oldest = newest;
        newest = next;
    }
    while (oldest) {
        core_request *next = oldest->next;
        request_finish(oldest);
        oldest = next;
    }
}

static void tell_service_durable(const service *svc, void *arg)
{
    (void)arg;
    if (svc->on_durable)
        svc->on_durable();
}

static void on_wake(uv_async_t *handle)
{
    loop_ctx *lc = handle->data;
    answer_completed(lc);
    answer_durable(lc);
    service_each(tell_service_durable, NULL); /* e.g. SubscribeToShard pushes what is durable */
}

/* --- loops ---------------------------------------------------------------------------------- */

void *dispatch_loop_init(uv_loop_t *loop, void *app)
{
    (void)app;
    loop_ctx *lc = calloc(1, sizeof(*lc));
    if (!lc)
        abort();
    lc->loop = loop;
    pthread_mutex_init(&lc->done_mu, NULL);
    uv_async_init(loop, &lc->wake, on_wake);
    lc->wake.data = lc;
    pthread_mutex_lock(&loops_mu);
    int slot = loop_count++;
    if (slot >= MAX_LOOPS)
        abort();
    loops[slot] = lc;
    pthread_mutex_unlock(&loops_mu);
    uv_timer_init(loop, &lc->watch);
    return lc;
}

uv_loop_t *loop_of(const loop_ctx *lc)
{
    return lc->loop;
}

static void free_on_close(uv_handle_t *handle)
{
    loop_ctx *lc = handle->data;
    if (handle == (uv_handle_t *)&lc->wake) {
        pthread_mutex_destroy(&lc->done_mu);
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
    uv_close((uv_handle_t *)&lc->watch, NULL);
    uv_close((uv_handle_t *)&lc->wake, free_on_close);
}
