/* sigv4_verify.c - reading a request's SigV4 claim and checking its signature (see
 * sigv4_verify.h). The canonical request is built by the signer's own code (sigv4.c). */
#include "sigv4_verify.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "uri.h"

#define MAX_SIGNED_HEADERS 32

static const char *header_value(const sigv4_incoming *req, const char *name)
{
    for (size_t i = 0; i < req->header_count; i++)
        if (strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    return NULL;
}

static bool copy_text(char *dst, size_t cap, const char *src, size_t n)
{
    if (n == 0 || n >= cap)
        return false;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return true;
}

/* ---- dates --------------------------------------------------------------------------------- */

int64_t sigv4_amz_date_seconds(const char *amz_date)
{
    struct tm tm = {0};
    const char *end = amz_date ? strptime(amz_date, "%Y%m%dT%H%M%SZ", &tm) : NULL;
    if (!end || *end || strlen(amz_date) != 16)
        return -1;
    return (int64_t)timegm(&tm);
}

void sigv4_amz_date_format(int64_t seconds, char out[17])
{
    time_t t = (time_t)seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* X-Amz-Date, else the Date header (RFC 7231) converted. */
static bool header_date(const sigv4_incoming *req, char out[17])
{
    const char *amz = header_value(req, "x-amz-date");
    if (amz)
        return copy_text(out, 17, amz, strlen(amz)) && sigv4_amz_date_seconds(out) >= 0;
    const char *date = header_value(req, "date");
    struct tm tm = {0};
    const char *end = date ? strptime(date, "%a, %d %b %Y %H:%M:%S GMT", &tm) : NULL;
    if (!end || *end)
        return false;
    sigv4_amz_date_format((int64_t)timegm(&tm), out);
    return true;
}

/* ---- the claim in the Authorization header ------------------------------------------------- */

/* The value of "name=" in the Authorization header, up to ',' or a space. */
static bool auth_param(const char *auth, const char *name, char *out, size_t cap)
{
    size_t nlen = strlen(name);
    for (const char *p = auth; (p = strstr(p, name)) != NULL; p += nlen) {
        bool starts = p == auth || p[-1] == ' ' || p[-1] == ',';
        if (starts && p[nlen] == '=')
            return copy_text(out, cap, p + nlen + 1, strcspn(p + nlen + 1, ", "));
    }
    return false;
}

/* "AKID/DATE/REGION/SERVICE/aws4_request" into the claim. */
static bool read_credential(const char *credential, sigv4_claim *claim)
{
    char tail[16];
    int n = sscanf(credential, "%128[^/]/%8[^/]/%31[^/]/%31[^/]/%15s", claim->access_key,
                   claim->date, claim->region, claim->service, tail);
    return n == 5 && strcmp(tail, "aws4_request") == 0;
}

static sigv4_result read_header_claim(const sigv4_incoming *req, const char *auth,
                                      sigv4_claim *claim)
{
    char credential[512];
    if (strncmp(auth, "AWS4-HMAC-SHA256 ", 17) != 0 ||
        !auth_param(auth, "Credential", credential, sizeof credential) ||
        !read_credential(credential, claim) ||
        !auth_param(auth, "SignedHeaders", claim->signed_headers, sizeof claim->signed_headers) ||
        !auth_param(auth, "Signature", claim->signature, sizeof claim->signature) ||
        !header_date(req, claim->amz_date))
        return SIGV4_MALFORMED;
    claim->session_token = header_value(req, "x-amz-security-token");
    return SIGV4_OK;
}

/* ---- the claim in a presigned query -------------------------------------------------------- */

/* The decoded value of query parameter `name` into out; false when absent. */
static bool query_param(const char *query, const char *name, kbuf *out)
{
    size_t nlen = strlen(name);
    for (const char *p = query; p && *p;) {
        const char *end = strchrnul(p, '&');
        if ((size_t)(end - p) > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
            kbuf_reset(out);
            uri_decode(out, p + nlen + 1, (size_t)(end - p - nlen - 1));
            kbuf_puts(out, "");
            return true;
        }
        p = *end ? end + 1 : end;
    }
    return false;
}

static bool query_text(const char *query, const char *name, char *dst, size_t cap)
{
    kbuf v = KBUF_INIT;
    bool ok = query_param(query, name, &v) && copy_text(dst, cap, v.data, v.len);
    kbuf_free(&v);
    return ok;
}

static sigv4_result read_query_claim(const char *query, sigv4_claim *claim, kbuf *scratch)
{
    char algorithm[32], credential[512], expires[16];
    if (!query_text(query, "X-Amz-Algorithm", algorithm, sizeof algorithm) ||
        strcmp(algorithm, "AWS4-HMAC-SHA256") != 0 ||
        !query_text(query, "X-Amz-Credential", credential, sizeof credential) ||
        !read_credential(credential, claim) ||
        !query_text(query, "X-Amz-Date", claim->amz_date, sizeof claim->amz_date) ||
        sigv4_amz_date_seconds(claim->amz_date) < 0 ||
        !query_text(query, "X-Amz-SignedHeaders", claim->signed_headers,
                    sizeof claim->signed_headers) ||
        !query_text(query, "X-Amz-Signature", claim->signature, sizeof claim->signature) ||
        !query_text(query, "X-Amz-Expires", expires, sizeof expires))
        return SIGV4_MALFORMED;
    char *end;
    claim->expires_s = strtoll(expires, &end, 10);
    if (*end || claim->expires_s <= 0)
        return SIGV4_MALFORMED;
    claim->presigned = true;
    if (query_param(query, "X-Amz-Security-Token", scratch))
        claim->session_token = scratch->data;
    return SIGV4_OK;
}

sigv4_result sigv4_claim_read(const sigv4_incoming *req, sigv4_claim *claim, kbuf *scratch)
{
    memset(claim, 0, sizeof *claim);
    const char *auth = header_value(req, "authorization");
    if (auth)
        return read_header_claim(req, auth, claim);
    const char *query = strchr(req->url, '?');
    return query ? read_query_claim(query + 1, claim, scratch) : SIGV4_MALFORMED;
}

/* ---- the signature ------------------------------------------------------------------------- */

/* The query string without its X-Amz-Signature parameter (presigned requests sign the rest),
 * and without X-Amz-Security-Token when `drop_token`. */
static void unsigned_query(const char *query, bool drop_token, kbuf *out)
{
    kbuf_reset(out);
    kbuf_puts(out, "");
    for (const char *p = query; *p;) {
        const char *end = strchrnul(p, '&');
        bool dropped = strncmp(p, "X-Amz-Signature=", 16) == 0 ||
                       (drop_token && strncmp(p, "X-Amz-Security-Token=", 21) == 0);
        if (!dropped && end > p)
            kbuf_printf(out, "%s%.*s", out->len ? "&" : "", (int)(end - p), p);
        p = *end ? end + 1 : end;
    }
}

/* The signed headers as the signer saw them, in `out` (at most MAX_SIGNED_HEADERS); false when
 * one is absent or host is not signed. */
static sigv4_result signed_headers(const sigv4_incoming *req, const char *names, char *copy,
                                   sigv4_header *out, size_t *count)
{
    bool host = false;
    *count = 0;
    strcpy(copy, names);
    for (char *save = NULL, *name = strtok_r(copy, ";", &save); name;
         name = strtok_r(NULL, ";", &save)) {
        size_t before = *count;
        for (size_t i = 0; i < req->header_count && *count < MAX_SIGNED_HEADERS; i++)
            if (strcasecmp(req->headers[i].name, name) == 0)
                out[(*count)++] = (sigv4_header){name, req->headers[i].value};
        if (*count == before)
            return SIGV4_MISMATCH;
        host = host || strcmp(name, "host") == 0;
    }
    return host ? SIGV4_OK : SIGV4_HOST_NOT_SIGNED;
}

/* Whether the signature matches for this query string. */
static bool matches(const sigv4_incoming *req, const sigv4_claim *claim, const char *secret,
                    const char *path, const char *query, const sigv4_header *headers, size_t count,
                    const char *payload_hash)
{
    sigv4_request canon = {req->method, path, query, headers, count, req->body, req->body_len};
    kbuf canonical = KBUF_INIT, names_out = KBUF_INIT, to_sign = KBUF_INIT;
    sigv4_canonical_request(&canon, payload_hash, &canonical, &names_out);
    sigv4_string_to_sign(&canonical, claim->amz_date, claim->region, claim->service, &to_sign);
    char expected[65];
    sigv4_signature(secret, claim->amz_date, claim->region, claim->service, &to_sign, expected);
    kbuf_free(&canonical), kbuf_free(&names_out), kbuf_free(&to_sign);
    return strlen(claim->signature) == 64 && CRYPTO_memcmp(expected, claim->signature, 64) == 0;
}

sigv4_result sigv4_verify(const sigv4_incoming *req, const sigv4_claim *claim, const char *secret)
{
    sigv4_header headers[MAX_SIGNED_HEADERS];
    size_t count;
    char names[sizeof claim->signed_headers], payload_hash[65];
    sigv4_result rc = signed_headers(req, claim->signed_headers, names, headers, &count);
    if (rc != SIGV4_OK)
        return rc;
    sigv4_payload_hash(req->body, req->body_len, payload_hash);
    const char *claimed_hash = header_value(req, "x-amz-content-sha256");
    if (claimed_hash && strcmp(claimed_hash, payload_hash) != 0)
        return SIGV4_PAYLOAD_MISMATCH;

    const char *q = strchr(req->url, '?');
    kbuf raw_path = KBUF_INIT, path = KBUF_INIT, query = KBUF_INIT;
    kbuf_append(&raw_path, req->url, q ? (size_t)(q - req->url) : strlen(req->url));
    kbuf_puts(&raw_path, "");
    if (req->path_as_sent)
        kbuf_puts(&path, raw_path.data);
    else
        uri_normalize_path(&path, raw_path.data);
    if (claim->presigned)
        unsigned_query(q + 1, false, &query);
    else
        kbuf_puts(&query, q ? q + 1 : "");
    bool same = matches(req, claim, secret, path.data, query.data, headers, count, payload_hash);
    if (!same && claim->presigned && claim->session_token) {
        unsigned_query(q + 1, true, &query);
        same = matches(req, claim, secret, path.data, query.data, headers, count, payload_hash);
    }
    kbuf_free(&raw_path), kbuf_free(&path), kbuf_free(&query);
    return same ? SIGV4_OK : SIGV4_MISMATCH;
}
