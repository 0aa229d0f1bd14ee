/* session.h - temporary credentials (GetSessionToken, AssumeRole): an ASIA key id, a secret, and
 * a session token that carries both, with the principal (a user, the root, or a role and the
 * session's name), the expiry and a role session's session policies (AssumeRole's Policy and
 * PolicyArns), sealed under the master key. A token is thus checked without storage, survives a
 * restart, and cannot be forged or altered. */
#ifndef KINESD_IAM_SESSION_H
#define KINESD_IAM_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/masterkey.h"
#include "state.h"

#define SESSION_POLICY_MAX 2048 /* an inline session policy, in characters (AWS's limit) */
#define SESSION_MAX_ARNS 10     /* managed session policies (PolicyArns: AWS's limit) */
#define SESSION_ARNS_MAX                                                                           \
    2058 /* the managed session policies' ARNs (2048 characters at most                            \
            together: sts.c), '\n' between */

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
    bool scoped;                            /* session policies were given: the session may
                                               do only what they (and the role) allow */
    char policy[SESSION_POLICY_MAX + 1];    /* the inline session policy as given; "" */
    char policy_arns[SESSION_ARNS_MAX + 1]; /* the managed ones' ARNs, '\n' between; "" */
} session_claims;

/* Fills a fresh key id and secret into c (account, user and expiry set by the caller) and
 * appends the token (base64) to token. */
void session_issue(const masterkey *mk, session_claims *c, kbuf *token);
/* The claims of a token; false when it is not one kinesd sealed (expiry is not checked). */
bool session_open(const masterkey *mk, const char *token, session_claims *out);

#endif
