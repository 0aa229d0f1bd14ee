/* fuzz_kinesis_seqno.c - kinesd's 56-digit sequence numbers (seqno.c): what clients send back in
 * GetShardIterator, SubscribeToShard and PutRecord's SequenceNumberForOrdering.
 *
 * Every input is tried both ways:
 *   - as text: a number seqno_parse accepts is exactly the one seqno_format writes for its fields
 *     (one spelling per position, so numbers compare as strings);
 *   - as two field triples (created ms, shard index, position) read from the bytes: each formats
 *     to 56 digits that parse back to the same triple, and the two numbers compare as strings as
 *     their triples compare (so a shard's numbers grow, and a child's exceed its parent's). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinesis/seqno.h"
#include "fuzz_check.h"

typedef struct seq_fields {
    int64_t created_ms;
    int index;
    uint64_t position;
} seq_fields;

static seq_fields take_fields(const uint8_t **p, size_t *left)
{
    seq_fields f;
    f.created_ms = (int64_t)(fuzz_take_u64(p, left) & INT64_MAX);
    f.index = (int)(fuzz_take_u64(p, left) & INT32_MAX);
    f.position = fuzz_take_u64(p, left);
    return f;
}

static int compare_fields(const seq_fields *a, const seq_fields *b)
{
    if (a->created_ms != b->created_ms)
        return a->created_ms < b->created_ms ? -1 : 1;
    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    return a->position < b->position ? -1 : a->position > b->position;
}

static int sign_of(int v)
{
    return (v > 0) - (v < 0);
}

static void format_and_parse(const seq_fields *f, char out[SEQNO_LEN + 1])
{
    seq_fields back;
    seqno_format(f->created_ms, f->index, f->position, out);
    FUZZ_REQUIRE(strlen(out) == SEQNO_LEN);
    FUZZ_REQUIRE(seqno_parse(out, SEQNO_LEN, &back.created_ms, &back.index, &back.position));
    FUZZ_REQUIRE(compare_fields(f, &back) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    seq_fields parsed;
    if (seqno_parse((const char *)data, size, &parsed.created_ms, &parsed.index,
                    &parsed.position)) {
        char again[SEQNO_LEN + 1];
        FUZZ_REQUIRE(parsed.created_ms >= 0 && parsed.index >= 0);
        seqno_format(parsed.created_ms, parsed.index, parsed.position, again);
        FUZZ_REQUIRE(size == SEQNO_LEN && memcmp(again, data, SEQNO_LEN) == 0);
    }
    const uint8_t *p = data;
    size_t left = size;
    seq_fields a = take_fields(&p, &left), b = take_fields(&p, &left);
    char sa[SEQNO_LEN + 1], sb[SEQNO_LEN + 1];
    format_and_parse(&a, sa);
    format_and_parse(&b, sb);
    FUZZ_REQUIRE(sign_of(strcmp(sa, sb)) == compare_fields(&a, &b));
    return 0;
}
