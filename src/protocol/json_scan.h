/* json_scan.h - finding the bytes of a JSON string that are not plain ASCII text, sixteen at a
 * time where SSE2 is (every x86-64): shared by the streaming reader (decode_json_stream.c) and
 * the encoder (encoder.c), whose strings are mostly base64, digits and names. */
#ifndef KINESD_JSON_SCAN_H
#define KINESD_JSON_SCAN_H

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdbool.h>

/* Whether a string holds byte c as it is: printable ASCII but '"' and '\\' (RFC 8259 7). */
static inline bool json_plain_byte(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

#ifdef __SSE2__
/* The positions, as bits, of the bytes of v that are not json_plain_byte. */
static inline int json_stop_mask(__m128i v)
{
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    /* signed: bytes from 0x80 are negative, so "< 0x20" also finds non-ASCII ones */
    __m128i stop =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                     _mm_cmplt_epi8(v, space));
    return _mm_movemask_epi8(stop);
}
#endif

/* The first byte at or after p that is not json_plain_byte (end when none): sixteen bytes a
 * step, then eight (names such as "PartitionKey" are short), then one. */
static inline const char *json_skip_plain(const char *p, const char *end)
{
#ifdef __SSE2__
    for (; end - p >= 16; p += 16) {
        int mask = json_stop_mask(_mm_loadu_si128((const __m128i *)(const void *)p));
        if (mask)
            return p + __builtin_ctz((unsigned)mask);
    }
    if (end - p >= 8) {
        int mask = json_stop_mask(_mm_loadl_epi64((const __m128i *)(const void *)p)) & 0xff;
        if (mask)
            return p + __builtin_ctz((unsigned)mask);
        p += 8;
    }
#endif
    while (p < end && json_plain_byte((unsigned char)*p))
        p++;
    return p;
}

#endif
