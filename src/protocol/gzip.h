/* gzip.h - request bodies sent with `Content-Encoding: gzip` (botocore compresses large
 * PutMetricData bodies, as the CloudWatch model's requestcompression asks), inflated before they
 * are decoded. */
#ifndef KINESD_GZIP_H
#define KINESD_GZIP_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/arena.h"

/* Inflates one gzip member (followed by nothing) into the arena, NUL-terminated; false when the
 * bytes are not gzip, are truncated or corrupt, have trailing bytes, or inflate to more than max
 * bytes (a small body must not become a huge one). */
bool gzip_inflate(const void *in, size_t len, size_t max, arena *a, const char **out,
                  size_t *out_len);

#endif
