/* session.h - temporary credentials (GetSessionToken, AssumeRole): an ASIA key id, a secret, and
 * a session token that carries both, with the principal (a user, the root, or a role and the
 * session's name) and the expiry, sealed under the master key. A
 * token is thus checked without storage, survives a restart, and cannot be forged or altered. */
#ifndef KINESD_IAM_SESSION_H
#define KINESD_IAM_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/masterkey.h"
#include "state.h"

typedef struct session_claims {
    char access_key[IAM_KEY_ID_LEN + 1]; /* "ASIA..." */
    char secret[IAM_SECRET_LEN + 1];
    char account[16];
    char user[129];               /* "" for the root and for roles */
    char role[65];                /* the assumed role's name; "" when not a role session */
    char role_id[IAM_ID_LEN + 1]; /* its RoleId (AROA...): a session of a deleted and
                                     re-created role is not one of the new role */
    char session[65];             /* RoleSessionName */
    int64_t expires_ms;
} session_claims;

/* Fills a fresh key id and secret into c (account, user and expiry set by the caller) and
 * appends the token (base64) to token. */
void session_issue(const masterkey *mk, session_claims *c, kbuf *token);
/* The claims of a token; false when it is not one kinesd sealed (expiry is not checked). */
bool session_open(const masterkey *mk, const char *token, session_claims *out);

#endif
