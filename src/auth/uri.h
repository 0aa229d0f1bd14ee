/* uri.h - the URI rules of AWS Signature Version 4: strict percent-encoding, decoding, and the
 * path normalisation (dot segments, repeated slashes) that non-S3 services apply before signing. */
#ifndef KINESD_AUTH_URI_H
#define KINESD_AUTH_URI_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/buf.h"

/* Appends s[0..n) to out, percent-encoding every byte except A-Z a-z 0-9 - _ . ~ (and '/' when
 * keep_slash), with upper-case hex digits. */
void uri_encode(kbuf *out, const char *s, size_t n, bool keep_slash);

/* Appends s[0..n) to out with %XX sequences decoded; a malformed '%' is kept as it is. */
void uri_decode(kbuf *out, const char *s, size_t n);

/* Appends the normalised form of an absolute path: "." and ".." segments resolved, runs of '/'
 * collapsed, a trailing '/' kept. An empty result is "/". */
void uri_normalize_path(kbuf *out, const char *path);

#endif
