/* md5.h - MD5 (RFC 1321) of a short message, without allocation.
 *
 * Kinesis routes each record by the MD5 of its partition key: one digest per record put. OpenSSL
 * 3's EVP interface allocates and frees its state on every digest; this one keeps it on the
 * stack. */
#ifndef KINESD_MD5_H
#define KINESD_MD5_H

#include <stddef.h>

#define MD5_DIGEST_BYTES 16

/* The digest of p[0..n). */
void md5_digest(const void *p, size_t n, unsigned char out[MD5_DIGEST_BYTES]);

#endif
