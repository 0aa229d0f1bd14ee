/* u128.h - 128-bit unsigned integers: Kinesis hash keys.
 *
 * A partition key routes to the shard whose hash key range holds MD5(key) read as a big-endian
 * 128-bit number; ExplicitHashKey and shard ranges are that number in decimal. */
#ifndef KINESD_U128_H
#define KINESD_U128_H

#include <stdbool.h>
#include <stddef.h>

typedef unsigned __int128 u128;

#define U128_MAX (~(u128)0)
#define U128_DEC_MAX 39 /* digits in 2^128 - 1 */

/* Strict decimal parse: 1..39 digits, no sign, no spaces, value <= 2^128-1. */
bool u128_parse(const char *s, size_t n, u128 *out);

/* Writes the decimal form and a NUL into out (at least U128_DEC_MAX + 1 bytes); returns length. */
size_t u128_format(u128 v, char *out);

/* MD5 of the bytes, read as a big-endian 128-bit number. */
u128 u128_md5(const void *p, size_t n);

#endif
