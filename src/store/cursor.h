/* cursor.h - walks the frames of a segment file in order, reading it in large preads.
 *
 * Both recovery scans and reads go through a cursor: it keeps a buffer of file bytes, hands out
 * one decoded frame at a time (pointing into the buffer, valid until the next call) and refills
 * with one pread when a frame is not wholly buffered. It never reads at or past `end`. */
#ifndef KINESD_CURSOR_H
#define KINESD_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

typedef struct frame_cursor {
    int fd;
    uint64_t pos; /* file position of the next frame */
    uint64_t end; /* no byte at or after this position is read */
    char *buf;
    size_t cap;
    uint64_t buf_pos; /* file position of buf[0] */
    size_t buf_len;
} frame_cursor;

/* Allocates a buffer of cap bytes (grown when one frame is larger). */
void cursor_init(frame_cursor *c, size_t cap);
void cursor_free(frame_cursor *c);
/* Points the cursor at the frame at file position pos of fd; bytes up to end are readable. */
void cursor_seek(frame_cursor *c, int fd, uint64_t pos, uint64_t end);

/* 1: *f is the next frame (and *raw its bytes); 0: no whole frame before end (the end, a zero
 * length or a malformed header); -1: read error (logged). Advances past the frame returned. */
int cursor_next(frame_cursor *c, frame_view *f, const char **raw);

#endif
