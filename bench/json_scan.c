/* json_scan.c - counting members and picking values out of JSON answers (see json_scan.h). */
#include "json_scan.h"

#include <stdlib.h>
#include <string.h>

/* Position just after the ':' of the next member `key` at or after `from`, or 0 when none. */
static size_t find_member(const char *s, size_t n, const char *key, size_t from)
{
    size_t klen = strlen(key);
    while (from < n) {
        const char *hit = memmem(s + from, n - from, key, klen);
        if (!hit)
            return 0;
        size_t at = (size_t)(hit - s);
        size_t after = at + klen;
        from = after;
        if (at == 0 || s[at - 1] != '"' || after >= n || s[after] != '"')
            continue;
        after++;
        while (after < n && (s[after] == ' ' || s[after] == '\t' || s[after] == '\n'))
            after++;
        if (after < n && s[after] == ':')
            return after + 1;
    }
    return 0;
}

static size_t skip_space(const char *s, size_t n, size_t at)
{
    while (at < n && (s[at] == ' ' || s[at] == '\t' || s[at] == '\n' || s[at] == '\r'))
        at++;
    return at;
}

size_t json_count_key(const char *s, size_t n, const char *key)
{
    size_t count = 0;
    for (size_t at = find_member(s, n, key, 0); at; at = find_member(s, n, key, at))
        count++;
    return count;
}

bool json_next_string(const char *s, size_t n, const char *key, size_t *pos, const char **value,
                      size_t *len)
{
    size_t at = find_member(s, n, key, *pos);
    if (!at)
        return false;
    at = skip_space(s, n, at);
    if (at >= n || s[at] != '"')
        return false;
    const char *start = s + at + 1;
    const char *end = memchr(start, '"', n - at - 1);
    if (!end)
        return false;
    *value = start;
    *len = (size_t)(end - start);
    *pos = (size_t)(end - s) + 1;
    return true;
}

bool json_integer(const char *s, size_t n, const char *key, long long *out)
{
    size_t at = find_member(s, n, key, 0);
    if (!at)
        return false;
    at = skip_space(s, n, at);
    if (at >= n || (s[at] != '-' && (s[at] < '0' || s[at] > '9')))
        return false;
    *out = strtoll(s + at, NULL, 10);
    return true;
}
