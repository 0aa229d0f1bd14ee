/* fuzz_core_caller.c - the SigV4 credential scope as kinesd reads it (src/core/caller.c), from the
 * Authorization header or a presigned URL: which account and region a request is for, or AWS's
 * error for a scope that is missing, incomplete, doubled or scoped to a malformed region.
 *
 * Input: a flags byte (bit 0: an X-Amz-Date header, bit 1: a Date header, bit 2: no
 * Authorization header), then the URL up to a NUL (its query may hold presigned X-Amz-*
 * parameters), then the Authorization header's value.
 * Properties: an accepted scope gives an open-mode caller with a 12-digit account and a region that
 * is a plain word list (letters, digits, '_' and '-': nothing that could change the meaning of an
 * ARN built from it); a refused one has one of AWS's types, 403 only for a region refused. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/caller.h"
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
    bool invalid = strcmp(err->type, "InvalidSignatureException") == 0;
    FUZZ_REQUIRE(missing || incomplete || invalid);
    FUZZ_REQUIRE(err->status == 400 || (invalid && err->status == 403));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *rest = (const char *)data + 1;
    size_t rest_len = size - 1, url_len = strnlen(rest, rest_len);
    char *url = strndup(rest, url_len);
    char *auth =
        url_len < rest_len ? strndup(rest + url_len + 1, rest_len - url_len - 1) : strdup("");
    http_header headers[3];
    size_t count = 0;
    if (!(data[0] & 4))
        headers[count++] = (http_header){"authorization", auth};
    if (data[0] & 1)
        headers[count++] = (http_header){"x-amz-date", "20250101T000000Z"};
    if (data[0] & 2)
        headers[count++] = (http_header){"date", "Wed, 01 Jan 2025 00:00:00 GMT"};
    http_request req = {.method = "POST", .url = url, .headers = headers, .header_count = count};
    auth_scope scope;
    aws_error err;
    aws_error_init(&err);
    if (caller_scope(&req, &scope, &err)) {
        caller who;
        caller_open(&scope, &who);
        FUZZ_REQUIRE(err.status == 0);
        FUZZ_REQUIRE(strlen(who.account) == 12 && all_of(who.account, "", false));
        FUZZ_REQUIRE(who.region[0] && all_of(who.region, "-_", true));
    } else {
        check_refusal(&err);
    }
    aws_error_free(&err);
    free(url);
    free(auth);
    return 0;
}
