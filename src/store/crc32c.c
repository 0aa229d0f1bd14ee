/* crc32c.c - CRC-32C with the SSE4.2 instruction or slice-by-8 tables (see crc32c.h).
 *
 * The tables are derived at first use from the reflected polynomial 0x82f63b78: table[0] is the
 * byte-at-a-time table, table[k][b] the CRC of byte b followed by k zero bytes, so eight table
 * look-ups advance the CRC by eight bytes at once. */
#include "crc32c.h"

#include <pthread.h>
#include <string.h>

#include "le.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

#define POLY 0x82f63b78u

static uint32_t table[8][256];
static bool use_hardware;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build_tables(void)
{
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t c = b;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ POLY : c >> 1;
        table[0][b] = c;
    }
    for (int k = 1; k < 8; k++)
        for (uint32_t b = 0; b < 256; b++)
            table[k][b] = (table[k - 1][b] >> 8) ^ table[0][table[k - 1][b] & 0xff];
}

static void init(void)
{
    build_tables();
#if defined(__x86_64__)
    __builtin_cpu_init();
    use_hardware = __builtin_cpu_supports("sse4.2");
#endif
}

static uint32_t portable_body(uint32_t c, const unsigned char *p, size_t len)
{
    while (len >= 8) {
        uint32_t lo = c ^ le_get32((const char *)p), hi = le_get32((const char *)p + 4);
        c = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^ table[5][(lo >> 16) & 0xff] ^
            table[4][lo >> 24] ^ table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^
            table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
        p += 8;
        len -= 8;
    }
    while (len--)
        c = (c >> 8) ^ table[0][(c ^ *p++) & 0xff];
    return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t hardware_body(uint32_t c, const unsigned char *p,
                                                                size_t len)
{
    uint64_t c64 = c;
    while (len >= 8) {
        uint64_t word;
        memcpy(&word, p, sizeof word);
        c64 = _mm_crc32_u64(c64, word);
        p += 8;
        len -= 8;
    }
    c = (uint32_t)c64;
    while (len--)
        c = _mm_crc32_u8(c, *p++);
    return c;
}
#endif

uint32_t crc32c_portable(uint32_t crc, const void *p, size_t len)
{
    pthread_once(&once, init);
    return ~portable_body(~crc, p, len);
}

uint32_t crc32c(uint32_t crc, const void *p, size_t len)
{
    pthread_once(&once, init);
#if defined(__x86_64__)
    if (use_hardware)
        return ~hardware_body(~crc, p, len);
#endif
    return ~portable_body(~crc, p, len);
}

bool crc32c_hardware(void)
{
    pthread_once(&once, init);
    return use_hardware;
}
