/* seqno.c - the layout of kinesd's 56-digit sequence numbers (see seqno.h).
 *
 * Fixed-width decimal fields, most significant first:
 *
 *   "49" | shard created_ms (20 digits) | shard index (10 digits) | position (24 digits)
 *
 * Every field is zero-padded, so two numbers compare as strings exactly as they compare as numbers,
 * and that order is (created_ms, index, position): a shard's numbers grow with the position, and a
 * child shard (created later, with a higher index) sorts after its parents. */
#include "seqno.h"

#include <limits.h>
#include <string.h>

#include "../common/u128.h"

#define SEQNO_VERSION "49"
#define VERSION_DIGITS 2
#define CREATED_DIGITS 20
#define INDEX_DIGITS 10
#define POSITION_DIGITS 24

_Static_assert(VERSION_DIGITS + CREATED_DIGITS + INDEX_DIGITS + POSITION_DIGITS == SEQNO_LEN,
               "sequence number fields must fill SEQNO_LEN digits");

/* Writes v as exactly `width` zero-padded digits (GetRecords formats one number per record, so
 * this avoids printf and stops dividing once only padding is left). */
static char *put_field(char *p, uint64_t v, int width)
{
    int i = width - 1;
    for (; i >= 0 && v; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    memset(p, '0', (size_t)(i + 1));
    return p + width;
}

void seqno_format(int64_t shard_created_ms, int shard_index, uint64_t position,
                  char out[SEQNO_LEN + 1])
{
    char *p = out;
    *p++ = SEQNO_VERSION[0];
    *p++ = SEQNO_VERSION[1];
    p = put_field(p, (uint64_t)shard_created_ms, CREATED_DIGITS);
    p = put_field(p, (uint64_t)shard_index, INDEX_DIGITS);
    p = put_field(p, position, POSITION_DIGITS);
    *p = '\0';
}

void seqno_set_position(char seq[SEQNO_LEN + 1], uint64_t position)
{
    put_field(seq + SEQNO_LEN - POSITION_DIGITS, position, POSITION_DIGITS);
}

/* Reads `width` decimal digits as a number no greater than max. */
static bool parse_field(const char *s, int width, uint64_t max, uint64_t *out)
{
    u128 v;
    if (!u128_parse(s, (size_t)width, &v) || v > max)
        return false;
    *out = (uint64_t)v;
    return true;
}

bool seqno_parse(const char *s, size_t n, int64_t *shard_created_ms, int *shard_index,
                 uint64_t *position)
{
    if (n != SEQNO_LEN || s[0] != SEQNO_VERSION[0] || s[1] != SEQNO_VERSION[1])
        return false;
    const char *p = s + VERSION_DIGITS;
    uint64_t created, index, pos;
    if (!parse_field(p, CREATED_DIGITS, INT64_MAX, &created) ||
        !parse_field(p + CREATED_DIGITS, INDEX_DIGITS, INT_MAX, &index) ||
        !parse_field(p + CREATED_DIGITS + INDEX_DIGITS, POSITION_DIGITS, UINT64_MAX, &pos))
        return false;
    *shard_created_ms = (int64_t)created;
    *shard_index = (int)index;
    *position = pos;
    return true;
}
