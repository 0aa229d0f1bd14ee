/* next_token.h - the opaque NextToken of ListStreams and ListShards.
 *
 * A token is the base64 of "<issued_ms>:<payload>"; the payload says where the listing goes on.
 * Like AWS's, a token expires 300 seconds after it was issued. */
#ifndef KINESD_NEXT_TOKEN_H
#define KINESD_NEXT_TOKEN_H

#include <stdint.h>

#include "../common/arena.h"
#include "../protocol/awserr.h"

#define NEXT_TOKEN_TTL_MS (300 * 1000)

const char *next_token_make(arena *a, int64_t now_ms, const char *payload);

/* The payload of a token, or NULL with err set: InvalidArgumentException when it is not a token
 * kinesd issued, ExpiredNextTokenException when it is too old. */
const char *next_token_read(arena *a, const char *token, int64_t now_ms, aws_error *err);

#endif
