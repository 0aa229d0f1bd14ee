/* sigv4.c - AWS Signature Version 4 header signing (see sigv4.h).
 *
 * The canonical request is: method, URI-encoded path, sorted canonical query, sorted lower-case
 * headers with trimmed and space-collapsed values (duplicates joined by ','), the signed header
 * list, and the hex SHA-256 of the payload. The derived signing key depends only on (secret, date,
 * region, service), so each thread caches the last one it derived. */
#include "sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "uri.h"

#define SHA256_LEN 32

static void to_hex(const unsigned char *in, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static void sha256_hex(const void *data, size_t n, char out[2 * SHA256_LEN + 1])
{
    unsigned char md[SHA256_LEN];
    unsigned int md_len = 0;
    EVP_Digest(data, n, md, &md_len, EVP_sha256(), NULL);
    to_hex(md, SHA256_LEN, out);
}

static void hmac_sha256(const void *key, size_t key_len, const char *msg, size_t msg_len,
                        unsigned char out[SHA256_LEN])
{
    unsigned int out_len = 0;
    HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)msg, msg_len, out, &out_len);
}

/* ---- canonical query ---------------------------------------------------------------------- */

typedef struct query_param {
    char *key; /* encoded */
    char *value;
} query_param;

static int compare_params(const void *a, const void *b)
{
    const query_param *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->value, y->value);
}

/* Decodes then strictly re-encodes s[0..n), so that "%E1%88%B4" and raw UTF-8 sign alike. */
static char *reencode(const char *s, size_t n)
{
    kbuf raw = KBUF_INIT, enc = KBUF_INIT;
    uri_decode(&raw, s, n);
    uri_encode(&enc, raw.data ? raw.data : "", raw.len, false);
    kbuf_free(&raw);
    if (!enc.data)
        kbuf_puts(&enc, "");
    return kbuf_detach(&enc);
}

static void append_canonical_query(kbuf *out, const char *query)
{
    size_t count = 0, cap = 0;
    query_param *params = NULL;
    for (const char *p = query; p && *p;) {
        const char *end = strchrnul(p, '&');
        const char *eq = memchr(p, '=', (size_t)(end - p));
        if (end > p) {
            if (count == cap) {
                cap = cap ? 2 * cap : 8;
                params = realloc(params, cap * sizeof *params);
                if (!params)
                    abort();
            }
            const char *key_end = eq ? eq : end;
            params[count].key = reencode(p, (size_t)(key_end - p));
            params[count].value = eq ? reencode(eq + 1, (size_t)(end - eq - 1)) : reencode("", 0);
            count++;
        }
        p = *end ? end + 1 : end;
    }
    if (count > 1)
        qsort(params, count, sizeof *params, compare_params);
    for (size_t i = 0; i < count; i++) {
        kbuf_printf(out, "%s%s=%s", i ? "&" : "", params[i].key, params[i].value);
        free(params[i].key);
        free(params[i].value);
    }
    free(params);
}

/* ---- canonical headers -------------------------------------------------------------------- */

typedef struct canon_header {
    char *name;  /* lower case */
    char *value; /* trimmed, whitespace runs collapsed */
    size_t order;
} canon_header;

