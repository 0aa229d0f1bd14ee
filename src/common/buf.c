/* buf.c - growable byte buffer (see buf.h). */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kbuf_init(kbuf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void kbuf_free(kbuf *b)
{
    free(b->data);
    kbuf_init(b);
}

void kbuf_reset(kbuf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static void grow_to(kbuf *b, size_t cap)
{
    char *p = realloc(b->data, cap);
    if (!p)
        abort();
    b->data = p;
    b->cap = cap;
}

void kbuf_grow(kbuf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    grow_to(b, cap);
}

void kbuf_reserve_step(kbuf *b, size_t extra, size_t step)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    if (need <= step)
        kbuf_reserve(b, extra);
    else
        grow_to(b, need + (step - need % step) % step);
}

void kbuf_puts(kbuf *b, const char *s)
{
    kbuf_append(b, s, strlen(s));
}

void kbuf_vprintf(kbuf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n <= 0)
        return;
    kbuf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void kbuf_printf(kbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *kbuf_detach(kbuf *b)
{
    if (!b->data)
        kbuf_reserve(b, 0), b->data[0] = '\0';
    char *p = b->data;
    kbuf_init(b);
    return p;
}
