/* base64.h - standard base64 (RFC 4648, with padding), decoded strictly.
 *
 * AWS rejects malformed base64 with a SerializationException, so the decoder accepts only the
 * canonical alphabet, whole 4-character groups, and '=' padding in the last group. */
#ifndef KINESD_BASE64_H
#define KINESD_BASE64_H

#include <stdbool.h>
#include <stddef.h>

static inline size_t base64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

/* Writes base64_encoded_len(n) characters (no NUL) to out. */
void base64_encode(const void *in, size_t n, char *out);

/* Decodes in[0..n) into out (room for n / 4 * 3 bytes). Returns false on any malformed input. */
bool base64_decode(const char *in, size_t n, void *out, size_t *out_len);

#endif
