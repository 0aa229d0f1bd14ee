/* buf.h - a growable byte buffer, the one way bytes are accumulated in kinesd.
 *
 * A kbuf always keeps a NUL after its last byte, so text built in it can be used as a C string.
 * Allocation failure aborts the process: an out-of-memory server cannot answer anything anyway. */
#ifndef KINESD_BUF_H
#define KINESD_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct kbuf {
    char *data;
    size_t len;
    size_t cap;
} kbuf;

#define KBUF_INIT {NULL, 0, 0}

void kbuf_init(kbuf *b);
void kbuf_free(kbuf *b);
void kbuf_reset(kbuf *b);                  /* len = 0, memory kept */
void kbuf_reserve(kbuf *b, size_t extra);  /* room for `extra` more bytes (plus the NUL) */
/* The same, doubling only up to `step`, then growing to the next multiple of `step`: for large
 * buffers that grow as bytes arrive, whose size should stay close to what they hold. */
void kbuf_reserve_step(kbuf *b, size_t extra, size_t step);
void kbuf_append(kbuf *b, const void *p, size_t n);
void kbuf_puts(kbuf *b, const char *s);
void kbuf_putc(kbuf *b, char c);
void kbuf_printf(kbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kbuf_vprintf(kbuf *b, const char *fmt, va_list ap);
char *kbuf_detach(kbuf *b);                /* caller frees; b becomes empty */

#endif
