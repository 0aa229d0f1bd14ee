/* policy.h - the IAM policy language: parsing a policy document and AWS's evaluation logic.
 *
 * A document is compiled once (policy_parse) into statements of patterns; evaluating it for a
 * request (policy_evaluate) says whether a statement denies, one allows, or none applies.
 * policy_decide combines the caller's identity policies, the resource's policy and the session
 * policies of a role session (AssumeRole's Policy and PolicyArns) the way AWS does: an explicit
 * Deny anywhere wins; then, inside one account, an Allow in either of the first two kinds
 * suffices (the account's root is allowed everything in its account); across accounts the
 * resource's policy must allow the caller AND the caller's identity policies must allow the
 * action; anything else is an implicit deny. Session policies bound what the identity policies
 * allow, and what a resource policy allows unless it names the session's own ARN (not its role,
 * its account or "*"): that grant holds whatever the session policies say (same account).
 *
 * The language: Version, Id, Statement (one object or a list), Sid, Effect, Action/NotAction,
 * Resource/NotResource, Principal/NotPrincipal (resource and trust policies: "*", {"AWS": account
 * id, account root ARN or user ARN, or a list; "Service": "lambda.amazonaws.com", ...}), Condition;
 * wildcards '*' and '?' in actions (case blind) and resources; policy variables ${aws:username} and
 * friends (Version 2012-10-17); the condition operators String*, Numeric*, Date*, Bool,
 * IpAddress/NotIpAddress, Arn*, Null, each with ...IfExists and the ForAnyValue:/ForAllValues: set
 * qualifiers. */
#ifndef KINESD_POLICY_H
#define KINESD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"

typedef struct policy policy;

typedef enum {
    POLICY_IDENTITY, /* attached to a user: no Principal */
    POLICY_RESOURCE, /* attached to a resource: Principal required */
    POLICY_TRUST,    /* a role's trust policy: Principal required, no Resource (the role) */
} policy_kind;

/* Compiles a document; NULL with the reason in `why` (the text of AWS's
 * MalformedPolicyDocument, e.g. "Policy statement must contain actions."). */
policy *policy_parse(const char *text, policy_kind kind, kbuf *why);
void policy_free(policy *p);
/* Whether some condition reads a key that changes from request to request (aws:SourceIp,
 * aws:CurrentTime, aws:EpochTime, aws:SecureTransport): decisions over it cannot be cached. */
bool policy_varies_per_request(const policy *p);

/* A tag of the resource (aws:ResourceTag/KEY). */
typedef struct policy_tag {
    const char *key;
    const char *value;
} policy_tag;

/* The request as the policies see it: the request context. */
typedef struct policy_request {
    const char *action;             /* "kinesis:PutRecord" */
    const char *resource;           /* an ARN, or "*" */
    const char *principal_arn;      /* arn:aws:iam::ACCOUNT:root, :user/NAME, an assumed-role
                                       ARN, or a service principal ("lambda.amazonaws.com") */
    const char *principal_role_arn; /* a role session's role (arn:aws:iam::ACCOUNT:role/...):
                                       aws:PrincipalArn, and a Principal naming it matches */
    const char *principal_account;  /* "000000000000" */
    const char *username;           /* aws:username; NULL for the root */
    const char *userid;             /* aws:userid */
    const char *source_ip;          /* aws:SourceIp; NULL when unknown */
    bool secure_transport;          /* aws:SecureTransport */
    int64_t now_ms;                 /* aws:CurrentTime, aws:EpochTime */
    const char *external_id;        /* sts:ExternalId (AssumeRole); NULL when absent */
    const char *role_session_name;  /* sts:RoleSessionName (AssumeRole); NULL when absent */
    const policy_tag *tags;         /* the resource's tags (aws:ResourceTag/...) */
    size_t tag_count;
    bool principal_exact; /* a Principal matches principal_arn alone (not "*", the account, the
                             role; no NotPrincipal): does a policy name this very session? */
} policy_request;

typedef enum {
    POLICY_NOT_APPLICABLE, /* no statement matches the request */
    POLICY_ALLOWS,         /* an Allow matches and no Deny */
    POLICY_DENIES,         /* a Deny matches */
} policy_effect;

policy_effect policy_evaluate(const policy *p, const policy_request *r);

typedef enum {
    DECISION_ALLOW,
    DECISION_EXPLICIT_DENY_IDENTITY, /* a Deny in one of the caller's policies */
    DECISION_EXPLICIT_DENY_RESOURCE, /* a Deny in the resource's policy */
    DECISION_EXPLICIT_DENY_SESSION,  /* a Deny in one of the session's policies */
    DECISION_NO_IDENTITY_ALLOW,      /* nothing allows it (same account), or only the resource
                                        policy does across accounts */
    DECISION_NO_RESOURCE_ALLOW,      /* across accounts, the resource's policy does not allow it */
    DECISION_NO_SESSION_ALLOW,       /* allowed but for the session's policies */
} policy_decision;

/* What a decision weighs. */
typedef struct policy_inputs {
    const policy *const *identity; /* the caller's identity policies */
    size_t n_identity;
    bool root;                    /* the caller is its account's root */
    const policy *resource;       /* the resource's policy; NULL: none */
    bool cross_account;           /* the resource belongs to another account than the caller */
    bool scoped;                  /* the caller is a session with session policies: only what
                                     they allow (below; none may be left) is allowed */
    const policy *const *session; /* those session policies */
    size_t n_session;
} policy_inputs;

/* AWS's evaluation of r over `in` (see the top). */
policy_decision policy_decide(const policy_inputs *in, const policy_request *r);

/* AWS's AccessDenied text for a decision: "User: ARN is not authorized to perform: ACTION on
 * resource: RESOURCE because no identity-based policy allows the ACTION action" and its
 * explicit-deny, resource-based and session variants. */
void policy_denied_message(policy_decision d, const policy_request *r, kbuf *out);

/* Whether `text` matches `pattern` with '*' (any run) and '?' (one character). */
bool policy_wildcard_match(const char *pattern, const char *text, bool ignore_case);

#endif
