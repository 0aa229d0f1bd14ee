/* msgindex.c - the in-memory message index of a queue (see msgindex.h). */
#include "msgindex.h"

#include <stdlib.h>
#include <string.h>

/* Doubles a circular buffer of `len` elements of `size` bytes starting at *head, re-laying it
 * out from index 0. */
static void ring_grow(void **buf, size_t *head, size_t len, size_t *cap, size_t size)
{
    size_t new_cap = *cap ? *cap * 2 : 64;
    char *grown = malloc(new_cap * size), *old = *buf;
    if (!grown)
        abort();
    for (size_t i = 0; i < len; i++)
        memcpy(grown + i * size, old + ((*head + i) % *cap) * size, size);
    free(old);
    *buf = grown;
    *head = 0;
    *cap = new_cap;
}

void msgindex_init(msg_index *ix, uint64_t base)
{
    memset(ix, 0, sizeof *ix);
    ix->base = base;
    ix->promoted = base;
    ix->oldest_sent_ms = INT64_MAX;
}

void msgindex_free(msg_index *ix)
{
    free(ix->ring);
    free(ix->ready);
    free(ix->timers);
    memset(ix, 0, sizeof *ix);
}

/* ---- the entries ---------------------------------------------------------------------------- */

msg_entry *msgindex_get(msg_index *ix, uint64_t offset)
{
    if (offset < ix->base || offset - ix->base >= ix->len)
        return NULL;
    return &ix->ring[(ix->head + (offset - ix->base)) % ix->cap];
}

uint64_t msgindex_end(const msg_index *ix)
{
    return ix->base + ix->len;
}

void msgindex_add(msg_index *ix, int64_t sent_ms, int64_t visible_at_ms, uint32_t receive_count,
                  int64_t first_receive_ms)
{
    if (ix->len == ix->cap)
        ring_grow((void **)&ix->ring, &ix->head, ix->len, &ix->cap, sizeof *ix->ring);
    msg_entry *e = &ix->ring[(ix->head + ix->len++) % ix->cap];
    *e = (msg_entry){.sent_ms = sent_ms,
                     .visible_at_ms = visible_at_ms,
                     .first_receive_ms = first_receive_ms,
                     .receive_count = receive_count,
                     .state = visible_at_ms ? MSG_DELAYED : MSG_VISIBLE};
    if (sent_ms < ix->oldest_sent_ms)
        ix->oldest_sent_ms = sent_ms;
}

/* Drops deleted entries from the front. */
static void drop_front(msg_index *ix)
{
    while (ix->len && ix->ring[ix->head].state == MSG_DELETED) {
        ix->head = (ix->head + 1) % ix->cap;
        ix->len--;
        ix->base++;
    }
    if (ix->promoted < ix->base)
        ix->promoted = ix->base;
}

/* ---- ready FIFO and timers ------------------------------------------------------------------ */

static void ready_push(msg_index *ix, uint64_t offset)
{
    if (ix->ready_len == ix->ready_cap)
        ring_grow((void **)&ix->ready, &ix->ready_head, ix->ready_len, &ix->ready_cap,
                  sizeof *ix->ready);
    ix->ready[(ix->ready_head + ix->ready_len++) % ix->ready_cap] = offset;
}

static void timer_push(msg_index *ix, int64_t at_ms, uint64_t offset)
{
    if (ix->timer_len == ix->timer_cap) {
        size_t head = 0; /* the heap is not circular: it stays at 0 */
        ring_grow((void **)&ix->timers, &head, ix->timer_len, &ix->timer_cap, sizeof *ix->timers);
    }
    size_t i = ix->timer_len++;
    while (i > 0 && ix->timers[(i - 1) / 2].at_ms > at_ms) {
        ix->timers[i] = ix->timers[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    ix->timers[i] = (msg_timer){at_ms, offset};
}

static msg_timer timer_pop(msg_index *ix)
{
    msg_timer top = ix->timers[0], last = ix->timers[--ix->timer_len];
    size_t i = 0, n = ix->timer_len;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && ix->timers[c + 1].at_ms < ix->timers[c].at_ms)
            c++;
        if (ix->timers[c].at_ms >= last.at_ms)
            break;
        ix->timers[i] = ix->timers[c];
        i = c;
    }
    if (n)
        ix->timers[i] = last;
    return top;
}

/* ---- state changes -------------------------------------------------------------------------- */

/* Takes a placed entry out of its count. */
static void uncount(msg_index *ix, const msg_entry *e)
{
    switch (e->state) {
    case MSG_VISIBLE:
        ix->visible--;
        break;
    case MSG_INFLIGHT:
    case MSG_MOVING:
        ix->inflight--;
        break;
    case MSG_DELAYED:
        ix->delayed--;
        break;
    }
}

static void make_visible(msg_index *ix, msg_entry *e, uint64_t offset)
{
    e->state = MSG_VISIBLE;
    ix->visible++;
    ready_push(ix, offset);
}

