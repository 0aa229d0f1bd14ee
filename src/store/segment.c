/* segment.c - segment files, their sparse index and its .idx file (see segment.h). */
#include "segment.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "common/buf.h"
#include "common/log.h"
#include "fsutil.h"
#include "le.h"

/* Index entries live in a block that is replaced by a bigger copy when full; readers may still
 * hold an old block, so replaced blocks are kept (chained) until the segment is freed. */
struct index_block {
    size_t cap;
    index_block *retired;
    index_entry e[];
};

#define IDX_MAGIC 0x3158444953454e4bull /* "KNESIDX1" */
#define IDX_HEADER 48 /* magic, first offset, count, end pos, end offset, last arrival */
#define IDX_ENTRY 24

static segment *segment_new(const char *dir, uint64_t first_offset, struct shardlog *owner)
{
    segment *seg = calloc(1, sizeof *seg);
    if (!seg)
        abort();
    kbuf path = KBUF_INIT;
    kbuf_printf(&path, "%s/%020llu.log", dir, (unsigned long long)first_offset);
    seg->path = kbuf_detach(&path);
    seg->first_offset = first_offset;
    seg->end_offset = first_offset;
    seg->owner = owner;
    atomic_init(&seg->refs, 1);
    return seg;
}

static segment *segment_with_fd(segment *seg, int flags)
{
    seg->fd = open(seg->path, flags | O_RDWR | O_CLOEXEC, 0644);
    if (seg->fd < 0) {
        log_error("store: open %s: %s", seg->path, strerror(errno));
        free(seg->path);
        free(seg);
        return NULL;
    }
    return seg;
}

segment *segment_create(const char *dir, uint64_t first_offset, struct shardlog *owner)
{
    segment *seg = segment_new_unborn(dir, first_offset, owner);
    if (segment_create_file(seg) < 0) {
        segment_unref(seg);
        return NULL;
    }
    return seg;
}

segment *segment_new_unborn(const char *dir, uint64_t first_offset, struct shardlog *owner)
{
    segment *seg = segment_new(dir, first_offset, owner);
    seg->fd = -1;
    return seg;
}

int segment_create_file(segment *seg)
{
    int fd = open(seg->path, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0644);
    if (fd < 0) {
        log_error("store: create %s: %s", seg->path, strerror(errno));
        return -1;
    }
    seg->fd = fd;
    seg->new_file = true;
    return 0;
}

segment *segment_open(const char *dir, uint64_t first_offset, struct shardlog *owner)
{
    return segment_with_fd(segment_new(dir, first_offset, owner), 0);
}

void segment_ref(segment *seg)
{
    atomic_fetch_add_explicit(&seg->refs, 1, memory_order_relaxed);
}

void segment_unref(segment *seg)
{
    if (atomic_fetch_sub_explicit(&seg->refs, 1, memory_order_acq_rel) != 1)
        return;
    index_block *b = atomic_load_explicit(&seg->index, memory_order_relaxed);
    while (b) {
        index_block *older = b->retired;
        free(b);
        b = older;
    }
    if (seg->fd >= 0)
        close(seg->fd);
    free(seg->path);
    free(seg);
}

/* ---- the sparse index ---------------------------------------------------------------------- */

static index_block *index_block_new(size_t cap, index_block *retired)
{
    index_block *b = malloc(sizeof *b + cap * sizeof(index_entry));
    if (!b)
        abort();
    b->cap = cap;
    b->retired = retired;
    return b;
}

/* Appender only. The entry is written before the length that makes it visible. */
static void index_push(segment *seg, index_entry entry)
{
    size_t n = atomic_load_explicit(&seg->index_len, memory_order_relaxed);
    index_block *b = atomic_load_explicit(&seg->index, memory_order_relaxed);
    if (!b || n == b->cap) {
        index_block *bigger = index_block_new(b ? b->cap * 2 : 16, b);
        if (n)
            memcpy(bigger->e, b->e, n * sizeof(index_entry));
        atomic_store_explicit(&seg->index, bigger, memory_order_release);
        b = bigger;
    }
    b->e[n] = entry;
    atomic_store_explicit(&seg->index_len, n + 1, memory_order_release);
}

/* A reader's view: the block loaded after the length always holds at least that many entries. */
static const index_entry *index_view(segment *seg, size_t *n)
{
    *n = atomic_load_explicit(&seg->index_len, memory_order_acquire);
    index_block *b = atomic_load_explicit(&seg->index, memory_order_acquire);
    return *n ? b->e : NULL;
}

