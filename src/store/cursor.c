/* cursor.c - buffered frame-by-frame reading of a segment file (see cursor.h). */
#include "cursor.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

void cursor_init(frame_cursor *c, size_t cap)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->cap = cap;
    c->buf = malloc(cap);
    if (!c->buf)
        abort();
}

void cursor_free(frame_cursor *c)
{
    free(c->buf);
    c->buf = NULL;
}

void cursor_seek(frame_cursor *c, int fd, uint64_t pos, uint64_t end)
{
    c->fd = fd;
    c->pos = pos;
    c->end = end;
    c->buf_pos = pos;
    c->buf_len = 0;
}

/* Reads as much as fits of [pos, end) into the buffer; a file shorter than end just reads less. */
static int refill(frame_cursor *c)
{
    uint64_t want = c->end - c->pos;
    size_t n = want < c->cap ? (size_t)want : c->cap;
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(c->fd, c->buf + got, n - got, (off_t)(c->pos + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            log_error("store: pread: %s", strerror(errno));
            return -1;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    c->buf_pos = c->pos;
    c->buf_len = got;
    return 0;
}

static void grow(frame_cursor *c, size_t need)
{
    free(c->buf);
    c->cap = need;
    c->buf = malloc(need);
    if (!c->buf)
        abort();
    c->buf_pos = c->pos;
    c->buf_len = 0;
}

int cursor_next(frame_cursor *c, frame_view *f, const char **raw)
{
    bool refilled = false;
    for (;;) {
        size_t at = (size_t)(c->pos - c->buf_pos);
        frame_status st = frame_decode(c->buf + at, c->buf_len - at, f);
        if (st == FRAME_OK) {
            *raw = c->buf + at;
            c->pos += f->len;
            return 1;
        }
        if (st == FRAME_END || c->pos + f->len > c->end)
            return 0;
        if (refilled && f->len <= c->cap)
            return 0; /* the file ended early */
        if (f->len > c->cap)
            grow(c, f->len);
        if (refill(c) < 0)
            return -1;
        refilled = true;
    }
}
