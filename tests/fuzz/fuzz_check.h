/* fuzz_check.h - what every fuzz target (tests/fuzz/fuzz_*.c) uses: FUZZ_REQUIRE, which aborts on
 * a failed property so that libFuzzer keeps the input as a crash, and reading integers off the
 * input. Header-only: each fuzz target is its own executable. */
#ifndef KINESD_FUZZ_CHECK_H
#define KINESD_FUZZ_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_REQUIRE(cond)                                                                         \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond);            \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The next 8 bytes of the input (fewer at its end, zero-filled), little-endian; moves past them. */
static inline uint64_t fuzz_take_u64(const uint8_t **p, size_t *left)
{
    uint64_t v = 0;
    size_t n = *left < 8 ? *left : 8;
    memcpy(&v, *p, n);
    *p += n;
    *left -= n;
    return v;
}

#endif
