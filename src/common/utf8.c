/* utf8.c - checking UTF-8 one character at a time (see utf8.h). */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

/* The range the second byte of a sequence led by `lead` must fall in: it excludes overlong forms
 * (E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and code points past U+10FFFF (F4 90..BF). */
static void second_byte_range(unsigned char lead, unsigned char *lo, unsigned char *hi)
{
    *lo = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80;
    *hi = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF;
}

size_t utf8_char_len(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    if (n == 0)
        return 0;
    if (p[0] < 0x80)
        return 1;
    size_t len = p[0] >= 0xC2 && p[0] <= 0xDF   ? 2
                 : p[0] >= 0xE0 && p[0] <= 0xEF ? 3
                 : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4
                                                : 0;
    if (len == 0 || n < len)
        return 0;
    unsigned char lo, hi;
    second_byte_range(p[0], &lo, &hi);
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

bool utf8_valid(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint64_t word;
        if (n - i >= sizeof word) { /* ASCII runs, the common case, eight bytes at a time */
            memcpy(&word, s + i, sizeof word);
            if ((word & 0x8080808080808080ULL) == 0) {
                i += sizeof word;
                continue;
            }
        }
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        size_t len = utf8_char_len(s + i, n - i);
        if (len == 0)
            return false;
        i += len;
    }
    return true;
}

size_t utf8_utf16_length(const char *s, size_t n)
{
    size_t units = 0;
    size_t i = 0;
    for (uint64_t word; n - i >= sizeof word; i += sizeof word) { /* ASCII runs, one per byte */
        memcpy(&word, s + i, sizeof word);
        if (word & 0x8080808080808080ULL)
            break;
        units += sizeof word;
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80) /* each character counts at its first byte */
            units += c >= 0xF0 ? 2 : 1;
    }
    return units;
}

size_t utf8_prefix(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t end = max;
    while (end > 0 && ((unsigned char)s[end] & 0xC0) == 0x80)
        end--; /* s[end] continues the character before it: cut before that character */
    return end;
}
