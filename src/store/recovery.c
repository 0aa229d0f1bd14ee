/* recovery.c - opening a shard log from its files: what is a torn tail, what is damage, and what
 * each recovery mode does about damage (see store.h, logstate.h and docs/storage.md).
 *
 * The torn-tail rule. The state file's synced_end M is a lower bound of what was fdatasynced:
 * every offset below M must be found intact, in a segment that chains on from the previous one
 * (or across a recorded gap). Damage at an offset below M, a missing segment, a sealed segment
 * that differs from its .idx, or an unreadable state file is DAMAGE. The first bad frame at an
 * offset at or above M ends the log: it and everything after it (in its segment and in any later
 * segment) is the TORN TAIL, the unsynced end of the log that a crash may leave half written, in
 * any order: it is cut. Cut bytes holding intact frames are kept in the quarantine directory, and
 * appends continue above the highest offset seen in them, so that no sequence number that might
 * have been handed out is handed out again.
 *
 * Recovery first surveys the directory (reads only), then, if there is no damage or the mode is
 * RECOVER_QUARANTINE, applies its findings: damaged files moved into <data>/quarantine/<shard>/
 * with their intact prefix copied back, lost ranges recorded as gaps, the torn tail cut, every
 * change synced, the state file rewritten and the directory synced. In RECOVER_STRICT, damage
 * leaves every file as it was and the log is not opened. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "cursor.h"
#include "fsutil.h"
#include "recovery.h"
#include "shardlog_impl.h"
#include "store_internal.h"

#define SCAN_BUFFER (1u << 20)
#define COPY_CHUNK (1u << 20)

/* ---- listing ------------------------------------------------------------------------------- */

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static bool segment_file_offset(const char *name, uint64_t *offset)
{
    if (strlen(name) != 24 || strcmp(name + 20, ".log") != 0)
        return false;
    *offset = 0;
    for (int i = 0; i < 20; i++) {
        if (name[i] < '0' || name[i] > '9')
            return false;
        *offset = *offset * 10 + (uint64_t)(name[i] - '0');
    }
    return true;
}

/* The first offsets of the segment files in dir, sorted. -1 if dir cannot be read. */
static int list_segments(const char *dir, uint64_t **offsets, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d) {
        log_error("store: opendir %s: %s", dir, strerror(errno));
        return -1;
    }
    kbuf found = KBUF_INIT;
    struct dirent *e;
    uint64_t off;
    while ((e = readdir(d)))
        if (segment_file_offset(e->d_name, &off))
            kbuf_append(&found, &off, sizeof off);
    closedir(d);
    *n = found.len / sizeof off;
    *offsets = (uint64_t *)kbuf_detach(&found);
    if (*n > 1)
        qsort(*offsets, *n, sizeof **offsets, compare_u64);
    return 0;
}

/* ---- the survey (reads only) --------------------------------------------------------------- */

