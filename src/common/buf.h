/* buf.h - a growable byte buffer, the one way bytes are accumulated in kinesd.
 *
 * A kbuf always keeps a NUL after its last byte (once it has memory), so text built in it can be
 * used as a C string. Allocation failure aborts the server (oom.h); in libkines the buffer is
 * marked `failed` instead: it keeps what it held, later appends do nothing, and whoever uses
 * its content checks kbuf_failed first. */
#ifndef KINESD_BUF_H
#define KINESD_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct kbuf {
    char *data;  /* NULL until the first byte (or reservation) */
    size_t len;  /* bytes held, without the NUL */
    size_t cap;  /* bytes allocated */
    bool failed; /* an allocation failed (libkines only): the content is incomplete */
} kbuf;

#define KBUF_INIT                                                                                  \
    {                                                                                              \
        NULL, 0, 0, false                                                                          \
    }

void kbuf_init(kbuf *b);
void kbuf_free(kbuf *b);
void kbuf_reset(kbuf *b); /* len = 0, memory kept */
/* Room for `extra` more bytes (plus the NUL); false when the buffer failed (libkines). */
bool kbuf_reserve(kbuf *b, size_t extra);
/* The same, doubling only up to `step`, then growing to the next multiple of `step`: for large
 * buffers that grow as bytes arrive, whose size should stay close to what they hold. */
bool kbuf_reserve_step(kbuf *b, size_t extra, size_t step);
void kbuf_append(kbuf *b, const void *p, size_t n);
void kbuf_puts(kbuf *b, const char *s);
void kbuf_putc(kbuf *b, char c);
void kbuf_printf(kbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kbuf_vprintf(kbuf *b, const char *fmt, va_list ap);
/* The content (caller frees), or NULL when the buffer failed (then freed); b becomes empty. */
char *kbuf_detach(kbuf *b);
/* Marks b failed: something its content depends on could not be allocated (libkines). */
static inline void kbuf_mark_failed(kbuf *b)
{
    b->failed = true;
}
/* Whether an allocation failed since kbuf_init: the content is incomplete (libkines). */
static inline bool kbuf_failed(const kbuf *b)
{
    return b->failed;
}

#endif
