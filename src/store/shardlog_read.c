/* shardlog_read.c - reading committed records back, and finding records by arrival time.
 *
 * A read never takes the log's append mutex: it loads the committed offset, finds the segment
 * and the index entry at or before its start, and walks frames from there with large preads,
 * skipping those before the start. Only bytes below the segment's published committed_end are
 * read, and no record at or past the committed offset is visited. A sealed run is opened whole
 * into a buffer the read keeps (no allocation per record), then its records are visited. */
#include <stdint.h>

#include "common/log.h"
#include "cursor.h"
#include "shardlog_impl.h"
#include "store_internal.h"

#define READ_BUFFER_MIN (64u << 10)
#define READ_BUFFER_MAX (1u << 20)
#define TIME_LOOKUP_BATCH 4096

typedef struct read_state {
    uint64_t next; /* the next offset to visit */
    uint64_t committed;
    size_t max_records, max_bytes;
    size_t visited, bytes;
    log_visit_fn visit;
    void *arg;
    bool done;
    seal_ctx opener; /* the subkey sealed runs were last opened with */
    kbuf plain;      /* the last sealed run opened */
} read_state;

static size_t read_buffer_size(size_t max_records)
{
    size_t want = max_records < READ_BUFFER_MAX / 256 ? max_records * 256 : READ_BUFFER_MAX;
    return want < READ_BUFFER_MIN ? READ_BUFFER_MIN : want;
}

/* Visits one record; false when the read is over. */
static bool visit_record(read_state *rs, const log_record *rec)
{
    size_t bytes = rec->partition_key_len + rec->data_len;
    bool over_budget = rs->bytes >= rs->max_bytes || bytes > rs->max_bytes - rs->bytes;
    if (rec->offset >= rs->committed || (rs->visited && over_budget))
        return false;
    rs->bytes += bytes;
    rs->visited++;
    rs->next = rec->offset + 1;
    return rs->visit(rec, rs->arg) && rs->visited < rs->max_records;
}

static void log_corrupt(shardlog *log, segment *seg, uint64_t pos, uint64_t offset, const char *why)
{
    log_error("store: %s: CORRUPT frame at %s byte %llu (offset %llu): %s: not served", log->dir,
              seg->path, (unsigned long long)pos, (unsigned long long)offset, why);
}

/* Visits the records of the sealed run f from rs->next on: 1 to go on, 0 when the read is over,
 * -1 when the run cannot be opened (logged). */
static int visit_sealed(shardlog *log, segment *seg, read_state *rs, const char *raw,
                        const frame_view *f, uint64_t pos)
{
    seal_result opened =
        seal_open(&rs->opener, store_keyring(log->st), log->relpath, raw, f, &rs->plain);
    if (opened == SEAL_UNKNOWN_KEY) {
        log_error("store: %s: %s byte %llu (offset %llu) is sealed under key %llu, which is not "
                  "loaded: not served",
                  log->dir, seg->path, (unsigned long long)pos, (unsigned long long)f->offset,
                  (unsigned long long)seal_key_id(f));
        return -1;
    }
    if (opened == SEAL_BAD_TAG) {
        log_corrupt(log, seg, pos, f->offset, "the sealed run does not authenticate");
        return -1;
    }
    const char *p = rs->plain.data, *end = p + rs->plain.len;
    log_record rec = {.offset = f->offset, .arrival_ms = f->arrival_ms};
    for (uint32_t i = 0; i < f->count; i++, rec.offset++) {
        if (!seal_next(&p, end, &rec)) {
            log_corrupt(log, seg, pos, rec.offset, "the sealed run holds fewer records");
            return -1;
        }
        if (rec.offset >= rs->next && !visit_record(rs, &rec))
            return 0;
    }
    return 1;
}

/* Visits what frame f (at raw, file position pos) holds from rs->next on: 1 to go on, 0 when the
 * read is over, -1 on corruption (logged). */
static int visit_frame(shardlog *log, segment *seg, read_state *rs, const char *raw,
                       const frame_view *f, uint64_t pos)
{
    if (!frame_crc_ok(raw, f)) {
        log_corrupt(log, seg, pos, f->offset, "bad CRC");
        return -1;
    }
    if (f->sealed)
        return visit_sealed(log, seg, rs, raw, f, pos);
    log_record rec = {f->offset, f->arrival_ms, f->key, f->key_len, f->data, f->data_len, false};
    return visit_record(rs, &rec) ? 1 : 0;
}

