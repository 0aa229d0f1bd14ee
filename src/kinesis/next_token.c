/* next_token.c - encoding and checking NextToken values (see next_token.h). */
#include "next_token.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../common/base64.h"
#include "../common/buf.h"

/* The wall clock may step back a little between issuing and reading a token. */
#define NEXT_TOKEN_CLOCK_SLACK_MS 1000

const char *next_token_make(arena *a, int64_t now_ms, const char *payload)
{
    kbuf plain = KBUF_INIT;
    kbuf_printf(&plain, "%" PRId64 ":%s", now_ms, payload);
    char *token = arena_alloc(a, base64_encoded_len(plain.len) + 1);
    base64_encode(plain.data, plain.len, token);
    kbuf_free(&plain);
    return token;
}

static const char *invalid(const char *token, aws_error *err)
{
    aws_error_set(err, 400, "InvalidArgumentException", "Invalid NextToken: ");
    aws_error_quote(&err->message, token, strlen(token)); /* a token may have 1 MiB */
    return NULL;
}

const char *next_token_read(arena *a, const char *token, int64_t now_ms, aws_error *err)
{
    size_t len = strlen(token), plain_len;
    char *plain = arena_alloc(a, len / 4 * 3 + 1);
    if (!base64_decode(token, len, plain, &plain_len))
        return invalid(token, err);
    plain[plain_len] = '\0';
    if (strlen(plain) != plain_len)
        return invalid(token, err);
    char *end;
    long long issued = strtoll(plain, &end, 10);
    if (end == plain || *end != ':' || issued > now_ms + NEXT_TOKEN_CLOCK_SLACK_MS)
        return invalid(token, err);
    if (issued < now_ms - NEXT_TOKEN_TTL_MS) { /* issued is the client's: never subtracted */
        aws_error_set(err, 400, "ExpiredNextTokenException", "The NextToken has expired.");
        return NULL;
    }
    return end + 1;
}