void segment_note_frame(segment *seg, uint64_t offset, uint32_t count, int64_t arrival_ms,
                        size_t frame_len)
{
    size_t n = atomic_load_explicit(&seg->index_len, memory_order_relaxed);
    const index_entry *last =
        n ? &atomic_load_explicit(&seg->index, memory_order_relaxed)->e[n - 1] : NULL;
    if (!last || seg->append_pos - last->pos >= INDEX_EVERY_BYTES ||
        offset - last->offset >= INDEX_EVERY_RECORDS)
        index_push(seg, (index_entry){offset, seg->append_pos, arrival_ms});
    seg->append_pos += frame_len;
    seg->end_offset = offset + count;
    seg->last_arrival_ms = arrival_ms;
}

bool segment_seek_offset(segment *seg, uint64_t offset, index_entry *out)
{
    size_t n;
    const index_entry *e = index_view(seg, &n);
    size_t lo = 0, hi = n; /* entries [0, lo) are at or before offset */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e[mid].offset <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return false;
    *out = e[lo - 1];
    return true;
}

bool segment_seek_time(segment *seg, int64_t ts_ms, index_entry *out)
{
    size_t n;
    const index_entry *e = index_view(seg, &n);
    size_t lo = 0, hi = n; /* entries [0, lo) arrived before ts_ms */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e[mid].arrival_ms < ts_ms)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return false;
    *out = e[lo - 1];
    return true;
}

bool segment_first_arrival(segment *seg, int64_t *arrival_ms)
{
    size_t n;
    const index_entry *e = index_view(seg, &n);
    if (n)
        *arrival_ms = e[0].arrival_ms;
    return n > 0;
}

/* ---- recovery ------------------------------------------------------------------------------ */

static int file_size(segment *seg, uint64_t *size)
{
    struct stat sb;
    if (fstat(seg->fd, &sb) < 0) {
        log_error("store: stat %s: %s", seg->path, strerror(errno));
        return -1;
    }
    *size = (uint64_t)sb.st_size;
    return 0;
}

/* A frame at p (avail bytes, at file position pos) that the scan may have lost the way to:
 * plausible header, offset in [min_offset, max_offset). Its CRC is checked by the caller. */
static bool plausible_frame(const char *p, size_t avail, uint64_t min_offset, uint64_t max_offset,
                            frame_view *f)
{
    frame_status st = frame_decode(p, avail, f);
    if (st == FRAME_END || (st == FRAME_OK && (f->offset < min_offset || f->offset >= max_offset)))
        return false;
    if (st == FRAME_SHORT && avail >= FRAME_HEADER) {
        uint64_t offset = le_get64(p + 8);
        return offset >= min_offset && offset < max_offset;
    }
    return st == FRAME_OK;
}

/* Checks the candidate frame at file position pos (len bytes) by reading it whole; *offset is
 * the last offset it holds. */
static bool frame_at_is_valid(int fd, uint64_t pos, uint32_t len, uint64_t *offset)
{
    char *buf = malloc(len);
    if (!buf)
        abort();
    frame_view f;
    bool ok = pread(fd, buf, len, (off_t)pos) == (ssize_t)len &&
              frame_decode(buf, len, &f) == FRAME_OK && frame_crc_ok(buf, &f);
    if (ok)
        *offset = f.offset + f.count - 1;
    free(buf);
    return ok;
}

#define RESYNC_CHUNK (1u << 20)

/* Looks through [from, size) of the file, past where the frames stopped, for any non-zero byte
 * and any intact frame (a later write that reached the disk before an earlier one did). */
