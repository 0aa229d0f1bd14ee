/* sts.c - STS: GetCallerIdentity, GetSessionToken and AssumeRole (see ops.h, session.h), and the
 * sessions of functions' execution roles (iam.h).
 *
 * AssumeRole follows AWS: the role's trust policy must allow the caller (an explicit Deny in it
 * or in the caller's policies refuses); a caller the trust policy names itself (its ARN, or "*")
 * needs nothing more in the role's account, while a caller allowed only because its account is
 * named - and any caller from another account - must also be allowed sts:AssumeRole on the role
 * by its own policies (the root is). A service (lambda.amazonaws.com) assumes a role its trust
 * policy names in a Service principal.
 *
 * Session policies (AssumeRole's Policy and PolicyArns: the account's managed policies) travel in
 * the session's token and bound what it may do (authz.c). Their "packed" size is kinesd's own
 * measure (AWS's packing is not published): the characters of the inline policy without
 * whitespace and of the ARNs, against AWS's 2048-character plaintext limit; PackedPolicySize is
 * that share in percent, rounded up. A session assuming another role passes none of them on. */
#include <stdio.h>
#include <string.h>

#include "../common/clock.h"
#include "../protocol/model.h"
#include "../protocol/validate.h"
#include "iam.h"
#include "iam_internal.h"
#include "ops.h"
#include "session.h"

#define USER_DEFAULT_S 43200
#define ROOT_MAX_S 3600
#define ROLE_DEFAULT_S 3600
#define CHAINED_MAX_S 3600 /* a role session assuming a role */
#define LAMBDA_PRINCIPAL "lambda.amazonaws.com"
#define PACKED_ALLOTTED 2048 /* characters of session policies (see the top) */

void op_get_caller_identity(op_call *call)
{
    enc_map_begin(call->out);
    enc_key(call->out, "UserId");
    enc_str(call->out, call->who->user_id);
    enc_key(call->out, "Account");
    enc_str(call->out, call->who->account);
    enc_key(call->out, "Arn");
    enc_str(call->out, call->who->arn);
    enc_map_end(call->out);
}

static void write_credentials(op_call *call, const session_claims *c, const kbuf *token)
{
    enc_key(call->out, "Credentials");
    enc_map_begin(call->out);
    enc_key(call->out, "AccessKeyId");
    enc_str(call->out, c->access_key);
    enc_key(call->out, "SecretAccessKey");
    enc_str(call->out, c->secret);
    enc_key(call->out, "SessionToken");
    enc_str(call->out, token->data);
    enc_key(call->out, "Expiration");
    enc_timestamp_ms(call->out, c->expires_ms);
    enc_map_end(call->out);
}

void op_get_session_token(op_call *call)
{
    if (call->who->session) {
        aws_error_set(call->err, 403, "AccessDenied",
                      "Cannot call GetSessionToken with session credentials");
        return;
    }
    int64_t seconds = call->who->root ? ROOT_MAX_S : USER_DEFAULT_S;
    kv_int(call->input, "DurationSeconds", &seconds);
    if (call->who->root && seconds > ROOT_MAX_S)
        seconds = ROOT_MAX_S;
    session_claims c = {0};
    snprintf(c.account, sizeof c.account, "%s", call->who->account);
    snprintf(c.user, sizeof c.user, "%s", call->who->root ? "" : call->who->user_name);
    c.expires_ms = call->now_ms + seconds * 1000;
    kbuf token = KBUF_INIT;
    session_issue(iam_master(), &c, &token);
    enc_map_begin(call->out);
    write_credentials(call, &c, &token);
    enc_map_end(call->out);
    memset(&c, 0, sizeof c);
    kbuf_free(&token);
}

/* ---- AssumeRole ---------------------------------------------------------------------------- */

/* What the trust policy of r says of req's principal. */
static policy_effect trust_effect(const iam_user *r, const policy_request *req)
{
    return policy_evaluate(r->trust, req);
}

/* Whether who may assume r (see the top); iam_lock held. A caller with session policies is
 * bound by them unless the trust policy names that very session. */
