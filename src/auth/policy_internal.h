/* policy_internal.h - a compiled policy document, shared by the policy files.
 *
 *   policy.c            parsing a document into statements (and its MalformedPolicyDocument texts)
 *   policy_condition.c  the Condition block: operators, qualifiers, context keys
 *   policy_eval.c       matching statements, policy variables, the decision and its message
 *
 * Everything of a policy lives in its arena and is freed with it. */
#ifndef KINESD_POLICY_INTERNAL_H
#define KINESD_POLICY_INTERNAL_H

#include "../common/arena.h"
#include "policy.h"

typedef struct str_list {
    const char **items;
    size_t n;
} str_list;

typedef enum {
    COND_STRING_EQUALS,
    COND_STRING_EQUALS_IGNORE_CASE,
    COND_STRING_LIKE,
    COND_NUMERIC_EQUALS,
    COND_NUMERIC_LESS,
    COND_NUMERIC_LESS_EQUALS,
    COND_NUMERIC_GREATER,
    COND_NUMERIC_GREATER_EQUALS,
    COND_DATE_EQUALS,
    COND_DATE_LESS,
    COND_DATE_LESS_EQUALS,
    COND_DATE_GREATER,
    COND_DATE_GREATER_EQUALS,
    COND_BOOL,
    COND_IP_ADDRESS,
    COND_ARN_LIKE,
    COND_NULL,
} cond_test;

typedef enum { SET_NONE, SET_ANY_VALUE, SET_ALL_VALUES } cond_set;

/* One key under one operator: "StringLike": {"aws:username": ["a*", "b*"]}. */
typedef struct condition {
    cond_test test;  /* what is compared */
    bool negated;    /* StringNotEquals, NotIpAddress, ...: no value may match */
    bool if_exists;  /* ...IfExists: an absent key passes */
    cond_set set;    /* ForAnyValue: / ForAllValues: */
    const char *key; /* "aws:SourceIp" */
    str_list values; /* the policy's values (variables substituted at evaluation) */
} condition;

typedef struct statement {
    bool allow;            /* Effect */
    bool not_action;       /* NotAction instead of Action */
    str_list actions;      /* "kinesis:Get*" */
    bool not_resource;     /* NotResource instead of Resource */
    str_list resources;    /* ARNs with wildcards, "*" (identity policies and most resource ones) */
    bool has_principal;    /* Principal or NotPrincipal given (resource policies) */
    bool not_principal;    /* NotPrincipal */
    str_list principals;   /* "*", account ids, root or user ARNs */
    condition *conditions; /* all must hold */
    size_t n_conditions;
} statement;

struct policy {
    arena mem;      /* everything below */
    bool variables; /* Version 2012-10-17: ${...} are policy variables */
    bool varies;    /* a condition reads a per-request key */
    statement *statements;
    size_t n_statements;
};

/* policy_condition.c */
/* Reads "Operator" (with its qualifiers) into c; false when it is no operator AWS knows. */
bool condition_operator(const char *name, condition *c);
/* Whether a key changes per request (aws:SourceIp, aws:CurrentTime, ...). */
bool condition_key_varies(const char *key);
bool condition_holds(const policy *p, const condition *c, const policy_request *r);

/* policy_eval.c */
/* `pattern` with its policy variables replaced for r (when p has them) into out; false when a
 * variable names a key the request lacks (then the pattern matches nothing). */
bool policy_expand(const policy *p, const char *pattern, const policy_request *r, kbuf *out);
/* The request context's value of a key; NULL when absent. `scratch` may hold it. */
const char *policy_context_value(const policy_request *r, const char *key, char *scratch,
                                 size_t cap);

#endif
