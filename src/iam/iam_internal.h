/* iam_internal.h - what the IAM service's files share beyond state.h and db.h.
 *
 *   iam.c      start-up: master key, iam.sqlite, the root credentials; `kinesd account create`
 *   service.c  the IAM and STS op tables, each operation's action and resources
 *   authn.c    verify mode: the SigV4 signature, the key, the session token, the clock
 *   sts.c      GetCallerIdentity, GetSessionToken, AssumeRole; the sessions of functions' roles
 *   authz.c    verify mode: AWS's policy evaluation for every operation, with a decision cache */
#ifndef KINESD_IAM_INTERNAL_H
#define KINESD_IAM_INTERNAL_H

#include "../auth/policy.h"
#include "../common/masterkey.h"
#include "../core/dispatch.h"

/* The master key iam_open was given (iam_options.master). */
const masterkey *iam_master(void);

/* A role session's session policies (AssumeRole's Policy and PolicyArns, from its token), as
 * the authenticator hands them to the authorizer: caller.principal, in the request's arena. */
typedef struct iam_session_policies {
    const char *policy;    /* the inline session policy as given; "" when none */
    const char *arns_text; /* the managed session policies' ARNs, '\n' between; "" when none */
    const char **arns;     /* the same, one by one */
    size_t n_arns;
} iam_session_policies;

/* authn.c, authz.c: the hooks. */
bool iam_authenticate(const http_request *req, const auth_scope *scope, arena *mem, caller *who,
                      aws_error *err);
bool iam_authorize(op_call *call, const op_entry *entry);
/* authz.c: the request context of who doing action on resource at now_ms. */
policy_request iam_request_of(const caller *who, const char *action, const char *resource,
                              int64_t now_ms);
/* authz.c: what the caller's identity (and session) policies alone decide for r (no resource
 * policy, no cache); iam_lock held. */
policy_decision iam_identity_decision(const caller *who, const policy_request *r);
/* authz.c: whether who's session policies allow r (true when it has none); iam_lock held. */
bool iam_session_allows(const caller *who, const policy_request *r);
/* authz.c: what who's identity policies and r's resource (its policy and tags, from the service
 * that owns it) decide for r, as for a call but outside one (no cache); takes iam_lock itself,
 * after the resource's lookup, so the caller must not hold it. */
policy_decision iam_principal_decision(const caller *who, policy_request *r);

#endif