static int resync(segment *seg, uint64_t from, uint64_t size, segment_scan_result *r)
{
    uint64_t min_offset = seg->end_offset;
    uint64_t max_offset = min_offset + (size - from) / FRAME_MIN_RECORD_BYTES + 1;
    char *buf = malloc(RESYNC_CHUNK + FRAME_HEADER);
    if (!buf)
        abort();
    int rc = 0;
    for (uint64_t at = from; at < size && rc == 0; at += RESYNC_CHUNK) {
        size_t want = size - at < RESYNC_CHUNK + FRAME_HEADER ? (size_t)(size - at)
                                                              : RESYNC_CHUNK + FRAME_HEADER;
        ssize_t got = pread(seg->fd, buf, want, (off_t)at);
        if (got < 0) {
            log_error("store: read %s: %s", seg->path, strerror(errno));
            rc = -1;
            break;
        }
        size_t n = (size_t)got < RESYNC_CHUNK ? (size_t)got : RESYNC_CHUNK;
        for (size_t i = 0; i < n;) {
            uint64_t word = 0;
            memcpy(&word, buf + i, i + 8 <= (size_t)got ? 8 : (size_t)got - i);
            if (!word) {
                i += i + 8 <= (size_t)got ? 5 : 1; /* no length field starts in 5 zero bytes */
                continue;
            }
            r->garbage = true;
            frame_view f;
            uint64_t offset;
            if (plausible_frame(buf + i, (size_t)got - i, min_offset, max_offset, &f) &&
                at + i + f.len <= size && frame_at_is_valid(seg->fd, at + i, f.len, &offset)) {
                if (!r->later_frames || offset > r->max_offset)
                    r->max_offset = offset;
                r->later_frames = true;
            }
            i++;
        }
    }
    free(buf);
    return rc;
}

int segment_scan(segment *seg, frame_cursor *cur, segment_scan_result *r)
{
    memset(r, 0, sizeof *r);
    if (file_size(seg, &r->file_size) < 0)
        return -1;
    cursor_seek(cur, seg->fd, 0, r->file_size);
    frame_view f;
    const char *raw;
    int rc;
    while ((rc = cursor_next(cur, &f, &raw)) == 1) {
        if (f.offset != seg->end_offset || !frame_crc_ok(raw, &f))
            break;
        segment_note_frame(seg, f.offset, f.count, f.arrival_ms, f.len);
    }
    if (rc < 0 || resync(seg, seg->append_pos, r->file_size, r) < 0)
        return -1;
    seg->allocated = r->file_size;
    atomic_store(&seg->committed_end, seg->append_pos);
    return 0;
}

int segment_rewind(segment *seg, uint64_t end_offset, int64_t last_arrival_ms)
{
    size_t n;
    const index_entry *e = index_view(seg, &n);
    size_t keep = 0;
    while (keep < n && e[keep].offset < end_offset)
        keep++;
    /* A reader may still hold the old block, or the old length with the new block: the new one is
     * a whole copy, so every entry it may read is initialised (those past keep are never below
     * the committed offset, the only ones a reader looks for). */
    index_block *old = atomic_load_explicit(&seg->index, memory_order_relaxed);
    index_block *b = index_block_new(old ? old->cap : 16, old);
    if (n)
        memcpy(b->e, e, n * sizeof *e);
    atomic_store_explicit(&seg->index, b, memory_order_release);
    atomic_store_explicit(&seg->index_len, keep, memory_order_release);
    seg->append_pos = atomic_load(&seg->committed_end);
    seg->end_offset = end_offset;
    seg->last_arrival_ms = seg->append_pos ? last_arrival_ms : 0;
    if (seg->fd < 0)
        return 0;
    return segment_truncate(seg) < 0 || fdatasync(seg->fd) < 0 ? -1 : 0;
}

int segment_truncate(segment *seg)
{
    if (ftruncate(seg->fd, (off_t)seg->append_pos) < 0) {
        log_error("store: truncate %s: %s", seg->path, strerror(errno));
        return -1;
    }
    seg->allocated = seg->append_pos;
    return 0;
}

void segment_preallocate(segment *seg, uint64_t end, uint64_t cap)
{
    if (end <= seg->allocated)
        return;
    uint64_t want = seg->allocated ? seg->allocated : (1u << 20);
    while (want < end)
        want *= 2;
    if (want > cap)
        want = cap > end ? cap : end;
    if (fallocate(seg->fd, 0, (off_t)seg->allocated, (off_t)(want - seg->allocated)) < 0)
        log_debug("store: fallocate %s: %s", seg->path, strerror(errno));
    seg->allocated = want;
}

/* ---- the .idx file ------------------------------------------------------------------------- */

static char *idx_path(const segment *seg, const char *suffix)
{
    kbuf b = KBUF_INIT;
    kbuf_printf(&b, "%.*s%s", (int)(strlen(seg->path) - 4), seg->path, suffix);
    return kbuf_detach(&b);
}

