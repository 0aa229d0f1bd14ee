/* json_scan.h - just enough reading of kinesd's JSON answers for a load generator.
 *
 * The benchmarks do not parse responses: they count members ("SequenceNumber" once per record)
 * and pick out a few string and number values. Keys are matched as "Key" followed by ':'; string
 * values are returned raw (the values read here - iterators, shard ids, base64 - have no
 * escapes). */
#ifndef KINESD_BENCH_JSON_SCAN_H
#define KINESD_BENCH_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>

/* How many times member `key` occurs in s[0..n). */
size_t json_count_key(const char *s, size_t n, const char *key);

/* Finds the next string member `key` at or after *pos. On success points *value and *len at its
 * characters and moves *pos past it. */
bool json_next_string(const char *s, size_t n, const char *key, size_t *pos, const char **value,
                      size_t *len);

/* Reads the first numeric member `key`; false when there is none. */
bool json_integer(const char *s, size_t n, const char *key, long long *out);

#endif
