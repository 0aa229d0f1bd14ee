/* fuzz_auth_sigv4.c - SigV4 canonicalisation and signing (src/auth), as a verifier will run them
 * on what clients send: any method, path, query, headers, dates and scope.
 *
 * Input: NUL-separated strings: method, path, query, region, service, X-Amz-Date, secret; a byte
 * giving the number of headers (up to 8) and that many name/value pairs; the rest is the payload.
 * Properties:
 *   - signing twice (the second time with the cached signing key) gives the same header, which
 *     names the scope and carries a 64-digit hex signature; the canonical request ends with the
 *     payload's hash;
 *   - path normalisation gives an absolute path with no empty, "." or ".." segment, and is
 *     idempotent;
 *   - percent-decoding undoes percent-encoding, byte for byte. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sigv4.h"
#include "auth/uri.h"
#include "fuzz_check.h"

#define MAX_HEADERS 8

enum { METHOD, PATH, QUERY, REGION, SERVICE, DATE, SECRET, FIELDS };

typedef struct sign_input {
    kbuf strings; /* every field, NUL-terminated */
    size_t field[FIELDS];
    size_t header[2 * MAX_HEADERS];
    size_t header_count;
    const uint8_t *payload;
    size_t payload_len;
} sign_input;

/* Appends the next NUL-terminated string of data (the rest when there is no NUL) to strings;
 * returns its offset there. */
static size_t take_string(const uint8_t *data, size_t size, size_t *at, kbuf *strings)
{
    size_t offset = strings->len, left = size - *at;
    const uint8_t *start = data + *at, *nul = memchr(start, 0, left);
    size_t len = nul ? (size_t)(nul - start) : left;
    kbuf_append(strings, start, len);
    kbuf_putc(strings, '\0');
    *at += len + (nul ? 1 : 0);
    return offset;
}

static void read_input(const uint8_t *data, size_t size, sign_input *in)
{
    size_t at = 0;
    kbuf_init(&in->strings);
    for (int i = 0; i < FIELDS; i++)
        in->field[i] = take_string(data, size, &at, &in->strings);
    in->header_count = at < size ? data[at++] % (MAX_HEADERS + 1) : 0;
    for (size_t i = 0; i < 2 * in->header_count; i++)
        in->header[i] = take_string(data, size, &at, &in->strings);
    in->payload = data + at;
    in->payload_len = size - at;
}

static const char *field(const sign_input *in, int i)
{
    return in->strings.data + in->field[i];
}

static void sign(const sign_input *in, kbuf *auth, kbuf *canonical)
{
    sigv4_header headers[MAX_HEADERS];
    for (size_t i = 0; i < in->header_count; i++) {
        headers[i].name = in->strings.data + in->header[2 * i];
        headers[i].value = in->strings.data + in->header[2 * i + 1];
    }
    sigv4_request req = {field(in, METHOD), field(in, PATH), field(in, QUERY), headers,
                         in->header_count,  in->payload,     in->payload_len};
    sigv4_credentials creds = {"AKIDEXAMPLE", field(in, SECRET), NULL};
    sigv4_sign(&req, &creds, field(in, REGION), field(in, SERVICE), field(in, DATE), auth,
               canonical, NULL);
}

static void check_signature(const sign_input *in)
{
    kbuf auth = KBUF_INIT, again = KBUF_INIT, canonical = KBUF_INIT;
    sign(in, &auth, &canonical);
    sign(in, &again, NULL);
    FUZZ_REQUIRE(auth.len == again.len && memcmp(auth.data, again.data, auth.len) == 0);
    kbuf scope = KBUF_INIT;
    kbuf_printf(&scope, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/%.8s/%s/%s/aws4_request, ",
                field(in, DATE), field(in, REGION), field(in, SERVICE));
    FUZZ_REQUIRE(strncmp(auth.data, scope.data, scope.len) == 0);
    kbuf_free(&scope);
    const char *sig = auth.data + auth.len - 76; /* ", Signature=" and 64 hex digits end it */
    FUZZ_REQUIRE(auth.len > 76 && strncmp(sig, ", Signature=", 12) == 0 &&
                 strspn(sig + 12, "0123456789abcdef") == 64);
    FUZZ_REQUIRE(canonical.len >= 65 && canonical.data[canonical.len - 65] == '\n');
    kbuf_free(&auth);
    kbuf_free(&again);
    kbuf_free(&canonical);
}

static void check_normalized(const char *path)
{
    kbuf once = KBUF_INIT, twice = KBUF_INIT;
    uri_normalize_path(&once, path);
    FUZZ_REQUIRE(once.len > 0 && once.data[0] == '/');
    FUZZ_REQUIRE(!strstr(once.data, "//") && !strstr(once.data, "/./") &&
                 !strstr(once.data, "/../"));
    uri_normalize_path(&twice, once.data);
    FUZZ_REQUIRE(strcmp(once.data, twice.data) == 0);
    kbuf_free(&once);
    kbuf_free(&twice);
}

static void check_encoding(const uint8_t *data, size_t size)
{
    for (int keep_slash = 0; keep_slash <= 1; keep_slash++) {
        kbuf encoded = KBUF_INIT, decoded = KBUF_INIT;
        uri_encode(&encoded, (const char *)data, size, keep_slash);
        uri_decode(&decoded, encoded.data ? encoded.data : "", encoded.len);
        FUZZ_REQUIRE(decoded.len == size && (size == 0 || memcmp(decoded.data, data, size) == 0));
        kbuf_free(&encoded);
        kbuf_free(&decoded);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sign_input in;
    read_input(data, size, &in);
    check_signature(&in);
    check_normalized(field(&in, PATH));
    check_encoding(data, size);
    kbuf_free(&in.strings);
    return 0;
}
