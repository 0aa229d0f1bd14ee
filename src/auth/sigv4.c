/* sigv4.c - AWS Signature Version 4: canonical requests, strings to sign, signatures (see
 * sigv4.h); the signer's and the verifier's common ground.
 *
 * The canonical request is: method, URI-encoded path, sorted canonical query, sorted lower-case
 * headers with trimmed and space-collapsed values (duplicates joined by ','), the signed header
 * list, and the hex SHA-256 of the payload. The derived signing key depends only on (secret, date,
 * region, service), so each thread caches the few it derived last. */
#include "sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../common/oom.h"
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
                query_param *grown = realloc(params, cap * sizeof *params);
                if (!grown) {
                    oom_failed(); /* libkines: the signature is given up */
                    kbuf_mark_failed(out);
                    break;
                }
                params = grown;
            }
            const char *key_end = eq ? eq : end;
            params[count].key = reencode(p, (size_t)(key_end - p));
            params[count].value = eq ? reencode(eq + 1, (size_t)(end - eq - 1)) : reencode("", 0);
            count++;
        }
        p = *end ? end + 1 : end;
    }
    for (size_t i = 0; i < count; i++)
        if (!params[i].key || !params[i].value)
            kbuf_mark_failed(out);
    if (count > 1 && !kbuf_failed(out))
        qsort(params, count, sizeof *params, compare_params);
    for (size_t i = 0; i < count; i++) {
        if (!kbuf_failed(out))
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
    if (!s) {
        oom_failed();
        return NULL;
    }
    for (char *p = s; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return s;
}

/* Appends "name:v1,v2\n" lines to `canonical` and "name;name" to `signed_names`. */
static void append_canonical_headers(kbuf *canonical, kbuf *signed_names, const sigv4_request *req)
{
    canon_header *hs = calloc(req->header_count ? req->header_count : 1, sizeof *hs);
    if (!hs) {
        oom_failed(); /* libkines: the signature is given up */
        kbuf_mark_failed(canonical);
        return;
    }
    for (size_t i = 0; i < req->header_count; i++) {
        hs[i].name = lower_name(req->headers[i].name);
        hs[i].value = canonical_value(req->headers[i].value);
        hs[i].order = i;
        if (!hs[i].name || !hs[i].value)
            kbuf_mark_failed(canonical);
    }
    if (!kbuf_failed(canonical))
        qsort(hs, req->header_count, sizeof *hs, compare_headers);
    for (size_t i = 0; i < req->header_count && !kbuf_failed(canonical); i++) {
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

#define KEY_CACHE_SLOTS 8

/* A derived key for (secret, date, region, service); a signer uses one or two, a verifier one
 * per access key in recent use, so each thread keeps a few and replaces them in turn. */
typedef struct signing_key_slot {
    bool valid;
    char secret[128];
    char date[9];
    char region[32];
    char service[32];
    unsigned char key[SHA256_LEN];
} signing_key_slot;

typedef struct signing_key_cache {
    signing_key_slot slots[KEY_CACHE_SLOTS];
    unsigned next; /* the slot the next new key replaces */
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

/* False when memory was out (libkines): then key is not the signing key. */
static bool derive_signing_key(const char *secret, const char *date, const char *region,
                               const char *service, unsigned char key[SHA256_LEN])
{
    kbuf k_secret = KBUF_INIT;
    kbuf_printf(&k_secret, "AWS4%s", secret);
    if (kbuf_failed(&k_secret))
        return false;
    unsigned char k_date[SHA256_LEN], k_region[SHA256_LEN], k_service[SHA256_LEN];
    hmac_sha256(k_secret.data, k_secret.len, date, strlen(date), k_date);
    hmac_sha256(k_date, SHA256_LEN, region, strlen(region), k_region);
    hmac_sha256(k_region, SHA256_LEN, service, strlen(service), k_service);
    hmac_sha256(k_service, SHA256_LEN, "aws4_request", strlen("aws4_request"), key);
    OPENSSL_cleanse(k_secret.data, k_secret.len);
    kbuf_free(&k_secret);
    return true;
}

static bool slot_matches(const signing_key_slot *s, const char *secret, const char *date,
                         const char *region, const char *service)
{
    return s->valid && strcmp(s->secret, secret) == 0 && strcmp(s->date, date) == 0 &&
           strcmp(s->region, region) == 0 && strcmp(s->service, service) == 0;
}

static bool signing_key(const char *secret, const char *date, const char *region,
                        const char *service, unsigned char key[SHA256_LEN])
{
    signing_key_cache *c = &key_cache;
    for (int i = 0; i < KEY_CACHE_SLOTS; i++) {
        if (slot_matches(&c->slots[i], secret, date, region, service)) {
            memcpy(key, c->slots[i].key, SHA256_LEN);
            return true;
        }
    }
    if (!derive_signing_key(secret, date, region, service, key))
        return false;
    signing_key_slot *s = &c->slots[c->next++ % KEY_CACHE_SLOTS];
    s->valid = copy_fits(s->secret, sizeof s->secret, secret) &&
               copy_fits(s->date, sizeof s->date, date) &&
               copy_fits(s->region, sizeof s->region, region) &&
               copy_fits(s->service, sizeof s->service, service);
    memcpy(s->key, key, SHA256_LEN);
    return true;
}

/* ---- the signature ------------------------------------------------------------------------ */

void sigv4_canonical_request(const sigv4_request *req, const char *payload_hash, kbuf *out,
                             kbuf *signed_names)
{
    char computed[2 * SHA256_LEN + 1];
    if (!payload_hash) {
        sha256_hex(req->payload ? req->payload : "", req->payload_len, computed);
        payload_hash = computed;
    }
    kbuf_puts(signed_names, "");
    kbuf_printf(out, "%s\n", req->method);
    uri_encode(out, req->path, strlen(req->path), true);
    kbuf_putc(out, '\n');
    append_canonical_query(out, req->query);
    kbuf_putc(out, '\n');
    append_canonical_headers(out, signed_names, req);
    kbuf_printf(out, "\n%s\n%s", signed_names->data, payload_hash);
}

void sigv4_string_to_sign(const kbuf *canonical, const char *amz_date, const char *region,
                          const char *service, kbuf *out)
{
    char canonical_hash[2 * SHA256_LEN + 1];
    sha256_hex(canonical->data ? canonical->data : "", canonical->len, canonical_hash);
    kbuf_printf(out, "AWS4-HMAC-SHA256\n%s\n%.8s/%s/%s/aws4_request\n%s", amz_date, amz_date,
                region, service, canonical_hash);
}

bool sigv4_signature(const char *secret, const char *amz_date, const char *region,
                     const char *service, const kbuf *string_to_sign, char hex[2 * SHA256_LEN + 1])
{
    char date[9];
    snprintf(date, sizeof date, "%.8s", amz_date);
    unsigned char key[SHA256_LEN], sig[SHA256_LEN];
    bool ok = signing_key(secret, date, region, service, key);
    hmac_sha256(key, SHA256_LEN, string_to_sign->data, string_to_sign->len, sig);
    to_hex(sig, SHA256_LEN, hex);
    return ok;
}

void sigv4_payload_hash(const void *payload, size_t len, char hex[2 * SHA256_LEN + 1])
{
    sha256_hex(payload ? payload : "", len, hex);
}

void sigv4_sign(const sigv4_request *req, const sigv4_credentials *creds, const char *region,
                const char *service, const char *amz_date, kbuf *authorization,
                kbuf *canonical_request, kbuf *string_to_sign)
{
    kbuf canonical = KBUF_INIT, signed_names = KBUF_INIT, to_sign = KBUF_INIT;
    sigv4_canonical_request(req, NULL, &canonical, &signed_names);
    sigv4_string_to_sign(&canonical, amz_date, region, service, &to_sign);
    char sig_hex[2 * SHA256_LEN + 1];
    if (!sigv4_signature(creds->secret_access_key, amz_date, region, service, &to_sign, sig_hex) ||
        kbuf_failed(&canonical) || kbuf_failed(&signed_names) || kbuf_failed(&to_sign))
        kbuf_mark_failed(authorization); /* libkines, out of memory: no signature */
    kbuf_printf(authorization,
                "AWS4-HMAC-SHA256 Credential=%s/%.8s/%s/%s/aws4_request, SignedHeaders=%s, "
                "Signature=%s",
                creds->access_key_id, amz_date, region, service, signed_names.data, sig_hex);
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
