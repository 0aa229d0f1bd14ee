/* utf8.h - well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF.
 *
 * Decoders check text with it (a client must be able to read back whatever kinesd stored), and
 * messages that quote part of a value cut it only between characters. */
#ifndef KINESD_UTF8_H
#define KINESD_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of the well-formed character that starts s[0..n), or 0 when none starts there. */
size_t utf8_char_len(const char *s, size_t n);

/* Whether all of s[0..n) is well-formed UTF-8 (NULs included: U+0000 is a character). */
bool utf8_valid(const char *s, size_t n);

/* The length of s[0..n) as Java counts it: UTF-16 code units (a character past U+FFFF is two). */
size_t utf8_utf16_length(const char *s, size_t n);

/* The longest prefix of s[0..n) no longer than max bytes that ends between two characters. */
size_t utf8_prefix(const char *s, size_t n, size_t max);

#endif