static void add_damage(survey *sv, damage_kind kind, size_t seg, uint64_t from, uint64_t to,
                       const char *why)
{
    if (sv->ndamage < SURVEY_MAX_DAMAGE)
        sv->damage[sv->ndamage] = (damage){kind, seg, from, to, why};
    sv->ndamage++;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* The offset after the highest one a scanned segment holds, intact frames past damage included. */
static uint64_t scanned_end(const found_seg *fs)
{
    uint64_t end = fs->seg->end_offset;
    return fs->scan.later_frames ? max_u64(end, fs->scan.max_offset + 1) : end;
}

/* A sealed segment in a full check: its frames scanned afresh must end where its .idx says. */
static int check_sealed(survey *sv, size_t i, frame_cursor *cur)
{
    segment *indexed = sv->segs[i].seg;
    segment *fresh = segment_open(sv->dir, indexed->first_offset, NULL);
    if (!fresh)
        return -1;
    segment_scan_result r;
    int rc = segment_scan(fresh, cur, &r);
    if (rc == 0 && (r.garbage || fresh->end_offset != indexed->end_offset ||
                    fresh->append_pos != indexed->append_pos))
        add_damage(sv, DAMAGE_CORRUPT, i, fresh->end_offset, indexed->end_offset,
                   "a frame fails its CRC (or the frames end before its .idx says)");
    segment_unref(fresh);
    return rc;
}

/* Surveys segs[i], a segment with no trusted .idx; returns false when the log ends in it. */
static bool survey_scanned(survey *sv, size_t i, uint64_t *expected)
{
    found_seg *fs = &sv->segs[i];
    bool last = i + 1 == sv->n;
    uint64_t end = fs->seg->end_offset, synced = sv->state.synced_end;
    uint64_t next_first = last ? end : sv->segs[i + 1].seg->first_offset;
    bool mismatch = fs->idx == INDEX_MISMATCH;
    /* A segment whose frames stop before the next one starts lost its end: torn if unsynced. */
    bool chains = end == next_first || logstate_has_gap(&sv->state, end, next_first);
    bool damaged = fs->scan.garbage || mismatch || !chains;
    if (!damaged && !last) {
        *expected = end;
        return true;
    }
    if (mismatch || (damaged && end < synced)) {
        uint64_t to = last ? max_u64(synced, scanned_end(fs)) : next_first;
        add_damage(sv, DAMAGE_CORRUPT, i, end, to,
                   mismatch           ? "its size differs from its .idx (truncated or extended)"
                   : fs->scan.garbage ? "a frame below the synced end fails its CRC"
                                      : "its frames stop below the synced end");
        if (!last) {
            *expected = to;
            return true;
        }
    } else if (!damaged && end < synced) {
        add_damage(sv, DAMAGE_MISSING, i, end, synced, "synced records missing at the end");
    }
    sv->tail = i; /* a torn tail (or the damaged last segment): the log ends here */
    return false;
}

/* Surveys segs[i]; false when the log ends in it. */
static int survey_segment(survey *sv, size_t i, uint64_t *expected, frame_cursor *cur)
{
    found_seg *fs = &sv->segs[i];
    segment *seg = fs->seg;
    bool last = i + 1 == sv->n;
    if (seg->first_offset < *expected) {
        add_damage(sv, DAMAGE_OVERLAP, i, seg->first_offset, *expected,
                   "it overlaps the segment before it");
        return 1;
    }
    if (seg->first_offset > *expected &&
        !logstate_has_gap(&sv->state, *expected, seg->first_offset))
        add_damage(sv, DAMAGE_MISSING, i, *expected, seg->first_offset,
                   i == sv->first ? "segments before the first one are missing"
                                  : "a segment before this one is missing");
    fs->idx = segment_load_index(seg);
    if (fs->idx == INDEX_LOADED) {
        *expected = seg->end_offset;
        if (sv->scan_sealed && check_sealed(sv, i, cur) < 0)
            return -1;
        if (!last)
            return 1;
        add_damage(sv, DAMAGE_MISSING, i, seg->end_offset,
                   max_u64(seg->end_offset + 1, sv->state.synced_end),
                   "it is sealed, so the segment after it is missing");
        sv->tail = i;
        return 0;
    }
    if (segment_scan(seg, cur, &fs->scan) < 0)
        return -1;
    fs->scanned = true;
    return survey_scanned(sv, i, expected) ? 1 : 0;
}

/* Scans the segments after the tail (torn leftovers) for the highest offset they hold. */
static int survey_leftovers(survey *sv, frame_cursor *cur)
{
    for (size_t i = sv->tail + 1; i < sv->n; i++) {
        found_seg *fs = &sv->segs[i];
        if (!fs->scanned && segment_scan(fs->seg, cur, &fs->scan) < 0)
            return -1;
        fs->scanned = true;
        if (fs->seg->end_offset > fs->seg->first_offset)
            sv->next_offset = max_u64(sv->next_offset, scanned_end(fs));
    }
    return 0;
}

int survey_run(survey *sv, const char *dir, bool scan_sealed)
{
    memset(sv, 0, sizeof *sv);
    sv->dir = dir;
    sv->scan_sealed = scan_sealed;
    sv->state_load = logstate_read(dir, &sv->state);
    if (sv->state_load == LOGSTATE_DAMAGED)
        add_damage(sv, DAMAGE_STATE, 0, 0, 0, "the state file has no valid slot");
    uint64_t *firsts;
    if (list_segments(dir, &firsts, &sv->n) < 0)
        return -1;
    sv->segs = calloc(sv->n + 1, sizeof *sv->segs);
    if (!sv->segs)
        abort();
    int rc = 0;
    for (size_t i = 0; i < sv->n && rc == 0; i++)
        if (!(sv->segs[i].seg = segment_open(dir, firsts[i], NULL)))
            rc = -1;
    if (sv->state_load != LOGSTATE_LOADED)
        sv->state.horizon = sv->n ? firsts[0] : 0;
    free(firsts);
    if (rc < 0)
        return -1;

    uint64_t horizon = sv->state.horizon;
    while (sv->first + 1 < sv->n && sv->segs[sv->first + 1].seg->first_offset <= horizon)
        sv->first++; /* wholly below the horizon: retention decided to delete them */
    uint64_t expected = horizon;
    if (sv->n && sv->segs[sv->first].seg->first_offset < horizon)
        expected = sv->segs[sv->first].seg->first_offset;
    sv->tail = sv->n;
    frame_cursor cur;
    cursor_init(&cur, SCAN_BUFFER);
    rc = 1;
    for (size_t i = sv->first; i < sv->n && rc == 1; i++)
        rc = survey_segment(sv, i, &expected, &cur);
    if (rc == 1 || sv->n == 0) {
        rc = 0;
        if (sv->n == 0 && sv->state.synced_end > horizon)
            add_damage(sv, DAMAGE_MISSING, 0, horizon, sv->state.synced_end,
                       "every segment is missing");
        if (sv->n)
            sv->tail = sv->n - 1;
    }
    if (rc == 0 && sv->tail < sv->n) {
        sv->next_offset = scanned_end(&sv->segs[sv->tail]);
        rc = survey_leftovers(sv, &cur);
    } else if (rc == 0) {
        sv->next_offset = expected;
    }
    cursor_free(&cur);
    sv->next_offset = max_u64(sv->next_offset, sv->state.synced_end);
    for (size_t i = 0; i < sv->ndamage && i < SURVEY_MAX_DAMAGE; i++)
        if (sv->damage[i].kind != DAMAGE_STATE && sv->damage[i].to > sv->next_offset)
            sv->next_offset = sv->damage[i].to;
    return rc < 0 ? -1 : 0;
}

void survey_free(survey *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        if (sv->segs[i].seg)
            segment_unref(sv->segs[i].seg);
    free(sv->segs);
    logstate_close(&sv->state);
}

void survey_describe(const survey *sv, size_t i, kbuf *out)
{
    const damage *d = &sv->damage[i];
    if (d->kind == DAMAGE_STATE) {
        kbuf_printf(out, "%s/state: %s", sv->dir, d->why);
        return;
    }
    const char *file = sv->n ? sv->segs[d->seg].seg->path : sv->dir;
    kbuf_printf(out, "%s: offsets [%llu, %llu) lost: %s", file, (unsigned long long)d->from,
                (unsigned long long)d->to, d->why);
}

/* ---- applying it --------------------------------------------------------------------------- */

/* Moves path (a file of the log's directory) into quarantine. */
static int quarantine_file(shardlog *log, const char *path)
{
    kbuf rel = KBUF_INIT;
    kbuf_printf(&rel, "%s/%s", log->relpath, strrchr(path, '/') + 1);
    int rc = store_quarantine(log->st, rel.data);
    kbuf_free(&rel);
    return rc;
}

static int copy_prefix(int from_fd, const char *to_path, uint64_t len)
{
    int to = open(to_path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
    if (to < 0)
        return -1;
    char *buf = malloc(COPY_CHUNK);
    if (!buf)
        abort();
    uint64_t done = 0;
    while (done < len) {
        size_t want = len - done < COPY_CHUNK ? (size_t)(len - done) : COPY_CHUNK;
        ssize_t r = pread(from_fd, buf, want, (off_t)done);
        if (r <= 0 || write(to, buf, (size_t)r) != r)
            break;
        done += (uint64_t)r;
    }
    free(buf);
    int rc = done == len && fdatasync(to) == 0 ? 0 : -1;
    close(to);
    return rc == 0 ? fs_sync_parent(to_path) : -1;
}

/* Moves a segment's files into quarantine and puts back a copy of its intact prefix (the frames
 * before append_pos), which the segment then reads. */
static int quarantine_segment(shardlog *log, segment *seg)
{
    char *idx = malloc(strlen(seg->path) + 1);
    if (!idx)
        abort();
    strcpy(idx, seg->path);
    strcpy(idx + strlen(idx) - 4, ".idx");
    int rc = access(idx, F_OK) == 0 ? quarantine_file(log, idx) : 0;
    free(idx);
    if (rc == 0)
        rc = quarantine_file(log, seg->path);
    if (rc == 0)
        rc = copy_prefix(seg->fd, seg->path, seg->append_pos);
    if (rc == 0) {
        close(seg->fd);
        seg->fd = open(seg->path, O_RDWR | O_CLOEXEC);
        rc = seg->fd < 0 ? -1 : 0;
    }
    atomic_store(&seg->committed_end, seg->append_pos);
    seg->allocated = seg->append_pos;
    return rc;
}

static int seal_recovered(segment *seg)
{
    if (segment_truncate(seg) < 0 || fdatasync(seg->fd) < 0 || segment_save_index(seg) < 0)
        return -1;
    atomic_store(&seg->sealed, true);
    return 0;
}

static void record_gap(shardlog *log, uint64_t from, uint64_t to)
{
    if (from < to)
        logstate_add_gap(&log->state, from, to);
}

/* Quarantine mode: what each damage costs. */
static int apply_damage(shardlog *log, survey *sv, const damage *d)
{
    segment *seg = sv->n ? sv->segs[d->seg].seg : NULL;
    switch (d->kind) {
    case DAMAGE_STATE: {
        kbuf path = KBUF_INIT;
        kbuf_printf(&path, "%s/state", log->dir);
        int rc = quarantine_file(log, path.data);
        kbuf_free(&path);
        return rc;
    }
    case DAMAGE_MISSING:
        record_gap(log, d->from, d->to);
        return 0;
    case DAMAGE_OVERLAP:
        sv->segs[d->seg].dropped = true;
        return quarantine_file(log, seg->path);
    case DAMAGE_CORRUPT:
        if (seg->append_pos == 0) { /* nothing intact to keep */
            sv->segs[d->seg].dropped = true;
            if (quarantine_file(log, seg->path) < 0)
                return -1;
        } else if (quarantine_segment(log, seg) < 0 ||
                   (d->seg != sv->tail && seal_recovered(seg) < 0)) {
            return -1;
        }
        record_gap(log, d->from, d->to);
        return 0;
    }
    return -1;
}

/* Cuts the torn tail: bytes holding intact frames go to quarantine first; later segments (torn
 * leftovers, never acknowledged) too. */
static int cut_tail(shardlog *log, survey *sv, segment *tail)
{
    found_seg *fs = &sv->segs[sv->tail];
    if (fs->scan.garbage && !fs->quarantined) {
        log_warn("store: %s: torn tail cut at byte %llu (offsets from %llu on)%s", tail->path,
                 (unsigned long long)tail->append_pos, (unsigned long long)tail->end_offset,
                 fs->scan.later_frames ? "; intact frames after the damage kept in quarantine"
                                       : "");
        if (fs->scan.later_frames && quarantine_segment(log, tail) < 0)
            return -1;
    }
    for (size_t i = sv->tail + 1; i < sv->n; i++) {
        sv->segs[i].dropped = true;
        if (quarantine_file(log, sv->segs[i].seg->path) < 0)
            return -1;
    }
    if (fs->idx == INDEX_LOADED)
        segment_remove_index(tail);
    atomic_store(&tail->sealed, false);
    if (fs->scan.file_size > tail->append_pos &&
        (segment_truncate(tail) < 0 || fdatasync(tail->fd) < 0))
        return -1;
    atomic_store(&tail->committed_end, tail->append_pos);
    return 0;
}

/* Appends continue at next: past the tail's end (a skipped range) they go to a new segment, created
 * and made durable before the old tail is sealed (a sealed last segment means a missing one). */
static int place_tail(shardlog *log, survey *sv, uint64_t next)
{
    segment *old = sv->tail < sv->n ? sv->segs[sv->tail].seg : NULL;
    if (old && old->end_offset == next) {
        log->tail = old;
        return 0;
    }
    if (old && old->append_pos == 0) { /* empty: no record is lost with it */
        sv->segs[sv->tail].dropped = true;
        segment_remove_files(old);
    }
    record_gap(log, old ? old->end_offset : log->state.horizon, next);
    if (!(log->tail = segment_create(log->dir, next, log)) || fs_sync_dir(log->dir) < 0)
        return -1;
    log->tail->new_file = false;
    return old && old->append_pos && seal_recovered(old) < 0 ? -1 : 0;
}

/* Seals the scanned, intact segments before the tail that had no valid .idx (rebuilds it). */
static int seal_scanned(survey *sv)
{
    for (size_t i = sv->first; i < sv->tail && i < sv->n; i++) {
        found_seg *fs = &sv->segs[i];
        if (fs->scanned && !fs->dropped && !fs->quarantined && !atomic_load(&fs->seg->sealed)) {
            log_info("store: rebuilding the index of %s", fs->seg->path);
            if (seal_recovered(fs->seg) < 0)
                return -1;
        }
    }
    return 0;
}

static void adopt_segments(shardlog *log, survey *sv)
{
    for (size_t i = sv->first; i < sv->n; i++) {
        found_seg *fs = &sv->segs[i];
        if (fs->dropped || i > sv->tail)
            continue;
        fs->seg->owner = log;
        shardlog_add_segment(log, fs->seg);
        fs->seg = NULL; /* the log owns it now */
    }
    if (log->nsegs == 0 || log->segs[log->nsegs - 1] != log->tail)
        shardlog_add_segment(log, log->tail);
}

/* True when opening changes nothing on disk: no leftovers, damage, cut or skipped range. */
static bool untouched(const survey *sv)
{
    if (sv->first || sv->ndamage || sv->tail + 1 < sv->n || sv->n == 0)
        return sv->n == 0 && sv->ndamage == 0;
    const found_seg *tail = &sv->segs[sv->tail];
    return !tail->scan.garbage && tail->idx != INDEX_LOADED &&
           tail->scan.file_size <= tail->seg->append_pos &&
           sv->next_offset == tail->seg->end_offset && sv->state.synced_end == sv->next_offset &&
           sv->state_load == LOGSTATE_LOADED;
}

/* True when recovery recorded gaps the state file on disk does not hold. */
static bool gaps_changed(const logstate *before, const shardlog *log)
{
    return before->ngaps != log->state.ngaps ||
           memcmp(before->gaps, log->state.gaps, before->ngaps * sizeof *before->gaps) != 0;
}

static int apply_survey(shardlog *log, survey *sv)
{
    bool quiet = untouched(sv);
    logstate gaps_before = sv->state;
    for (size_t i = 0; i < sv->first; i++) {
        log_info("store: %s: deleting %s, below the trim horizon", log->dir, sv->segs[i].seg->path);
        segment_remove_files(sv->segs[i].seg);
    }
    log->state = sv->state;
    sv->state.fd = -1;
    for (size_t i = 0; i < sv->ndamage && i < SURVEY_MAX_DAMAGE; i++) {
        const damage *d = &sv->damage[i];
        if (apply_damage(log, sv, d) < 0)
            return -1;
        if (d->kind == DAMAGE_CORRUPT)
            sv->segs[d->seg].quarantined = true;
    }
    if ((sv->tail < sv->n && cut_tail(log, sv, sv->segs[sv->tail].seg) < 0) ||
        place_tail(log, sv, sv->next_offset) < 0 || seal_scanned(sv) < 0)
        return -1;
    adopt_segments(log, sv);
    log->state.horizon = log->segs[0]->first_offset;
    logstate_drop_gaps_below(&log->state, log->state.horizon);
    log->state.synced_end = sv->next_offset; /* everything kept is synced now */
    if (quiet)
        return 0;
    if (logstate_write(&log->state, log->dir, true) < 0 && gaps_changed(&gaps_before, log)) {
        log_error("store: %s: cannot record the ranges recovery skipped", log->dir);
        return -1;
    }
    return fs_sync_dir(log->dir); /* a state file not rewritten (no space) loses no gap */
}

static void report(shardlog *log, const survey *sv)
{
    for (size_t i = 0; i < sv->ndamage && i < SURVEY_MAX_DAMAGE; i++) {
        kbuf line = KBUF_INIT;
        survey_describe(sv, i, &line);
        store_report_damage(log->st, "%s", line.data);
        kbuf_free(&line);
    }
    if (sv->ndamage > SURVEY_MAX_DAMAGE)
        store_report_damage(log->st, "%s: %zu more damaged ranges", log->dir,
                            sv->ndamage - SURVEY_MAX_DAMAGE);
}

int recovery_run(shardlog *log)
{
    survey sv;
    int rc = survey_run(&sv, log->dir, false);
    if (rc == 0 && sv.ndamage) {
        report(log, &sv);
        if (store_recovery(log->st) == RECOVER_STRICT) {
            log_error("store: %s: not opened (nothing was changed); start with --recover "
                      "quarantine to move the damaged files aside and accept the loss",
                      log->dir);
            rc = -1;
        }
    }
    if (rc == 0)
        rc = apply_survey(log, &sv);
    survey_free(&sv);
    return rc;
}