static int compare_headers(const void *a, const void *b)
{
    const canon_header *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char *canonical_value(const char *v)
{
    kbuf out = KBUF_INIT;
    kbuf_puts(&out, "");
    bool pending_space = false;
    for (; *v; v++) {
        if (is_space(*v)) {
            pending_space = out.len > 0;
            continue;
        }
        if (pending_space)
            kbuf_putc(&out, ' ');
        pending_space = false;
        kbuf_putc(&out, *v);
    }
    return kbuf_detach(&out);
}

static char *lower_name(const char *name)
{
    char *s = strdup(name);
    if (!s)
        abort();
    for (char *p = s; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return s;
}

/* Appends "name:v1,v2\n" lines to `canonical` and "name;name" to `signed_names`. */
static void append_canonical_headers(kbuf *canonical, kbuf *signed_names, const sigv4_request *req)
{
    canon_header *hs = calloc(req->header_count ? req->header_count : 1, sizeof *hs);
    if (!hs)
        abort();
    for (size_t i = 0; i < req->header_count; i++) {
        hs[i].name = lower_name(req->headers[i].name);
        hs[i].value = canonical_value(req->headers[i].value);
        hs[i].order = i;
    }
    qsort(hs, req->header_count, sizeof *hs, compare_headers);
    for (size_t i = 0; i < req->header_count; i++) {
        bool same_as_previous = i > 0 && strcmp(hs[i].name, hs[i - 1].name) == 0;
        if (same_as_previous) {
            kbuf_printf(canonical, ",%s", hs[i].value);
        } else {
            kbuf_printf(canonical, "%s%s:%s", i ? "\n" : "", hs[i].name, hs[i].value);
            kbuf_printf(signed_names, "%s%s", i ? ";" : "", hs[i].name);
        }
    }
    kbuf_putc(canonical, '\n');
    for (size_t i = 0; i < req->header_count; i++) {
        free(hs[i].name);
        free(hs[i].value);
    }
    free(hs);
}

/* ---- signing key cache -------------------------------------------------------------------- */

typedef struct signing_key_cache {
    bool valid;
    char secret[128];
    char date[9];
    char region[32];
    char service[32];
    unsigned char key[SHA256_LEN];
} signing_key_cache;

static _Thread_local signing_key_cache key_cache;

static bool copy_fits(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

static void derive_signing_key(const char *secret, const char *date, const char *region,
                               const char *service, unsigned char key[SHA256_LEN])
{
    kbuf k_secret = KBUF_INIT;
    kbuf_printf(&k_secret, "AWS4%s", secret);
    unsigned char k_date[SHA256_LEN], k_region[SHA256_LEN], k_service[SHA256_LEN];
    hmac_sha256(k_secret.data, k_secret.len, date, strlen(date), k_date);
    hmac_sha256(k_date, SHA256_LEN, region, strlen(region), k_region);
    hmac_sha256(k_region, SHA256_LEN, service, strlen(service), k_service);
    hmac_sha256(k_service, SHA256_LEN, "aws4_request", strlen("aws4_request"), key);
    OPENSSL_cleanse(k_secret.data, k_secret.len);
    kbuf_free(&k_secret);
}

static void signing_key(const char *secret, const char *date, const char *region,
                        const char *service, unsigned char key[SHA256_LEN])
{
    signing_key_cache *c = &key_cache;
    if (c->valid && strcmp(c->secret, secret) == 0 && strcmp(c->date, date) == 0 &&
        strcmp(c->region, region) == 0 && strcmp(c->service, service) == 0) {
        memcpy(key, c->key, SHA256_LEN);
        return;
    }
    derive_signing_key(secret, date, region, service, key);
    c->valid = copy_fits(c->secret, sizeof c->secret, secret) &&
               copy_fits(c->date, sizeof c->date, date) &&
               copy_fits(c->region, sizeof c->region, region) &&
               copy_fits(c->service, sizeof c->service, service);
    memcpy(c->key, key, SHA256_LEN);
}

/* ---- the signature ------------------------------------------------------------------------ */

static void build_canonical_request(const sigv4_request *req, kbuf *out, kbuf *signed_names)
{
    char payload_hash[2 * SHA256_LEN + 1];
    sha256_hex(req->payload ? req->payload : "", req->payload_len, payload_hash);
    kbuf_printf(out, "%s\n", req->method);
    uri_encode(out, req->path, strlen(req->path), true);
    kbuf_putc(out, '\n');
    append_canonical_query(out, req->query);
    kbuf_putc(out, '\n');
    append_canonical_headers(out, signed_names, req);
    kbuf_printf(out, "\n%s\n%s", signed_names->data, payload_hash);
}

void sigv4_sign(const sigv4_request *req, const sigv4_credentials *creds, const char *region,
                const char *service, const char *amz_date, kbuf *authorization,
                kbuf *canonical_request, kbuf *string_to_sign)
{
    char date[9]; /* the first 8 characters (a verifier's amz_date comes from the client) */
    size_t date_len = strnlen(amz_date, 8);
    memcpy(date, amz_date, date_len);
    date[date_len] = '\0';

    kbuf canonical = KBUF_INIT, signed_names = KBUF_INIT, to_sign = KBUF_INIT;
    kbuf_puts(&signed_names, "");
    build_canonical_request(req, &canonical, &signed_names);
    char canonical_hash[2 * SHA256_LEN + 1];
    sha256_hex(canonical.data, canonical.len, canonical_hash);
    kbuf_printf(&to_sign, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s", amz_date, date, region,
                service, canonical_hash);

    unsigned char key[SHA256_LEN], sig[SHA256_LEN];
    char sig_hex[2 * SHA256_LEN + 1];
    signing_key(creds->secret_access_key, date, region, service, key);
    hmac_sha256(key, SHA256_LEN, to_sign.data, to_sign.len, sig);
    to_hex(sig, SHA256_LEN, sig_hex);

    kbuf_printf(authorization,
                "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, "
                "Signature=%s",
                creds->access_key_id, date, region, service, signed_names.data, sig_hex);
    if (canonical_request)
        kbuf_append(canonical_request, canonical.data, canonical.len);
    if (string_to_sign)
        kbuf_append(string_to_sign, to_sign.data, to_sign.len);
    kbuf_free(&canonical);
    kbuf_free(&signed_names);
    kbuf_free(&to_sign);
}

void sigv4_amz_date_now(char out[17])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}
