/* cbor_scan.c - counting keys and reading integers in CBOR answers (see cbor_scan.h). */
#include "cbor_scan.h"

#include <stdint.h>
#include <string.h>

/* Position just after the next key `key` at or after `from`, or 0 when none. */
static size_t find_key(const char *s, size_t n, const char *key, size_t from)
{
    size_t klen = strlen(key);
    char head = (char)(0x60 | klen); /* a text string of klen bytes (klen < 24) */
    while (from < n) {
        const char *hit = memmem(s + from, n - from, key, klen);
        if (!hit)
            return 0;
        size_t at = (size_t)(hit - s);
        from = at + klen;
        if (at > 0 && s[at - 1] == head)
            return from;
    }
    return 0;
}

size_t cbor_count_key(const char *s, size_t n, const char *key)
{
    size_t count = 0;
    for (size_t at = find_key(s, n, key, 0); at; at = find_key(s, n, key, at))
        count++;
    return count;
}

bool cbor_integer(const char *s, size_t n, const char *key, long long *out)
{
    size_t at = find_key(s, n, key, 0);
    if (!at || at >= n)
        return false;
    const unsigned char *p = (const unsigned char *)s + at;
    unsigned major = p[0] >> 5, info = p[0] & 31;
    size_t bytes = info < 24 ? 0 : info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : 8;
    if (major > 1 || info > 27 || at + 1 + bytes > n)
        return false;
    uint64_t v = info < 24 ? info : 0;
    for (size_t i = 1; i <= bytes; i++)
        v = v << 8 | p[i];
    *out = major == 0 ? (long long)v : -1 - (long long)v;
    return true;
}
