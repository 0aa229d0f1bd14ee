/* logstate.c - the two-slot state file of a shard log (see logstate.h).
 *
 * Slot layout (little-endian): u64 magic "KNSTATE1", u64 seq, u64 horizon, u64 synced_end,
 * u32 gap count, u32 zero, then the gaps (u64 from, u64 to); the slot's last four bytes are the
 * CRC-32C of the 508 before them. */
#include "logstate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "crc32c.h"
#include "fsutil.h"
#include "le.h"

#define SLOT 512
#define SLOT_MAGIC 0x3145544154534e4bull /* "KNSTATE1" */
#define SLOT_HEADER 40

static void state_path(const char *dir, char *out, size_t len)
{
    snprintf(out, len, "%s/state", dir);
}

static void slot_encode(const logstate *s, char *p)
{
    memset(p, 0, SLOT);
    le_put64(p, SLOT_MAGIC);
    le_put64(p + 8, s->seq);
    le_put64(p + 16, s->horizon);
    le_put64(p + 24, s->synced_end);
    le_put32(p + 32, (uint32_t)s->ngaps);
    for (size_t i = 0; i < s->ngaps; i++) {
        le_put64(p + SLOT_HEADER + 16 * i, s->gaps[i].from);
        le_put64(p + SLOT_HEADER + 16 * i + 8, s->gaps[i].to);
    }
    le_put32(p + SLOT - 4, crc32c(0, p, SLOT - 4));
}

static bool slot_decode(const char *p, logstate *s)
{
    if (le_get64(p) != SLOT_MAGIC || le_get32(p + SLOT - 4) != crc32c(0, p, SLOT - 4))
        return false;
    uint32_t ngaps = le_get32(p + 32);
    if (ngaps > LOGSTATE_MAX_GAPS)
        return false;
    s->seq = le_get64(p + 8);
    s->horizon = le_get64(p + 16);
    s->synced_end = le_get64(p + 24);
    s->ngaps = ngaps;
    for (size_t i = 0; i < ngaps; i++)
        s->gaps[i] =
            (log_gap){le_get64(p + SLOT_HEADER + 16 * i), le_get64(p + SLOT_HEADER + 16 * i + 8)};
    return true;
}

logstate_load logstate_read(const char *dir, logstate *out)
{
    memset(out, 0, sizeof *out);
    out->fd = -1;
    char path[4200];
    state_path(dir, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? LOGSTATE_ABSENT : LOGSTATE_DAMAGED;
    char slots[2 * SLOT];
    ssize_t got = pread(fd, slots, sizeof slots, 0);
    close(fd);
    logstate a, b;
    bool a_ok = got >= SLOT && slot_decode(slots, &a);
    bool b_ok = got == 2 * SLOT && slot_decode(slots + SLOT, &b);
    if (!a_ok && !b_ok)
        return LOGSTATE_DAMAGED;
    *out = a_ok && (!b_ok || a.seq > b.seq) ? a : b;
    out->fd = -1;
    return LOGSTATE_LOADED;
}

/* Creates the state file holding slot: written and synced under a temporary name, then renamed,
 * so that a state file never exists without a valid slot. */
static int create_with(logstate *s, const char *dir, const char *slot)
{
    char path[4200], tmp[4210];
    state_path(dir, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    s->fd = open(tmp, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0644);
    if (s->fd < 0 || pwrite(s->fd, slot, SLOT, (off_t)(s->seq % 2) * SLOT) != SLOT ||
        fdatasync(s->fd) < 0 || rename(tmp, path) < 0 || fs_sync_parent(path) < 0) {
        log_error("store: cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int logstate_write(logstate *s, const char *dir, bool sync)
{
    s->seq++;
    char slot[SLOT];
    slot_encode(s, slot);
    if (s->fd < 0) {
        char path[4200];
        state_path(dir, path, sizeof path);
        s->fd = open(path, O_RDWR | O_CLOEXEC);
        if (s->fd < 0)
            return errno == ENOENT ? create_with(s, dir, slot) : -1;
    }
    if (pwrite(s->fd, slot, SLOT, (off_t)(s->seq % 2) * SLOT) != SLOT ||
        (sync && fdatasync(s->fd) < 0)) {
        log_error("store: cannot write %s/state: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

int logstate_sync(logstate *s)
{
    return s->fd < 0 || fdatasync(s->fd) == 0 ? 0 : -1;
}

void logstate_close(logstate *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

bool logstate_has_gap(const logstate *s, uint64_t from, uint64_t to)
{
    for (size_t i = 0; i < s->ngaps; i++)
        if (s->gaps[i].from <= from && to <= s->gaps[i].to)
            return true;
    return false;
}

/* The table is one over full: the two gaps closest to each other become one. That only weakens
 * recovery's chaining check between them (a missing segment there would go unnoticed); it never
 * makes a sound log look damaged. */
static void merge_closest(logstate *s)
{
    size_t best = 0;
    for (size_t i = 1; i + 1 < s->ngaps; i++)
        if (s->gaps[i + 1].from - s->gaps[i].to < s->gaps[best + 1].from - s->gaps[best].to)
            best = i;
    s->gaps[best].to = s->gaps[best + 1].to;
    memmove(&s->gaps[best + 1], &s->gaps[best + 2], (s->ngaps - best - 2) * sizeof *s->gaps);
    s->ngaps--;
}

void logstate_add_gap(logstate *s, uint64_t from, uint64_t to)
{
    size_t at = 0;
    while (at < s->ngaps && s->gaps[at].to < from)
        at++;
    if (at < s->ngaps && s->gaps[at].from <= to) { /* touches gaps[at]: merge */
        if (from < s->gaps[at].from)
            s->gaps[at].from = from;
        if (to > s->gaps[at].to)
            s->gaps[at].to = to;
        return;
    }
    memmove(&s->gaps[at + 1], &s->gaps[at], (s->ngaps - at) * sizeof *s->gaps);
    s->gaps[at] = (log_gap){from, to};
    if (++s->ngaps > LOGSTATE_MAX_GAPS)
        merge_closest(s);
}

void logstate_drop_gaps_below(logstate *s, uint64_t horizon)
{
    size_t keep = 0;
    for (size_t i = 0; i < s->ngaps; i++)
        if (s->gaps[i].to > horizon)
            s->gaps[keep++] = s->gaps[i];
    s->ngaps = keep;
}
