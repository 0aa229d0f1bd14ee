/* http_budget.c - the memory budget: every byte the server buffers for its clients is counted,
 * per connection and process-wide, and decides when connections stop taking more.
 *
 * Counted, by the capacity of each buffer as it changes (budget_set: one add or subtract on the
 * process-wide counter): request heads and bodies being received or held by the application,
 * responses waiting to be written (HTTP/1 pipelined responses, HTTP/2 bodies, streaming chunks),
 * bytes handed to uv_write and not yet written, and input kept while reading is paused. Not
 * counted: fixed per-connection structures, and nghttp2's own bounded frame buffers.
 *
 * With B the budget (--memory-budget) and C = B/8 (at least 1 MiB) a connection's share:
 *   - a request is admitted when its head is complete if its declared body fits: a large one
 *     (over HTTP_SMALL_BODY) within 3/4 B, a small one within B; else it is answered 503
 *     ServiceUnavailable (HTTP/1: and the connection closes after it). An admitted declared body
 *     is counted in full at once (its claim; no memory is allocated for it before its bytes
 *     come), so admitted bodies never wait for each other: they can all complete;
 *   - a body of unknown length (chunked, HTTP/2 without content-length) is admitted while the
 *     total is under 3/4 B and counted as it arrives; it stops taking bytes while the total is at
 *     that mark or its connection holds C for other requests: HTTP/1 stops reading, HTTP/2 gives
 *     no window back (no WINDOW_UPDATE);
 *   - a connection takes no new request (HTTP/1 stops reading, HTTP/2 stops delivering) while
 *     it holds C or more for earlier requests (unsent responses, requests with the application),
 *     or anything at all once the total reaches B/2: nothing more is produced for a client that
 *     does not read.
 * So small requests on fresh connections are still served while large uploads and slow readers
 * are held back. A loop retries its held-back connections every BUDGET_RETRY_MS while any wait,
 * and closes those whose client left meanwhile (a paused read would not see it).
 * When the total, after rising to B/8, falls below B/32, malloc_trim(0) returns the freed heap to
 * the system (at most once per TRIM_INTERVAL_MS): the allocator would otherwise keep it. */
#include <malloc.h>

#include "http_internal.h"

#define BUDGET_RETRY_MS 20
#define TRIM_INTERVAL_MS 1000

static size_t budget_of(const http_server *srv)
{
    return srv->cfg.memory_budget;
}

static void on_trim(uv_timer_t *timer)
{
    http_loop *loop = timer->data;
    atomic_store(&loop->srv->last_trim_ms, uv_now(&loop->uv));
    malloc_trim(0);
}

/* The total fell to `now` (on c's loop): after a high mark, the allocator gives memory back. */
static void maybe_trim(http_loop *loop, size_t now)
{
    http_server *srv = loop->srv;
    if (now >= budget_of(srv) / 32 || !atomic_load_explicit(&srv->trim_armed, memory_order_relaxed))
        return;
    if (!atomic_exchange(&srv->trim_armed, false) || loop->stopping)
        return;
    uint64_t next = atomic_load(&srv->last_trim_ms) + TRIM_INTERVAL_MS, at = uv_now(&loop->uv);
    uv_timer_start(&loop->trim_timer, on_trim, next > at ? next - at : 0, 0);
}

void budget_set(http_conn *c, size_t *held, size_t now)
{
    if (now == *held)
        return;
    http_server *srv = c->loop->srv;
    if (now > *held) {
        size_t more = now - *held;
        c->buffered += more;
        size_t total = atomic_fetch_add_explicit(&srv->buffered, more, memory_order_relaxed);
        if (total + more >= budget_of(srv) / 8 &&
            !atomic_load_explicit(&srv->trim_armed, memory_order_relaxed))
            atomic_store(&srv->trim_armed, true);
    } else {
        size_t less = *held - now;
        c->buffered -= less;
        size_t total = atomic_fetch_sub_explicit(&srv->buffered, less, memory_order_relaxed);
        maybe_trim(c->loop, total - less);
    }
    *held = now;
}

static size_t total_of(const http_server *srv)
{
    return atomic_load_explicit(&srv->buffered, memory_order_relaxed);
}

static bool is_large(uint64_t declared)
{
    return declared > HTTP_SMALL_BODY; /* HTTP_UNKNOWN_LENGTH too */
}

/* The total up to which a body of this declared length may grow. */
static size_t mark_for(const http_server *srv, uint64_t declared)
{
    size_t budget = budget_of(srv);
    return is_large(declared) ? budget - budget / 4 : budget;
}

bool budget_admit(http_exchange *ex)
{
    const http_server *srv = ex->conn->loop->srv;
    uint64_t declared = ex->declared;
    size_t mark = mark_for(srv, declared), total = total_of(srv);
    uint64_t need = declared == HTTP_UNKNOWN_LENGTH ? 0 : declared;
    if (total >= mark || need > mark - total)
        return false;
    ex->claim = (size_t)need;
    exchange_recharge(ex);
    return true;
}

bool budget_body_may_grow(const http_conn *c, const http_exchange *ex)
{
    const http_server *srv = c->loop->srv;
    if (ex->claim > 0)
        return true; /* counted in full when it was admitted */
    return total_of(srv) < mark_for(srv, ex->declared) &&
           c->buffered - ex->charged < srv->conn_budget;
}

bool budget_may_take_request(const http_conn *c, size_t held)
{
    const http_server *srv = c->loop->srv;
    if (held >= srv->conn_budget)
        return false;
    return held == 0 || total_of(srv) < budget_of(srv) / 2;
}

static void on_budget_timer(uv_timer_t *timer)
{
    http_loop *loop = timer->data;
    bool waiting = false;
    for (http_conn *c = loop->conns, *next; c; c = next) {
        next = c->next; /* a retry may close c */
        if (!c->budget_waiting || c->closing)
            continue;
        c->budget_waiting = false;
        if (c->read_paused && conn_peer_gone(c)) {
            conn_close(c); /* what it holds would wait for its deadline */
            continue;
        }
        conn_retry(c);
        waiting = waiting || c->budget_waiting;
    }
    if (!waiting)
        uv_timer_stop(timer);
}

void budget_wait(http_conn *c)
{
    c->budget_waiting = true;
    uv_timer_t *timer = &c->loop->budget_timer;
    if (!uv_is_active((uv_handle_t *)timer))
        uv_timer_start(timer, on_budget_timer, BUDGET_RETRY_MS, BUDGET_RETRY_MS);
}

void budget_loop_init(http_loop *loop)
{
    uv_timer_init(&loop->uv, &loop->budget_timer);
    uv_timer_init(&loop->uv, &loop->trim_timer);
    loop->budget_timer.data = loop->trim_timer.data = loop;
}

void budget_loop_close(http_loop *loop)
{
    uv_close((uv_handle_t *)&loop->budget_timer, NULL);
    uv_close((uv_handle_t *)&loop->trim_timer, NULL);
}
