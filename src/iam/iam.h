/* iam.h - identity and access: the IAM and STS services, and the authenticator and authorizer
 * the core runs in verify mode (dispatch_auth_hooks).
 *
 * IAM (users, roles, access keys, inline and managed policies, user tags) and STS
 * (GetCallerIdentity, GetSessionToken, AssumeRole) are served on kinesd's port over the query
 * protocol. Their state lives in <data-dir>/iam.sqlite (secrets sealed under the master key) and in
 * memory (state.h). In verify mode every request's SigV4 signature is checked against the key's
 * secret and every operation's action and resources (its op_entry) are authorized by AWS's policy
 * evaluation logic; the first start creates the default account's root key and writes it to
 * <data-dir>/root-credentials. */
#ifndef KINESD_IAM_H
#define KINESD_IAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../common/masterkey.h"
#include "../core/dispatch.h"
#include "../core/service.h"

extern service iam_service;
extern service sts_service;

typedef struct iam_options {
    const char *data_dir;
    const masterkey *master; /* seals secrets in iam.sqlite; must outlive the service */
    bool verify;             /* --auth verify: authenticate and authorize every request */
} iam_options;

/* Loads the identities (creating iam.sqlite when absent) and, in verify mode,
 * makes sure the default account has a root key (KINESD_ROOT_ACCESS_KEY_ID/_SECRET_ACCESS_KEY,
 * else a generated one written to <data-dir>/root-credentials). -1 with a one-line reason. */
int iam_open(const iam_options *opt, char *why, size_t why_len);
/* The hooks the core runs in verify mode (install with dispatch_set_auth). */
const dispatch_auth_hooks *iam_auth_hooks(void);
void iam_close(void);

/* Functions' execution roles (Lambda in verify mode); any thread once iam_open succeeded.
 * Whether the role (by ARN) exists and its trust policy lets lambda.amazonaws.com assume it. */
bool iam_lambda_can_assume(const char *role_arn);
/* Temporary credentials of the role as Lambda assumes it for a function: a session named
 * session_name (the function's name) valid until expires_ms. The key id and secret into key /
 * secret, the session token appended to token; false when the role is gone or does not trust
 * Lambda (the shape of Lambda's credentials hook). */
bool iam_lambda_session(const char *role_arn, const char *session_name, int64_t expires_ms,
                        char *key, size_t key_cap, char *secret, size_t secret_cap, kbuf *token);
/* Whether the caller of a Lambda call may pass the role its input names (Role) to Lambda: its
 * policies allow iam:PassRole on the role; false with AccessDeniedException set. */
bool iam_may_pass_role(op_call *call);
/* Whether a session of the role may do action on resource (an ARN): the role's policies and the
 * resource's own policy (and tags), evaluated as for a call of that session. */
bool iam_role_allows(const char *role_arn, const char *action, const char *resource);

/* `kinesd account create ID`: creates the account and its root key (the caller holds the data
 * directory's lock: kinesd is not running on it) and prints the key as a credentials-file
 * profile. Exit status. */
int iam_account_command(const iam_options *opt, int argc, char **argv);

#endif
