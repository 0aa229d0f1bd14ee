/* buf.c - growable byte buffer (see buf.h). */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oom.h"

void kbuf_init(kbuf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
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

static bool grow_to(kbuf *b, size_t cap)
{
    char *p = b->failed ? NULL : realloc(b->data, cap);
    if (!p) {
        oom_failed();
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

bool kbuf_reserve(kbuf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return !b->failed;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    return grow_to(b, cap);
}

bool kbuf_reserve_step(kbuf *b, size_t extra, size_t step)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return !b->failed;
    if (need <= step)
        return kbuf_reserve(b, extra);
    return grow_to(b, need + (step - need % step) % step);
}

void kbuf_append(kbuf *b, const void *p, size_t n)
{
    if (!kbuf_reserve(b, n))
        return;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void kbuf_puts(kbuf *b, const char *s)
{
    kbuf_append(b, s, strlen(s));
}

void kbuf_putc(kbuf *b, char c)
{
    if (!kbuf_reserve(b, 1))
        return;
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void kbuf_vprintf(kbuf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n <= 0 || !kbuf_reserve(b, (size_t)n))
        return;
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
    if (!kbuf_reserve(b, 0)) {
        kbuf_free(b);
        return NULL;
    }
    b->data[b->len] = '\0'; /* a buffer that never held a byte has no NUL yet */
    char *p = b->data;
    kbuf_init(b);
    return p;
}
