/* session.c - session tokens: base64 of the claims ("v1\nKEY\nSECRET\nACCOUNT\nUSER\nEXPIRES",
 * then "\nROLE\nROLEID\nSESSION" for role sessions; tokens without them read as no role)
 * sealed with AES-256-GCM under the master key (see session.h). */
#include "session.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/base64.h"

#define SESSION_AAD "kinesd session token v1"
#define MAX_TOKEN_LEN 2048

void session_issue(const masterkey *mk, session_claims *c, kbuf *token)
{
    state_random_id(c->access_key, "ASIA", IAM_KEY_ID_LEN - 4, true);
    state_random_secret(c->secret);
    kbuf plain = KBUF_INIT, sealed = KBUF_INIT;
    kbuf_printf(&plain, "v1\n%s\n%s\n%s\n%s\n%" PRId64 "\n%s\n%s\n%s", c->access_key, c->secret,
                c->account, c->user, c->expires_ms, c->role, c->role_id, c->session);
    masterkey_seal(mk, plain.data, plain.len, SESSION_AAD, &sealed);
    size_t n = base64_encoded_len(sealed.len);
    kbuf_reserve(token, n);
    base64_encode(sealed.data, sealed.len, token->data + token->len);
    token->len += n;
    token->data[token->len] = '\0';
    memset(plain.data, 0, plain.len);
    kbuf_free(&plain);
    kbuf_free(&sealed);
}

/* Copies the next '\n'-ended field of *p into dst; false when it does not fit. */
static bool next_field(char **p, char *dst, size_t cap)
{
    char *end = strchr(*p, '\n');
    size_t n = end ? (size_t)(end - *p) : strlen(*p);
    if (n >= cap)
        return false;
    memcpy(dst, *p, n);
    dst[n] = '\0';
    *p += n + (end ? 1 : 0);
    return true;
}

bool session_open(const masterkey *mk, const char *token, session_claims *out)
{
    size_t n = strlen(token), len = 0;
    if (n == 0 || n > MAX_TOKEN_LEN)
        return false;
    unsigned char *sealed = malloc(n / 4 * 3 + 1);
    kbuf plain = KBUF_INIT;
    bool ok = sealed && base64_decode(token, n, sealed, &len) &&
              masterkey_open(mk, sealed, len, SESSION_AAD, &plain);
    free(sealed);
    char version[4], expires[24];
    char *p = plain.data;
    ok = ok && next_field(&p, version, sizeof version) && strcmp(version, "v1") == 0 &&
         next_field(&p, out->access_key, sizeof out->access_key) &&
         next_field(&p, out->secret, sizeof out->secret) &&
         next_field(&p, out->account, sizeof out->account) &&
         next_field(&p, out->user, sizeof out->user) && next_field(&p, expires, sizeof expires) &&
         next_field(&p, out->role, sizeof out->role) &&
         next_field(&p, out->role_id, sizeof out->role_id) &&
         next_field(&p, out->session, sizeof out->session);
    if (ok)
        out->expires_ms = strtoll(expires, NULL, 10);
    if (plain.data)
        memset(plain.data, 0, plain.len);
    kbuf_free(&plain);
    return ok;
}