static void idx_encode(segment *seg, kbuf *out)
{
    size_t n;
    const index_entry *e = index_view(seg, &n);
    kbuf_reserve(out, IDX_HEADER + n * IDX_ENTRY + 4);
    char *p = out->data;
    le_put64(p, IDX_MAGIC);
    le_put64(p + 8, seg->first_offset);
    le_put64(p + 16, n);
    le_put64(p + 24, seg->append_pos);
    le_put64(p + 32, seg->end_offset);
    le_put64(p + 40, (uint64_t)seg->last_arrival_ms);
    p += IDX_HEADER;
    for (size_t i = 0; i < n; i++, p += IDX_ENTRY) {
        le_put64(p, e[i].offset);
        le_put64(p + 8, e[i].pos);
        le_put64(p + 16, (uint64_t)e[i].arrival_ms);
    }
    le_put32(p, (uint32_t)crc32(0, (const unsigned char *)out->data, (uInt)(p - out->data)));
    out->len = (size_t)(p + 4 - out->data);
}

static int write_file_durably(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            break;
        done += (size_t)w;
    }
    int rc = done == len && fdatasync(fd) == 0 ? 0 : -1;
    close(fd);
    return rc;
}

int segment_save_index(segment *seg)
{
    kbuf b = KBUF_INIT;
    idx_encode(seg, &b);
    char *tmp = idx_path(seg, ".idx.tmp"), *path = idx_path(seg, ".idx");
    int rc = write_file_durably(tmp, b.data, b.len);
    if (rc == 0)
        rc = rename(tmp, path);
    if (rc == 0)
        rc = fs_sync_parent(path);
    if (rc < 0) {
        log_error("store: write %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    free(path);
    kbuf_free(&b);
    return rc;
}

static bool read_whole_file(const char *path, kbuf *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char chunk[65536];
    ssize_t r;
    while ((r = read(fd, chunk, sizeof chunk)) > 0)
        kbuf_append(out, chunk, (size_t)r);
    close(fd);
    return r == 0;
}

static index_load idx_decode(segment *seg, const char *p, size_t len, uint64_t log_size)
{
    if (len < IDX_HEADER + 4 || le_get64(p) != IDX_MAGIC || le_get64(p + 8) != seg->first_offset)
        return INDEX_ABSENT;
    uint64_t n = le_get64(p + 16);
    if (n == 0 || n > (len - IDX_HEADER - 4) / IDX_ENTRY || len != IDX_HEADER + n * IDX_ENTRY + 4)
        return INDEX_ABSENT;
    if (le_get32(p + len - 4) != (uint32_t)crc32(0, (const unsigned char *)p, (uInt)(len - 4)))
        return INDEX_ABSENT;
    uint64_t end_pos = le_get64(p + 24);
    if (end_pos != log_size)
        return INDEX_MISMATCH;
    index_block *b = index_block_new(n, NULL);
    for (uint64_t i = 0; i < n; i++) {
        const char *q = p + IDX_HEADER + i * IDX_ENTRY;
        b->e[i] = (index_entry){le_get64(q), le_get64(q + 8), (int64_t)le_get64(q + 16)};
    }
    atomic_store(&seg->index, b);
    atomic_store(&seg->index_len, n);
    seg->append_pos = seg->allocated = end_pos;
    seg->end_offset = le_get64(p + 32);
    seg->last_arrival_ms = (int64_t)le_get64(p + 40);
    atomic_store(&seg->committed_end, end_pos);
    atomic_store(&seg->sealed, true);
    return INDEX_LOADED;
}

index_load segment_load_index(segment *seg)
{
    uint64_t log_size;
    if (file_size(seg, &log_size) < 0)
        return INDEX_ABSENT;
    char *path = idx_path(seg, ".idx");
    kbuf b = KBUF_INIT;
    index_load got =
        read_whole_file(path, &b) ? idx_decode(seg, b.data, b.len, log_size) : INDEX_ABSENT;
    kbuf_free(&b);
    free(path);
    return got;
}

char *segment_index_path(const segment *seg)
{
    return idx_path(seg, ".idx");
}

void segment_remove_index(segment *seg)
{
    char *idx = idx_path(seg, ".idx");
    unlink(idx);
    free(idx);
}

void segment_remove_files(segment *seg)
{
    if (unlink(seg->path) < 0)
        log_warn("store: unlink %s: %s", seg->path, strerror(errno));
    segment_remove_index(seg);
}
