/* cbor_scan.h - just enough reading of kinesd's CBOR 1.1 answers for a load generator (the CBOR
 * twin of json_scan.h).
 *
 * Keys are matched as a definite text string head followed by the key's bytes (keys shorter than
 * 24 bytes, as every key read here is); the answers read here (PutRecords) hold no other text
 * that could look like one. */
#ifndef KINESD_BENCH_CBOR_SCAN_H
#define KINESD_BENCH_CBOR_SCAN_H

#include <stdbool.h>
#include <stddef.h>

/* How many times map key `key` occurs in s[0..n). */
size_t cbor_count_key(const char *s, size_t n, const char *key);

/* Reads the integer after the first map key `key`; false when there is none. */
bool cbor_integer(const char *s, size_t n, const char *key, long long *out);

#endif
