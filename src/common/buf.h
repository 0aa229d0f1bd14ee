/* buf.h - a growable byte buffer, the one way bytes are accumulated in kinesd.
 *
 * A kbuf always keeps a NUL after its last byte, so text built in it can be used as a C string.
 * Allocation failure aborts the process: an out-of-memory server cannot answer anything anyway. */
#ifndef KINESD_BUF_H
#define KINESD_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

typedef struct kbuf {
    char *data;
    size_t len;
    size_t cap;
} kbuf;

#define KBUF_INIT                                                                                  \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void kbuf_init(kbuf *b);
void kbuf_free(kbuf *b);
void kbuf_reset(kbuf *b);              /* len = 0, memory kept */
void kbuf_grow(kbuf *b, size_t extra); /* kbuf_reserve's reallocation (doubling) */
/* The same, doubling only up to `step`, then growing to the next multiple of `step`: for large
 * buffers that grow as bytes arrive, whose size should stay close to what they hold. */
void kbuf_reserve_step(kbuf *b, size_t extra, size_t step);
void kbuf_puts(kbuf *b, const char *s);
void kbuf_printf(kbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kbuf_vprintf(kbuf *b, const char *fmt, va_list ap);
char *kbuf_detach(kbuf *b); /* caller frees; b becomes empty */

/* Room for `extra` more bytes (plus the NUL). Inline, as are the two below: answers are written
 * a few bytes at a time (GetRecords: dozens of calls per record). */
static inline void kbuf_reserve(kbuf *b, size_t extra)
{
    if (b->len + extra + 1 > b->cap)
        kbuf_grow(b, extra);
}

static inline void kbuf_append(kbuf *b, const void *p, size_t n)
{
    kbuf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static inline void kbuf_putc(kbuf *b, char c)
{
    kbuf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

#endif
