/* uri.c - SigV4 percent-encoding and path normalisation (see uri.h). */
#include "uri.h"

#include <string.h>

#include "../common/hex.h"

static bool is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

void uri_encode(kbuf *out, const char *s, size_t n, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            kbuf_putc(out, (char)c);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            kbuf_append(out, esc, 3);
        }
    }
}

void uri_decode(kbuf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi = s[i] == '%' && i + 2 < n ? hex_value(s[i + 1]) : -1;
        int lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
        if (lo >= 0) {
            kbuf_putc(out, (char)(hi << 4 | lo));
            i += 2;
        } else {
            kbuf_putc(out, s[i]);
        }
    }
}

/* Removes the last segment (and its leading '/') from the normalised path built so far. */
static void drop_last_segment(kbuf *out, size_t base)
{
    if (out->len == base)
        return; /* "/.." stays at the root (and an empty buffer may have no memory yet) */
    while (out->len > base && out->data[out->len - 1] != '/')
        out->len--;
    if (out->len > base)
        out->len--;
    out->data[out->len] = '\0';
}

void uri_normalize_path(kbuf *out, const char *path)
{
    size_t base = out->len;
    const char *p = path;
    bool ends_in_slash = false;
    while (*p) {
        while (*p == '/')
            p++;
        const char *end = strchrnul(p, '/');
        size_t n = (size_t)(end - p);
        ends_in_slash = *end == '/' || n == 0;
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            drop_last_segment(out, base);
            ends_in_slash = true;
        } else if (n == 1 && p[0] == '.') {
            ends_in_slash = true;
        } else if (n > 0) {
            kbuf_putc(out, '/');
            kbuf_append(out, p, n);
        }
        p = end;
    }
    if (ends_in_slash || out->len == base)
        kbuf_putc(out, '/');
}
