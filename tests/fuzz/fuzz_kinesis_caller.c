/* fuzz_kinesis_caller.c - the Authorization header as kinesd reads it (caller.c): which account and
 * region a request is for, or AWS's error for a header that is missing, incomplete or scoped to a
 * malformed region.
 *
 * Input: the first byte says whether X-Amz-Date and Date headers are present (bits 0 and 1); the
 * rest, up to a NUL, is the Authorization header's value (absent when the byte's bit 2 is set).
 * Properties: an accepted caller has a 12-digit account and a region that is a plain word list
 * (letters, digits, '_' and '-': nothing that could change the meaning of an ARN built from it);
 * a refused one has AWS's status and type for the case. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinesis/caller.h"
#include "fuzz_check.h"

static bool all_of(const char *s, const char *allowed_punct, bool letters)
{
    for (; *s; s++)
        if (!isdigit((unsigned char)*s) && !(letters && isalpha((unsigned char)*s)) &&
            !strchr(allowed_punct, *s))
            return false;
    return true;
}

static void check_refusal(const aws_error *err)
{
    bool missing = strcmp(err->type, "MissingAuthenticationTokenException") == 0;
    bool incomplete = strcmp(err->type, "IncompleteSignatureException") == 0;
    bool region = strcmp(err->type, "InvalidSignatureException") == 0;
    FUZZ_REQUIRE((missing || incomplete) ? err->status == 400 : region && err->status == 403);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char *auth = strndup((const char *)data + 1, size - 1);
    http_header headers[3];
    size_t count = 0;
    if (!(data[0] & 4))
        headers[count++] = (http_header){"authorization", auth};
    if (data[0] & 1)
        headers[count++] = (http_header){"x-amz-date", "20250101T000000Z"};
    if (data[0] & 2)
        headers[count++] = (http_header){"date", "Wed, 01 Jan 2025 00:00:00 GMT"};
    http_request req = {.method = "POST", .url = "/", .headers = headers, .header_count = count};
    caller who;
    aws_error err;
    aws_error_init(&err);
    if (caller_identify(&req, &who, &err)) {
        FUZZ_REQUIRE(err.status == 0);
        FUZZ_REQUIRE(strlen(who.account) == 12 && all_of(who.account, "", false));
        FUZZ_REQUIRE(who.region[0] && all_of(who.region, "-_", true));
    } else {
        check_refusal(&err);
    }
    aws_error_free(&err);
    free(auth);
    return 0;
}
