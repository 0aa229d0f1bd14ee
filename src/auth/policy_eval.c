/* policy_eval.c - matching statements to a request, policy variables, AWS's decision and its
 * AccessDenied texts (see policy.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "policy_internal.h"

bool policy_wildcard_match(const char *pattern, const char *text, bool ignore_case)
{
    const char *star = NULL, *resume = NULL;
    while (*text) {
        char p = *pattern, t = *text;
        if (ignore_case) {
            p = (char)tolower((unsigned char)p);
            t = (char)tolower((unsigned char)t);
        }
        if (p == '*') {
            star = pattern++;
            resume = text;
        } else if (p && (p == '?' || p == t)) {
            pattern++;
            text++;
        } else if (star) {
            pattern = star + 1;
            text = ++resume;
        } else {
            return false;
        }
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}

/* ---- the request context ------------------------------------------------------------------- */

static const char *resource_tag(const policy_request *r, const char *key)
{
    for (size_t i = 0; i < r->tag_count; i++)
        if (strcasecmp(r->tags[i].key, key) == 0)
            return r->tags[i].value;
    return NULL;
}

const char *policy_context_value(const policy_request *r, const char *key, char *scratch,
                                 size_t cap)
{
    static const char tag_prefix[] = "aws:ResourceTag/";
    if (strncasecmp(key, tag_prefix, sizeof tag_prefix - 1) == 0)
        return resource_tag(r, key + sizeof tag_prefix - 1);
    if (strcasecmp(key, "aws:username") == 0)
        return r->username;
    if (strcasecmp(key, "aws:userid") == 0)
        return r->userid;
    if (strcasecmp(key, "aws:PrincipalAccount") == 0)
        return r->principal_account;
    if (strcasecmp(key, "aws:PrincipalArn") == 0)
        return r->principal_role_arn ? r->principal_role_arn : r->principal_arn;
    if (strcasecmp(key, "aws:PrincipalType") == 0)
        return r->principal_role_arn ? "AssumedRole" : r->username ? "User" : "Account";
    if (strcasecmp(key, "aws:SourceIp") == 0)
        return r->source_ip;
    if (strcasecmp(key, "sts:ExternalId") == 0)
        return r->external_id;
    if (strcasecmp(key, "sts:RoleSessionName") == 0)
        return r->role_session_name;
    if (strcasecmp(key, "aws:SecureTransport") == 0)
        return r->secure_transport ? "true" : "false";
    time_t now = (time_t)(r->now_ms / 1000);
    if (strcasecmp(key, "aws:EpochTime") == 0) {
        snprintf(scratch, cap, "%lld", (long long)now);
        return scratch;
    }
    if (strcasecmp(key, "aws:CurrentTime") == 0) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(scratch, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
        return scratch;
    }
    return NULL;
}

/* ${key} or ${key, 'default'} at text (after "${"), up to its '}': the substituted value into
 * out; false when the key is absent and has no default. *end is set past the '}'. */
static bool expand_variable(const char *text, const policy_request *r, kbuf *out, const char **end)
{
    const char *close = strchr(text, '}');
    if (!close) {
        kbuf_puts(out, "${");
        *end = text;
        return true;
    }
    *end = close + 1;
    char key[128], scratch[64];
    const char *comma = memchr(text, ',', (size_t)(close - text));
    size_t n = (size_t)((comma ? comma : close) - text);
    while (n > 0 && text[n - 1] == ' ')
        n--;
    if (n >= sizeof key)
        return false;
    memcpy(key, text, n);
    key[n] = '\0';
    if (n == 1 && strchr("*?$", key[0])) {
        kbuf_putc(out, key[0]);
        return true;
    }
    const char *value = policy_context_value(r, key, scratch, sizeof scratch);
    if (value) {
        kbuf_puts(out, value);
        return true;
    }
    const char *quote = comma ? strchr(comma, '\'') : NULL;
    const char *last = quote ? memchr(quote + 1, '\'', (size_t)(close - quote - 1)) : NULL;
    if (!last)
        return false;
    kbuf_append(out, quote + 1, (size_t)(last - quote - 1));
    return true;
}

bool policy_expand(const policy *p, const char *pattern, const policy_request *r, kbuf *out)
{
    kbuf_puts(out, "");
    if (!p->variables || !strstr(pattern, "${")) {
        kbuf_puts(out, pattern);
        return true;
    }
    for (const char *s = pattern; *s;) {
        const char *var = strstr(s, "${");
        if (!var) {
            kbuf_puts(out, s);
            break;
        }
        kbuf_append(out, s, (size_t)(var - s));
        if (!expand_variable(var + 2, r, out, &s))
            return false;
    }
    return true;
}

/* ---- statements ---------------------------------------------------------------------------- */

static bool some_action_matches(const str_list *actions, const char *action)
{
    for (size_t i = 0; i < actions->n; i++)
        if (policy_wildcard_match(actions->items[i], action, true))
            return true;
    return false;
}

static bool some_resource_matches(const policy *p, const str_list *resources,
                                  const policy_request *r)
{
    kbuf pattern = KBUF_INIT;
    bool found = false;
    for (size_t i = 0; !found && i < resources->n; i++) {
        kbuf_reset(&pattern);
        found = policy_expand(p, resources->items[i], r, &pattern) &&
                policy_wildcard_match(pattern.data, r->resource, false);
    }
    kbuf_free(&pattern);
    return found;
}

