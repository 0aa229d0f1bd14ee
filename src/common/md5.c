/* md5.c - MD5 as RFC 1321 specifies it (see md5.h): 64-byte blocks of little-endian words, four
 * rounds of sixteen steps, the message padded with 0x80, zeros and its bit length. */
#include "md5.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define BLOCK 64

/* Each step's additive constant, floor(|sin(i + 1)| * 2^32) (RFC 1321 3.4), built once. */
static uint32_t sine_table[64];
static pthread_once_t sine_once = PTHREAD_ONCE_INIT;

static void build_sine_table(void)
{
    for (int i = 0; i < 64; i++)
        sine_table[i] = (uint32_t)floor(fabs(sin((double)(i + 1))) * 4294967296.0);
}

/* The left rotations of each round's four steps. */
static const int shifts[4][4] = {{7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};

static uint32_t rotl(uint32_t x, int n)
{
    return x << n | x >> (32 - n);
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One step: a takes b + rotl(a + f + constant + word, shift); the four rounds differ in f, in
 * the order they take the words (g) and in their shifts. Each round is a loop of its own,
 * unrolled, so that the shifts and word indexes are constants. */
#define MD5_ROUND(r, f_expr, g_expr)                                                               \
    _Pragma("GCC unroll 16") for (int i = 16 * (r); i < 16 * (r) + 16; i++)                        \
    {                                                                                              \
        uint32_t f = (f_expr) + a + sine_table[i] + m[(g_expr) % 16];                              \
        a = d;                                                                                     \
        d = c;                                                                                     \
        c = b;                                                                                     \
        b += rotl(f, shifts[r][i % 4]);                                                            \
    }

/* Folds one block into the state. */
static void md5_block(uint32_t state[4], const unsigned char *block)
{
    uint32_t m[16];
    for (int i = 0; i < 16; i++)
        m[i] = le32(block + 4 * i);
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    MD5_ROUND(0, (b & c) | (~b & d), i)
    MD5_ROUND(1, (d & b) | (~d & c), 5 * i + 1)
    MD5_ROUND(2, b ^ c ^ d, 3 * i + 5)
    MD5_ROUND(3, c ^ (b | ~d), 7 * i)
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
}

void md5_digest(const void *p, size_t n, unsigned char out[MD5_DIGEST_BYTES])
{
    pthread_once(&sine_once, build_sine_table);
    uint32_t state[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    const unsigned char *in = p;
    size_t whole = n - n % BLOCK;
    for (size_t i = 0; i < whole; i += BLOCK)
        md5_block(state, in + i);
    /* the rest, 0x80, zeros up to 56 bytes mod 64, and the length in bits (two blocks at most) */
    unsigned char tail[2 * BLOCK] = {0};
    size_t rest = n - whole, tail_len = rest < 56 ? BLOCK : 2 * BLOCK;
    memcpy(tail, in + whole, rest);
    tail[rest] = 0x80;
    uint64_t bits = (uint64_t)n * 8;
    for (int i = 0; i < 8; i++)
        tail[tail_len - 8 + i] = (unsigned char)(bits >> (8 * i));
    for (size_t i = 0; i < tail_len; i += BLOCK)
        md5_block(state, tail + i);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            out[4 * i + j] = (unsigned char)(state[i] >> (8 * j));
}
