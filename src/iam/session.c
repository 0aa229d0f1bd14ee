/* session.c - session tokens: base64 of the claims ("v1\nKEY\nSECRET\nACCOUNT\nUSER\nEXPIRES",
 * then "\nROLE\nROLEID\nSESSION" for role sessions; tokens without them read as no role)
 * sealed with AES-256-GCM under the master key (see session.h). A session with session policies
 * is "v2": the v1 fields, then "\nN", N lines of managed policy ARNs and "\n" with the inline
 * policy as the rest of the text. A kinesd that knows only v1 refuses it rather than ignore its
 * policies; every v1 token still opens (as a session without session policies). */
#include "session.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/base64.h"

#define SESSION_AAD "kinesd session token v1"
#define MAX_TOKEN_LEN 8192 /* the longest token issued is about 6000 characters */

/* The session policies of a v2 token: "\nN", the N ARNs each after a "\n", "\n" and the inline
 * policy. */
static void write_policies(const session_claims *c, kbuf *plain)
{
    size_t n = 0;
    for (const char *p = c->policy_arns; *p; p++)
        n += *p == '\n';
    kbuf_printf(plain, "\n%zu", c->policy_arns[0] ? n + 1 : 0);
    if (c->policy_arns[0])
        kbuf_printf(plain, "\n%s", c->policy_arns);
    kbuf_printf(plain, "\n%s", c->policy);
}

void session_issue(const masterkey *mk, session_claims *c, kbuf *token)
{
    state_random_id(c->access_key, "ASIA", IAM_KEY_ID_LEN - 4, true);
    state_random_secret(c->secret);
    kbuf plain = KBUF_INIT, sealed = KBUF_INIT;
    kbuf_printf(&plain, "%s\n%s\n%s\n%s\n%s\n%" PRId64 "\n%s\n%s\n%s", c->scoped ? "v2" : "v1",
                c->access_key, c->secret, c->account, c->user, c->expires_ms, c->role, c->role_id,
                c->session);
    if (c->scoped)
        write_policies(c, &plain);
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

/* Reads what write_policies wrote (at *p) into c; false when it does not fit. */
static bool read_policies(char **p, session_claims *c)
{
    char count[8], arn[SESSION_ARNS_MAX + 1];
    if (!next_field(p, count, sizeof count))
        return false;
    long n = strtol(count, NULL, 10);
    size_t used = 0;
    for (long i = 0; i < n; i++) {
        if (!next_field(p, arn, sizeof arn))
            return false;
        int w = snprintf(c->policy_arns + used, sizeof c->policy_arns - used, "%s%s", i ? "\n" : "",
                         arn);
        if (w < 0 || (size_t)w >= sizeof c->policy_arns - used)
            return false;
        used += (size_t)w;
    }
    size_t rest = strlen(*p); /* the inline policy: the rest, newlines and all */
    if (rest >= sizeof c->policy)
        return false;
    memcpy(c->policy, *p, rest + 1);
    c->scoped = true;
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
    memset(out, 0, sizeof *out);
    ok = ok && next_field(&p, version, sizeof version) &&
         (strcmp(version, "v1") == 0 || strcmp(version, "v2") == 0) &&
         next_field(&p, out->access_key, sizeof out->access_key) &&
         next_field(&p, out->secret, sizeof out->secret) &&
         next_field(&p, out->account, sizeof out->account) &&
         next_field(&p, out->user, sizeof out->user) && next_field(&p, expires, sizeof expires) &&
         next_field(&p, out->role, sizeof out->role) &&
         next_field(&p, out->role_id, sizeof out->role_id) &&
         next_field(&p, out->session, sizeof out->session) &&
         (strcmp(version, "v2") != 0 || read_policies(&p, out));
    if (ok)
        out->expires_ms = strtoll(expires, NULL, 10);
    if (plain.data)
        memset(plain.data, 0, plain.len);
    kbuf_free(&plain);
    return ok;
}