/* "*", the caller's account (id or root ARN), the caller's own ARN, or the role of a role
 * session; only the caller's own ARN when r->principal_exact. */
static bool principal_matches(const char *principal, const policy_request *r)
{
    if (r->principal_exact)
        return strcmp(principal, r->principal_arn) == 0;
    char root[64];
    snprintf(root, sizeof root, "arn:aws:iam::%s:root", r->principal_account);
    return strcmp(principal, "*") == 0 || strcmp(principal, r->principal_account) == 0 ||
           strcmp(principal, root) == 0 || strcmp(principal, r->principal_arn) == 0 ||
           (r->principal_role_arn && strcmp(principal, r->principal_role_arn) == 0);
}

static bool some_principal_matches(const str_list *principals, const policy_request *r)
{
    for (size_t i = 0; i < principals->n; i++)
        if (principal_matches(principals->items[i], r))
            return true;
    return false;
}

static bool statement_applies(const policy *p, const statement *s, const policy_request *r)
{
    if (some_action_matches(&s->actions, r->action) == s->not_action)
        return false;
    if (some_resource_matches(p, &s->resources, r) == s->not_resource)
        return false;
    if (r->principal_exact && (!s->has_principal || s->not_principal))
        return false;
    if (s->has_principal && some_principal_matches(&s->principals, r) == s->not_principal)
        return false;
    for (size_t i = 0; i < s->n_conditions; i++)
        if (!condition_holds(p, &s->conditions[i], r))
            return false;
    return true;
}

policy_effect policy_evaluate(const policy *p, const policy_request *r)
{
    bool allowed = false;
    for (size_t i = 0; i < p->n_statements; i++) {
        const statement *s = &p->statements[i];
        if (!statement_applies(p, s, r))
            continue;
        if (!s->allow)
            return POLICY_DENIES;
        allowed = true;
    }
    return allowed ? POLICY_ALLOWS : POLICY_NOT_APPLICABLE;
}

/* ---- the decision -------------------------------------------------------------------------- */

/* What a set of policies says together: a Deny in any, else an Allow in any. */
static policy_effect combined(const policy *const *ps, size_t n, const policy_request *r)
{
    policy_effect out = POLICY_NOT_APPLICABLE;
    for (size_t i = 0; i < n; i++) {
        policy_effect e = policy_evaluate(ps[i], r);
        if (e == POLICY_DENIES)
            return e;
        if (e == POLICY_ALLOWS)
            out = e;
    }
    return out;
}

/* Whether p allows r in a statement naming r's principal itself (a session's own ARN). */
static bool names_principal(const policy *p, const policy_request *r)
{
    policy_request exact = *r;
    exact.principal_exact = true;
    return policy_evaluate(p, &exact) == POLICY_ALLOWS;
}

policy_decision policy_decide(const policy_inputs *in, const policy_request *r)
{
    policy_effect identity = combined(in->identity, in->n_identity, r);
    policy_effect res = in->resource ? policy_evaluate(in->resource, r) : POLICY_NOT_APPLICABLE;
    policy_effect session = in->scoped ? combined(in->session, in->n_session, r) : POLICY_ALLOWS;
    if (identity == POLICY_DENIES)
        return DECISION_EXPLICIT_DENY_IDENTITY;
    if (res == POLICY_DENIES)
        return DECISION_EXPLICIT_DENY_RESOURCE;
    if (session == POLICY_DENIES)
        return DECISION_EXPLICIT_DENY_SESSION;
    bool identity_allows = in->root || identity == POLICY_ALLOWS;
    bool session_allows = session == POLICY_ALLOWS;
    if (!in->cross_account) {
        if (res == POLICY_ALLOWS && (!in->scoped || names_principal(in->resource, r)))
            return DECISION_ALLOW;
        if (!identity_allows && res != POLICY_ALLOWS)
            return DECISION_NO_IDENTITY_ALLOW;
        return session_allows ? DECISION_ALLOW : DECISION_NO_SESSION_ALLOW;
    }
    if (res != POLICY_ALLOWS)
        return DECISION_NO_RESOURCE_ALLOW;
    if (!identity_allows)
        return DECISION_NO_IDENTITY_ALLOW;
    return session_allows ? DECISION_ALLOW : DECISION_NO_SESSION_ALLOW;
}

void policy_denied_message(policy_decision d, const policy_request *r, kbuf *out)
{
    kbuf_printf(out, "User: %s is not authorized to perform: %s on resource: %s ", r->principal_arn,
                r->action, r->resource);
    switch (d) {
    case DECISION_EXPLICIT_DENY_IDENTITY:
        kbuf_puts(out, "with an explicit deny in an identity-based policy");
        break;
    case DECISION_EXPLICIT_DENY_RESOURCE:
        kbuf_puts(out, "with an explicit deny in a resource-based policy");
        break;
    case DECISION_EXPLICIT_DENY_SESSION:
        kbuf_puts(out, "with an explicit deny in a session policy");
        break;
    case DECISION_NO_RESOURCE_ALLOW:
        kbuf_printf(out, "because no resource-based policy allows the %s action", r->action);
        break;
    case DECISION_NO_SESSION_ALLOW:
        kbuf_printf(out, "because no session policy allows the %s action", r->action);
        break;
    default:
        kbuf_printf(out, "because no identity-based policy allows the %s action", r->action);
        break;
    }
}