static bool may_assume(const caller *who, const iam_user *r, const policy_request *req)
{
    policy_effect trusted = trust_effect(r, req);
    if (trusted != POLICY_ALLOWS)
        return false;
    policy_decision own = iam_identity_decision(who, req);
    if (own == DECISION_ALLOW)
        return true;
    bool denied = own != DECISION_NO_IDENTITY_ALLOW && own != DECISION_NO_SESSION_ALLOW;
    if (denied || strcmp(r->account, who->account) != 0)
        return false;
    policy_request exact = *req;
    exact.principal_exact = true;
    if (trust_effect(r, &exact) == POLICY_ALLOWS)
        return true;
    policy_request named = *req; /* the trust policy alone, matching no account principal */
    named.principal_account = "";
    return trust_effect(r, &named) == POLICY_ALLOWS && iam_session_allows(who, req);
}

/* The session's lifetime in seconds: DurationSeconds (default 3600) within the role's
 * MaxSessionDuration (1 hour for role chaining); -1 with ValidationError. */
static int64_t assumed_seconds(op_call *call, const iam_user *r)
{
    int64_t seconds = ROLE_DEFAULT_S;
    bool given = kv_int(call->input, "DurationSeconds", &seconds);
    bool chained = call->who->session && !call->who->user_name[0] && !call->who->root;
    if (given && chained && seconds > CHAINED_MAX_S) {
        aws_error_set(call->err, 400, "ValidationError",
                      "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                      "assumed by role chaining.");
        return -1;
    }
    if (seconds > r->max_session_s) {
        aws_error_set(call->err, 400, "ValidationError",
                      "The requested DurationSeconds exceeds the MaxSessionDuration set for this "
                      "role.");
        return -1;
    }
    return seconds;
}

static void write_assumed(op_call *call, const session_claims *c, const kbuf *token, int packed)
{
    enc_map_begin(call->out);
    write_credentials(call, c, token);
    enc_key(call->out, "AssumedRoleUser");
    enc_map_begin(call->out);
    kbuf text = KBUF_INIT;
    kbuf_printf(&text, "%s:%s", c->role_id, c->session);
    enc_key(call->out, "AssumedRoleId");
    enc_str(call->out, text.data);
    kbuf_reset(&text);
    kbuf_printf(&text, "arn:aws:sts::%s:assumed-role/%s/%s", c->account, c->role, c->session);
    enc_key(call->out, "Arn");
    enc_str(call->out, text.data);
    kbuf_free(&text);
    enc_map_end(call->out);
    if (c->scoped) {
        enc_key(call->out, "PackedPolicySize");
        enc_int(call->out, packed);
    }
    enc_map_end(call->out);
}

/* The claims of a session of r named `session`, valid until expires_ms. */
static void role_claims(session_claims *c, const iam_user *r, const char *session,
                        int64_t expires_ms)
{
    memset(c, 0, sizeof *c);
    snprintf(c->account, sizeof c->account, "%s", r->account);
    snprintf(c->role, sizeof c->role, "%s", r->name);
    snprintf(c->role_id, sizeof c->role_id, "%s", r->id);
    snprintf(c->session, sizeof c->session, "%s", session);
    c->expires_ms = expires_ms;
}

/* ---- session policies ---------------------------------------------------------------------- */

/* Policy within AWS's 2048 characters and at most 10 PolicyArns (limits the STS model leaves
 * out); false with ValidationError in the model's words. The text for too many ARNs could not be
 * confirmed: it is the model's wording without the list's value. */
static bool session_inputs_fit(op_call *call, const kval *policy, size_t n_arns)
{
    const model_shape *text = model_find_shape(call->service->schema, "sessionPolicyDocumentType");
    if (policy && !validate_value(text, policy, "policy", call->err))
        return false;
    if (n_arns > SESSION_MAX_ARNS) {
        aws_error_set(call->err, 400, "ValidationError",
                      "1 validation error detected: Value at 'policyArns' failed to satisfy "
                      "constraint: Member must have length less than or equal to %d",
                      SESSION_MAX_ARNS);
        return false;
    }
    return true;
}

/* Whether text has the shape of an ARN: "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE" with a
 * partition, a service and a resource. */
static bool arn_shaped(const char *text)
{
    if (strncmp(text, "arn:", 4) != 0)
        return false;
    const char *partition = text + 4, *service = strchr(partition, ':');
    const char *region = service ? strchr(service + 1, ':') : NULL;
    const char *account = region ? strchr(region + 1, ':') : NULL;
    const char *resource = account ? strchr(account + 1, ':') : NULL;
    return resource && service > partition && region > service + 1 && resource[1] != '\0';
}

/* The managed policy an entry of PolicyArns names: one of the role's account (kinesd has no
 * AWS managed policies); NULL with the error set. AWS's answer to a policy that does not exist
 * could not be confirmed: kinesd answers with STS's documented MalformedPolicyDocument in IAM's
 * words for a policy it cannot find; an ARN that is not one is refused as STS refuses a bad
 * RoleArn ("... is invalid"). */
static const iam_managed *session_managed(op_call *call, const iam_user *r, const char *arn)
{
    if (!arn || !arn_shaped(arn)) {
        aws_error_set(call->err, 400, "ValidationError", "%s is invalid", arn ? arn : "null");
        return NULL;
    }
    const iam_managed *m = state_managed_arn(arn);
    if (!m || strcmp(m->account, r->account) != 0) {
        call_fail(call, "MalformedPolicyDocumentException",
                  "Policy %s does not exist or is not attachable.", arn);
        return NULL;
    }
    return m;
}

/* The session policies of the input (Policy, PolicyArns) into c after checking them as AWS
 * does, and their packed size in percent; -1 with the error set. iam_lock held. */
static int session_policies(op_call *call, const iam_user *r, session_claims *c)
{
    const char *text = kv_str(call->input, "Policy");
    const kval *arns = kv_get(call->input, "PolicyArns");
    size_t n = arns && arns->type == KV_LIST ? arns->u.list.n : 0;
    if (!session_inputs_fit(call, text ? kv_get(call->input, "Policy") : NULL, n))
        return -1;
    size_t packed = text ? ops_policy_chars(text) : 0, used = 0;
    for (size_t i = 0; i < n; i++) {
        const iam_managed *m = session_managed(call, r, kv_str(&arns->u.list.items[i], "arn"));
        if (!m)
            return -1;
        packed += strlen(m->arn);
        if (packed <= PACKED_ALLOTTED) /* else it fails below: c->policy_arns holds the rest */
            used += (size_t)snprintf(c->policy_arns + used, sizeof c->policy_arns - used, "%s%s",
                                     i ? "\n" : "", m->arn);
    }
    policy *compiled = text ? ops_compile(call, text, POLICY_IDENTITY) : NULL;
    if (text && !compiled)
        return -1;
    policy_free(compiled);
    int percent = (int)((packed * 100 + PACKED_ALLOTTED - 1) / PACKED_ALLOTTED);
    if (percent > 100) {
        call_fail(call, "PackedPolicyTooLargeException",
                  "Packed policy consumes %d%% of allotted space, please use smaller policy for "
                  "the session.",
                  percent);
        return -1;
    }
    c->scoped = text || n > 0;
    snprintf(c->policy, sizeof c->policy, "%s", text ? text : "");
    return percent;
}

void op_assume_role(op_call *call)
{
    const char *arn = kv_str(call->input, "RoleArn");
    const char *session = kv_str(call->input, "RoleSessionName");
    policy_request req = iam_request_of(call->who, "sts:AssumeRole", arn, call->now_ms);
    req.external_id = kv_str(call->input, "ExternalId");
    req.role_session_name = session;
    session_claims c;
    pthread_rwlock_rdlock(&iam_lock);
    iam_user *r = state_role_arn(arn);
    bool allowed = r && may_assume(call->who, r, &req);
    int64_t seconds = allowed ? assumed_seconds(call, r) : -1;
    if (seconds > 0)
        role_claims(&c, r, session, call->now_ms + seconds * 1000);
    int packed = seconds > 0 ? session_policies(call, r, &c) : -1;
    pthread_rwlock_unlock(&iam_lock);
    if (!allowed)
        aws_error_set(call->err, 403, "AccessDenied",
                      "User: %s is not authorized to perform: sts:AssumeRole on resource: %s",
                      call->who->arn, arn);
    if (packed < 0) {
        memset(&c, 0, sizeof c);
        return;
    }
    kbuf token = KBUF_INIT;
    session_issue(iam_master(), &c, &token);
    write_assumed(call, &c, &token, packed);
    memset(&c, 0, sizeof c);
    kbuf_free(&token);
}

/* ---- functions' execution roles ------------------------------------------------------------ */

/* Whether Lambda may assume r: its trust policy allows lambda.amazonaws.com; iam_lock held. */
static bool lambda_trusted(const iam_user *r)
{
    policy_request req = {.action = "sts:AssumeRole",
                          .resource = r->arn,
                          .principal_arn = LAMBDA_PRINCIPAL,
                          .principal_account = "",
                          .now_ms = clock_now_ms()};
    return trust_effect(r, &req) == POLICY_ALLOWS;
}

bool iam_lambda_can_assume(const char *role_arn)
{
    pthread_rwlock_rdlock(&iam_lock);
    iam_user *r = state_role_arn(role_arn);
    bool ok = r && lambda_trusted(r);
    pthread_rwlock_unlock(&iam_lock);
    return ok;
}

bool iam_lambda_session(const char *role_arn, const char *session_name, int64_t expires_ms,
                        char *key, size_t key_cap, char *secret, size_t secret_cap, kbuf *token)
{
    session_claims c;
    pthread_rwlock_rdlock(&iam_lock);
    iam_user *r = state_role_arn(role_arn);
    bool ok = r && lambda_trusted(r);
    if (ok)
        role_claims(&c, r, session_name, expires_ms);
    pthread_rwlock_unlock(&iam_lock);
    if (!ok)
        return false;
    session_issue(iam_master(), &c, token);
    snprintf(key, key_cap, "%s", c.access_key);
    snprintf(secret, secret_cap, "%s", c.secret);
    memset(&c, 0, sizeof c);
    return true;
}

/* The role a CreateFunction or UpdateFunctionConfiguration passes (its Role, which Lambda's
 * model requires of CreateFunction; "*" when absent). */
static int passed_role(op_call *call, const char **arns, int max)
{
    (void)max;
    const char *role = kv_str(call->input, "Role");
    arns[0] = role ? role : "*";
    return 1;
}

bool iam_may_pass_role(op_call *call)
{
    static const op_entry pass = {"PassRole", NULL, OP_LOOP, "iam:PassRole", passed_role};
    return iam_authorize(call, &pass);
}

bool iam_role_allows(const char *role_arn, const char *action, const char *resource)
{
    caller who = {.root = false};
    pthread_rwlock_rdlock(&iam_lock);
    const iam_user *r = state_role_arn(role_arn);
    bool found = r != NULL;
    if (found) {
        snprintf(who.account, sizeof who.account, "%s", r->account);
        snprintf(who.arn, sizeof who.arn, "arn:aws:sts::%s:assumed-role/%s/kinesd", r->account,
                 r->name);
        snprintf(who.user_id, sizeof who.user_id, "%s:kinesd", r->id);
        snprintf(who.role_arn, sizeof who.role_arn, "%s", r->arn);
    }
    pthread_rwlock_unlock(&iam_lock);
    if (!found)
        return false;
    /* The stream's (or consumer's) resource policy counts too, as it does for the session's
     * own calls: a mapping may read a stream whose policy grants its role. */
    policy_request req = iam_request_of(&who, action, resource, clock_now_ms());
    return iam_principal_decision(&who, &req) == DECISION_ALLOW;
}
