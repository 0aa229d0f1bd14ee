/* base64.c - strict base64 codec (see base64.h). */
#include "base64.h"

#include <pthread.h>
#include <stdint.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 0..63 for alphabet characters, 64 for '=', 255 for anything else. Built once (pthread_once:
 * every loop thread decodes, and none may see a half-built table). */
static uint8_t table[256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void build_decode_table(void)
{
    for (int i = 0; i < 256; i++)
        table[i] = 255;
    for (int i = 0; i < 64; i++)
        table[(unsigned char)alphabet[i]] = (uint8_t)i;
    table['='] = 64;
}

static const uint8_t *decode_table(void)
{
    pthread_once(&table_once, build_decode_table);
    return table;
}

void base64_encode(const void *in, size_t n, char *out)
{
    const unsigned char *p = in;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *out++ = alphabet[v >> 18];
        *out++ = alphabet[(v >> 12) & 63];
        *out++ = alphabet[(v >> 6) & 63];
        *out++ = alphabet[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        *out++ = alphabet[v >> 18];
        *out++ = alphabet[(v >> 12) & 63];
        *out++ = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
        *out++ = '=';
    }
}

bool base64_decode(const char *in, size_t n, void *out, size_t *out_len)
{
    const uint8_t *t = decode_table();
    unsigned char *o = out;
    if (n % 4 != 0)
        return false;
    for (size_t i = 0; i < n; i += 4) {
        uint8_t a = t[(unsigned char)in[i]], b = t[(unsigned char)in[i + 1]];
        uint8_t c = t[(unsigned char)in[i + 2]], d = t[(unsigned char)in[i + 3]];
        bool last = i + 4 == n;
        if (a > 63 || b > 63 || c == 255 || d == 255)
            return false;
        if (!last && (c == 64 || d == 64))
            return false;
        if (c == 64 && d != 64)
            return false;
        *o++ = (unsigned char)(a << 2 | b >> 4);
        if (c == 64) {
            if (b & 15) /* non-canonical trailing bits */
                return false;
            break;
        }
        *o++ = (unsigned char)(b << 4 | c >> 2);
        if (d == 64) {
            if (c & 3)
                return false;
            break;
        }
        *o++ = (unsigned char)(c << 6 | d);
    }
    *out_len = (size_t)(o - (unsigned char *)out);
    return true;
}
