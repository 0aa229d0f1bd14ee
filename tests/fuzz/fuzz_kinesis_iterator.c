/* fuzz_kinesis_iterator.c - the opaque tokens kinesd hands out and reads back: shard iterators
 * (iterator.c, authenticated) and NextToken values (next_token.c).
 *
 * Every input is tried three ways:
 *   - as a shard iterator and as a NextToken a client sends: refused with AWS's error types, or,
 *     when accepted, an iterator that encodes back to exactly the same text;
 *   - as the fields of an iterator (stream uid, shard index, offset, issue time, name): it
 *     encodes, decodes to the same fields unless it has expired (exactly when it was issued more
 *     than ITERATOR_TTL_MS before now), and any change to one character of its text is refused;
 *   - as a NextToken payload: it comes back from the token made of it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kinesis/iterator.h"
#include "kinesis/next_token.h"
#include "fuzz_check.h"

#define NOW_MS 1764140000000LL

static char key_dir[64];

static void remove_key_dir(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/iterator.key", key_dir);
    unlink(path);
    rmdir(key_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char why[512];
    snprintf(key_dir, sizeof key_dir, "/tmp/kinesd-fuzz-XXXXXX");
    if (!mkdtemp(key_dir) || iterator_init(key_dir, why, sizeof why) != 0)
        abort();
    atexit(remove_key_dir);
    return 0;
}

static bool is_type(const aws_error *err, const char *type)
{
    return err->status == 400 && strcmp(err->type, type) == 0;
}

/* The input as a client's iterator and NextToken. */
static void read_as_tokens(const uint8_t *data, size_t size)
{
    char *text = strndup((const char *)data, size);
    shard_iterator it;
    aws_error err;
    aws_error_init(&err);
    if (iterator_decode(text, strlen(text), NOW_MS, &it, &err)) {
        char again[ITERATOR_MAX_LEN + 1];
        iterator_encode(&it, again);
        FUZZ_REQUIRE(strcmp(again, text) == 0);
    } else {
        FUZZ_REQUIRE(is_type(&err, "InvalidArgumentException") ||
                     is_type(&err, "ExpiredIteratorException"));
    }
    arena a;
    arena_init(&a);
    aws_error_free(&err);
    if (!next_token_read(&a, text, NOW_MS, &err))
        FUZZ_REQUIRE(is_type(&err, "InvalidArgumentException") ||
                     is_type(&err, "ExpiredNextTokenException"));
    arena_free(&a);
    aws_error_free(&err);
    free(text);
}

/* The input as the fields of an iterator that kinesd issues. */
static void issue_and_read(const uint8_t *data, size_t size)
{
    const uint8_t *p = data;
    size_t left = size;
    shard_iterator in = {0}, out;
    in.stream_uid = fuzz_take_u64(&p, &left);
    in.shard_index = (int)(fuzz_take_u64(&p, &left) & INT32_MAX);
    in.offset = fuzz_take_u64(&p, &left);
    in.issued_ms = (int64_t)fuzz_take_u64(&p, &left);
    size_t name_len = strnlen((const char *)p, left < ITERATOR_NAME_MAX ? left : ITERATOR_NAME_MAX);
    memcpy(in.stream_name, p, name_len);
    char text[ITERATOR_MAX_LEN + 1];
    size_t len = iterator_encode(&in, text);
    aws_error err;
    aws_error_init(&err);
    bool expired = in.issued_ms < NOW_MS - ITERATOR_TTL_MS;
    FUZZ_REQUIRE(iterator_decode(text, len, NOW_MS, &out, &err) == !expired);
    FUZZ_REQUIRE(expired ? is_type(&err, "ExpiredIteratorException") : err.status == 0);
    FUZZ_REQUIRE(expired || (out.stream_uid == in.stream_uid && out.shard_index == in.shard_index &&
                             out.offset == in.offset && out.issued_ms == in.issued_ms &&
                             strcmp(out.stream_name, in.stream_name) == 0));
    aws_error_free(&err);
    if (size > 0 && len > 0) { /* one character changed: never accepted */
        size_t at = data[0] % len;
        text[at] = text[at] == 'A' ? 'B' : 'A';
        FUZZ_REQUIRE(!iterator_decode(text, len, NOW_MS, &out, &err));
        FUZZ_REQUIRE(is_type(&err, "InvalidArgumentException"));
        aws_error_free(&err);
    }
}

/* The input (to its first NUL) as a NextToken payload. */
static void token_round_trip(const uint8_t *data, size_t size)
{
    char *payload = strndup((const char *)data, size);
    arena a;
    arena_init(&a);
    aws_error err;
    aws_error_init(&err);
    const char *token = next_token_make(&a, NOW_MS, payload);
    const char *back = next_token_read(&a, token, NOW_MS + 1000, &err);
    FUZZ_REQUIRE(back && strcmp(back, payload) == 0);
    aws_error_free(&err);
    arena_free(&a);
    free(payload);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_as_tokens(data, size);
    issue_and_read(data, size);
    token_round_trip(data, size);
    return 0;
}
