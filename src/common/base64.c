/* base64.c - strict base64 codec (see base64.h). */
#include "base64.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Decoding: 0..63 for alphabet characters, 64 for '=', 255 for anything else. Encoding: the two
 * characters of each 12-bit value, so that three bytes take two lookups. Built once
 * (pthread_once: every loop thread uses them, and none may see a half-built table). */
static uint8_t table[256];
static char pairs[4096][2];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void build_tables(void)
{
    for (int i = 0; i < 256; i++)
        table[i] = 255;
    for (int i = 0; i < 64; i++)
        table[(unsigned char)alphabet[i]] = (uint8_t)i;
    table['='] = 64;
    for (int i = 0; i < 4096; i++) {
        pairs[i][0] = alphabet[i >> 6];
        pairs[i][1] = alphabet[i & 63];
    }
}

static const uint8_t *decode_table(void)
{
    pthread_once(&table_once, build_tables);
    return table;
}

void base64_encode(const void *in, size_t n, char *out)
{
    const unsigned char *p = in;
    size_t i = 0;
    pthread_once(&table_once, build_tables);
    for (; i + 3 <= n; i += 3, out += 4) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        memcpy(out, pairs[v >> 12], 2);
        memcpy(out + 2, pairs[v & 4095], 2);
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        *out++ = alphabet[v >> 18];
        *out++ = alphabet[(v >> 12) & 63];
        *out++ = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
        *out++ = '=';
    }
}

/* The last group: padding allowed, with canonical (zero) trailing bits. Returns the bytes written
 * (1 to 3), or -1 when malformed. */
static int decode_last_group(const uint8_t *t, const char *in, unsigned char *o)
{
    uint8_t a = t[(unsigned char)in[0]], b = t[(unsigned char)in[1]];
    uint8_t c = t[(unsigned char)in[2]], d = t[(unsigned char)in[3]];
    if (a > 63 || b > 63 || c == 255 || d == 255 || (c == 64 && d != 64))
        return -1;
    o[0] = (unsigned char)(a << 2 | b >> 4);
    if (c == 64)
        return b & 15 ? -1 : 1; /* non-canonical trailing bits */
    o[1] = (unsigned char)(b << 4 | c >> 2);
    if (d == 64)
        return c & 3 ? -1 : 2;
    o[2] = (unsigned char)(c << 6 | d);
    return 3;
}

bool base64_decode(const char *in, size_t n, void *out, size_t *out_len)
{
    const uint8_t *t = decode_table();
    unsigned char *o = out;
    if (n % 4 != 0)
        return false;
    if (n == 0) {
        *out_len = 0;
        return true;
    }
    /* every group before the last: four alphabet characters (0..63; '=' is 64, others 255) */
    for (size_t i = 0; i + 4 < n; i += 4, o += 3) {
        uint32_t a = t[(unsigned char)in[i]], b = t[(unsigned char)in[i + 1]];
        uint32_t c = t[(unsigned char)in[i + 2]], d = t[(unsigned char)in[i + 3]];
        if ((a | b | c | d) & 0xC0)
            return false;
        uint32_t v = a << 18 | b << 12 | c << 6 | d;
        o[0] = (unsigned char)(v >> 16);
        o[1] = (unsigned char)(v >> 8);
        o[2] = (unsigned char)v;
    }
    int last = decode_last_group(t, in + n - 4, o);
    if (last < 0)
        return false;
    *out_len = (size_t)(o + last - (unsigned char *)out);
    return true;
}