void msgindex_advance(msg_index *ix, uint64_t committed, int64_t now_ms)
{
    for (; ix->promoted < committed && ix->promoted < msgindex_end(ix); ix->promoted++) {
        msg_entry *e = msgindex_get(ix, ix->promoted);
        if (e->state == MSG_VISIBLE) {
            make_visible(ix, e, ix->promoted);
        } else if (e->state == MSG_DELAYED) {
            ix->delayed++;
            timer_push(ix, e->visible_at_ms, ix->promoted);
        }
    }
    while (ix->timer_len && ix->timers[0].at_ms <= now_ms) {
        msg_timer t = timer_pop(ix);
        msg_entry *e = msgindex_get(ix, t.offset);
        if (!e || t.offset >= ix->promoted || e->visible_at_ms != t.at_ms ||
            (e->state != MSG_DELAYED && e->state != MSG_INFLIGHT))
            continue;
        uncount(ix, e);
        make_visible(ix, e, t.offset);
    }
}

bool msgindex_has_visible(const msg_index *ix)
{
    return ix->visible > 0;
}

bool msgindex_pop_visible(msg_index *ix, uint64_t *offset)
{
    while (ix->ready_len) {
        uint64_t off = ix->ready[ix->ready_head];
        ix->ready_head = (ix->ready_head + 1) % ix->ready_cap;
        ix->ready_len--;
        msg_entry *e = msgindex_get(ix, off);
        if (e && e->state == MSG_VISIBLE) {
            *offset = off;
            return true;
        }
    }
    return false;
}

/* An in-flight message: visible again at at_ms (now, when `now`). */
static void hide_until(msg_index *ix, msg_entry *e, uint64_t offset, int64_t at_ms, bool now)
{
    e->visible_at_ms = at_ms;
    if (now) {
        uncount(ix, e);
        make_visible(ix, e, offset);
    } else {
        timer_push(ix, at_ms, offset);
    }
}

void msgindex_receive(msg_index *ix, uint64_t offset, int64_t now_ms, int64_t visibility_ms)
{
    msg_entry *e = msgindex_get(ix, offset);
    uncount(ix, e);
    e->receive_count++;
    if (!e->first_receive_ms)
        e->first_receive_ms = now_ms;
    e->state = MSG_INFLIGHT;
    ix->inflight++;
    hide_until(ix, e, offset, now_ms + visibility_ms, visibility_ms == 0);
}

void msgindex_start_move(msg_index *ix, uint64_t offset)
{
    msg_entry *e = msgindex_get(ix, offset);
    uncount(ix, e);
    e->state = MSG_MOVING;
    ix->inflight++;
}

void msgindex_cancel_move(msg_index *ix, uint64_t offset)
{
    msg_entry *e = msgindex_get(ix, offset);
    if (!e || e->state != MSG_MOVING)
        return;
    uncount(ix, e);
    make_visible(ix, e, offset);
}

bool msgindex_change_visibility(msg_index *ix, uint64_t offset, int64_t now_ms,
                                int64_t visibility_ms)
{
    msg_entry *e = msgindex_get(ix, offset);
    if (!e || e->state != MSG_INFLIGHT || e->visible_at_ms <= now_ms)
        return false;
    hide_until(ix, e, offset, now_ms + visibility_ms, visibility_ms == 0);
    return true;
}

void msgindex_delete(msg_index *ix, uint64_t from, uint64_t to)
{
    if (from < ix->base)
        from = ix->base;
    if (to > msgindex_end(ix))
        to = msgindex_end(ix);
    for (uint64_t off = from; off < to; off++) {
        msg_entry *e = msgindex_get(ix, off);
        if (e->state == MSG_DELETED)
            continue;
        if (off < ix->promoted)
            uncount(ix, e);
        e->state = MSG_DELETED;
    }
    drop_front(ix);
}

void msgindex_expire(msg_index *ix, int64_t cutoff_ms, void (*fn)(void *arg, uint64_t offset),
                     void *arg)
{
    int64_t oldest = INT64_MAX;
    for (uint64_t off = ix->base; off < ix->promoted; off++) {
        msg_entry *e = msgindex_get(ix, off);
        if (e->state == MSG_DELETED || e->state == MSG_MOVING)
            continue;
        if (e->sent_ms < cutoff_ms) {
            uncount(ix, e);
            e->state = MSG_DELETED;
            fn(arg, off);
        } else if (e->sent_ms < oldest) {
            oldest = e->sent_ms;
        }
    }
    for (uint64_t off = ix->promoted; off < msgindex_end(ix); off++)
        if (msgindex_get(ix, off)->sent_ms < oldest)
            oldest = msgindex_get(ix, off)->sent_ms;
    ix->oldest_sent_ms = oldest;
    drop_front(ix);
}

void msgindex_replay_received(msg_index *ix, uint64_t offset, uint32_t count, int64_t first_ms)
{
    msg_entry *e = msgindex_get(ix, offset);
    if (!e || e->state == MSG_DELETED)
        return;
    if (count > e->receive_count)
        e->receive_count = count;
    if (first_ms && (!e->first_receive_ms || first_ms < e->first_receive_ms))
        e->first_receive_ms = first_ms;
}
