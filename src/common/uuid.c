/* uuid.c - version 4 UUIDs from a per-thread xoshiro256** generator (see uuid.h). */
#include "uuid.h"

#include <stdint.h>
#include <sys/random.h>

static _Thread_local uint64_t state[4];
static _Thread_local int seeded;

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t next_random(void)
{
    if (!seeded) {
        while (getrandom(state, sizeof(state), 0) != (ssize_t)sizeof(state))
            ;
        state[0] |= 1; /* never the all-zero state */
        seeded = 1;
    }
    uint64_t result = rotl(state[1] * 5, 7) * 9;
    uint64_t t = state[1] << 17;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= t;
    state[3] = rotl(state[3], 45);
    return result;
}

void uuid_random_bytes(void *out, size_t n)
{
    unsigned char *p = out;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t r = next_random();
        for (size_t k = 0; k < 8 && i + k < n; k++)
            p[i + k] = (unsigned char)(r >> (8 * k));
    }
}

void uuid_v4(char out[UUID_STR_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    uint64_t r0 = next_random(), r1 = next_random();
    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)(r0 >> (8 * i));
        b[8 + i] = (unsigned char)(r1 >> (8 * i));
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
}
