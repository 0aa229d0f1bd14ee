/* u128.c - decimal and MD5 conversions for 128-bit hash keys (see u128.h). */
#include "u128.h"

#include <stdlib.h>

#include "md5.h"

bool u128_parse(const char *s, size_t n, u128 *out)
{
    if (n == 0 || n > U128_DEC_MAX)
        return false;
    u128 v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (U128_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

size_t u128_format(u128 v, char *out)
{
    char tmp[U128_DEC_MAX + 1];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + (unsigned)(v % 10));
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return n;
}

u128 u128_md5(const void *p, size_t n)
{
    unsigned char d[MD5_DIGEST_BYTES];
    md5_digest(p, n, d);
    u128 v = 0;
    for (int i = 0; i < 16; i++)
        v = v << 8 | d[i];
    return v;
}