/* Reads rs->next and on from seg, up to its committed end. -1 on I/O error or corruption: a frame
 * whose CRC fails (or a sealed run that does not open) is never visited. */
static int read_segment(shardlog *log, segment *seg, frame_cursor *cur, read_state *rs)
{
    index_entry from;
    if (!segment_seek_offset(seg, rs->next, &from)) {
        log_error("store: %s: no index entry for offset %llu", log->dir,
                  (unsigned long long)rs->next);
        return -1;
    }
    /* committed_end first: the storage thread publishes it after creating the file */
    uint64_t end = atomic_load_explicit(&seg->committed_end, memory_order_acquire);
    cursor_seek(cur, seg->fd, from.pos, end);
    uint64_t expect = from.offset;
    frame_view f;
    const char *raw;
    int r;
    while ((r = cursor_next(cur, &f, &raw)) == 1) {
        uint64_t pos = cur->pos - f.len;
        if (f.offset != expect) {
            log_corrupt(log, seg, pos, expect, "out of sequence");
            return -1;
        }
        expect += f.count;
        if (expect <= rs->next)
            continue;
        int went_on = visit_frame(log, seg, rs, raw, &f, pos);
        if (went_on <= 0) {
            rs->done = true;
            return went_on;
        }
    }
    return r;
}

int shardlog_read(shardlog *log, uint64_t from, size_t max_records, size_t max_bytes,
                  log_visit_fn visit, void *arg, uint64_t *next)
{
    uint64_t horizon = atomic_load(&log->horizon);
    read_state rs = {.next = from < horizon ? horizon : from,
                     .committed = atomic_load_explicit(&log->committed, memory_order_acquire),
                     .max_records = max_records,
                     .max_bytes = max_bytes,
                     .visit = visit,
                     .arg = arg};
    frame_cursor cur = {0};
    int rc = 0;
    segment *prev = NULL;
    uint64_t prev_next = 0;
    while (rc == 0 && !rs.done && max_records && rs.next < rs.committed) {
        segment *seg = shardlog_segment_at(log, &rs.next);
        if (!seg)
            break;                     /* trimmed away while we read */
        if (rs.next >= rs.committed) { /* moved past a gap to where nothing is committed yet */
            segment_unref(seg);
            break;
        }
        if (seg == prev && rs.next == prev_next) {
            log_error("store: %s: offset %llu is missing", log->dir, (unsigned long long)rs.next);
            rc = -1;
        } else {
            if (!cur.buf)
                cursor_init(&cur, read_buffer_size(max_records));
            rc = read_segment(log, seg, &cur, &rs);
        }
        prev = seg;
        prev_next = rs.next;
        segment_unref(seg);
    }
    cursor_free(&cur);
    seal_ctx_free(&rs.opener);
    kbuf_free(&rs.plain);
    *next = rs.next;
    return rc;
}

/* ---- lookups by time ----------------------------------------------------------------------- */

typedef struct time_search {
    int64_t ts_ms;
    bool found;
    uint64_t offset;
} time_search;

static bool stop_at_time(const log_record *rec, void *arg)
{
    time_search *ts = arg;
    if (rec->arrival_ms < ts->ts_ms)
        return true;
    ts->found = true;
    ts->offset = rec->offset;
    return false;
}

/* An offset at or before the first record arriving at ts_ms or later (nearly: at most one index
 * interval before it). */
static uint64_t time_lookup_start(shardlog *log, int64_t ts_ms)
{
    uint64_t start = atomic_load(&log->horizon);
    pthread_rwlock_rdlock(&log->segs_lock);
    segment *seg = NULL;
    int64_t first;
    for (size_t i = log->nsegs; i-- > 0 && !seg;)
        if (segment_first_arrival(log->segs[i], &first) && first < ts_ms)
            segment_ref(seg = log->segs[i]);
    pthread_rwlock_unlock(&log->segs_lock);
    index_entry e;
    if (seg && segment_seek_time(seg, ts_ms, &e))
        start = e.offset;
    if (seg)
        segment_unref(seg);
    return start;
}

uint64_t shardlog_offset_at_time(shardlog *log, int64_t ts_ms)
{
    time_search ts = {.ts_ms = ts_ms};
    uint64_t at = time_lookup_start(log, ts_ms), next;
    while (!ts.found &&
           shardlog_read(log, at, TIME_LOOKUP_BATCH, SIZE_MAX, stop_at_time, &ts, &next) == 0 &&
           next != at)
        at = next;
    return ts.found ? ts.offset : shardlog_committed(log);
}
