/* authn.c - verify mode: who signed a request (see iam_internal.h).
 *
 * The claim (Authorization header or presigned query) names a key; the key is an access key of
 * a user or of an account's root, or the ASIA key of a session token (of a user, a root, or a
 * role: the caller is then the assumed role, arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION).
 * Checked in this order, each with AWS's error: the key is known and active
 * (UnrecognizedClientException), the session token is valid and current (ExpiredTokenException),
 * the request is fresh - signed within 5 minutes of now, or a presigned URL not past X-Amz-Expires
 * (InvalidSignatureException, "Signature expired: ..."), and the signature is the one the secret
 * gives (InvalidSignatureException). A role session's session policies go to the authorizer with
 * the caller (iam_session_policies). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../auth/sigv4_verify.h"
#include "../common/clock.h"
#include "iam_internal.h"
#include "session.h"
#include "state.h"

#define MAX_SKEW_S 300
#define MAX_PRESIGN_EXPIRES_S 604800

static const char invalid_token[] = "The security token included in the request is invalid.";
static const char mismatch[] =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

/* The request as the verifier reads it (headers copied into `headers`). */
static sigv4_incoming incoming(const http_request *req, sigv4_header *headers)
{
    for (size_t i = 0; i < req->header_count; i++)
        headers[i] = (sigv4_header){req->headers[i].name, req->headers[i].value};
    return (sigv4_incoming){req->method, req->url,      headers, req->header_count,
                            req->body,   req->body_len, false};
}

/* Whether the request was signed close enough to now (AWS's texts when not). */
static bool fresh(const sigv4_claim *claim, int64_t now_s, aws_error *err)
{
    int64_t signed_s = sigv4_amz_date_seconds(claim->amz_date);
    char now[17], bound[17];
    sigv4_amz_date_format(now_s, now);
    if (claim->presigned) {
        if (claim->expires_s > MAX_PRESIGN_EXPIRES_S) {
            aws_error_set(err, 400, "AuthorizationQueryParametersError",
                          "X-Amz-Expires must be less than a week (in seconds) that is 604800");
            return false;
        }
        if (now_s <= signed_s + claim->expires_s && signed_s <= now_s + MAX_SKEW_S)
            return true;
        /* AWS's text for an expired presigned URL could not be confirmed; kinesd words it as
         * the header case does, with the URL's own lifetime. */
        sigv4_amz_date_format(now_s - claim->expires_s, bound);
        aws_error_set(err, 400, "InvalidSignatureException",
                      "Signature expired: %s is now earlier than %s (%s - %lld sec.)",
                      claim->amz_date, bound, now, (long long)claim->expires_s);
        return false;
    }
    if (signed_s < now_s - MAX_SKEW_S) {
        sigv4_amz_date_format(now_s - MAX_SKEW_S, bound);
        aws_error_set(err, 400, "InvalidSignatureException",
                      "Signature expired: %s is now earlier than %s (%s - 5 min.)", claim->amz_date,
                      bound, now);
        return false;
    }
    if (signed_s > now_s + MAX_SKEW_S) {
        sigv4_amz_date_format(now_s + MAX_SKEW_S, bound);
        aws_error_set(err, 400, "InvalidSignatureException",
                      "Signature not yet current: %s is still later than %s (%s + 5 min.)",
                      claim->amz_date, bound, now);
        return false;
    }
    return true;
}

/* The caller a key of `account` (user NULL or "": the root) stands for. */
static bool fill_caller(caller *who, const char *account, const char *user_name,
                        const auth_scope *scope, const char *key_id)
{
    memset(who, 0, sizeof *who);
    snprintf(who->account, sizeof who->account, "%s", account);
    snprintf(who->region, sizeof who->region, "%s", scope->region);
    snprintf(who->access_key, sizeof who->access_key, "%s", key_id);
    if (!user_name || !*user_name) {
        snprintf(who->arn, sizeof who->arn, "arn:aws:iam::%s:root", account);
        snprintf(who->user_id, sizeof who->user_id, "%s", account);
        who->root = true;
        return true;
    }
    iam_user *u = state_user(account, user_name);
    if (!u)
        return false;
    snprintf(who->arn, sizeof who->arn, "%s", u->arn);
    snprintf(who->user_name, sizeof who->user_name, "%s", u->name);
    snprintf(who->user_id, sizeof who->user_id, "%s", u->id);
    return true;
}

/* The caller a role session stands for: arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, its
 * id ROLEID:SESSION; false when the role is gone (or deleted and created again). */
static bool fill_role_caller(caller *who, const session_claims *s, const auth_scope *scope)
{
    iam_user *r = state_role(s->account, s->role);
    if (!r || strcmp(r->id, s->role_id) != 0)
        return false;
    fill_caller(who, s->account, NULL, scope, s->access_key);
    who->root = false;
    snprintf(who->arn, sizeof who->arn, "arn:aws:sts::%s:assumed-role/%s/%s", s->account, s->role,
             s->session);
    snprintf(who->user_id, sizeof who->user_id, "%s:%s", r->id, s->session);
    snprintf(who->role_arn, sizeof who->role_arn, "%s", r->arn);
    return true;
}

/* The session policies of s (none: NULL), copied into mem. */
static const iam_session_policies *session_policies(const session_claims *s, arena *mem)
{
    if (!s->scoped)
        return NULL;
    iam_session_policies *p = arena_alloc(mem, sizeof *p);
    p->policy = arena_strdup(mem, s->policy);
    p->arns_text = arena_strdup(mem, s->policy_arns);
    p->n_arns = 0;
    for (const char *c = p->arns_text; *c; c++)
        p->n_arns += *c == '\n';
    p->n_arns += p->arns_text[0] != '\0';
    p->arns = arena_alloc(mem, (p->n_arns + 1) * sizeof *p->arns);
    char *rest = arena_strdup(mem, p->arns_text);
    for (size_t i = 0; i < p->n_arns; i++) {
        p->arns[i] = rest;
        rest += strcspn(rest, "\n");
        if (*rest)
            *rest++ = '\0';
    }
    return p;
}

/* The secret of the claim's key into secret, and the caller it stands for; iam_lock held. */
static bool find_key(const sigv4_claim *claim, const auth_scope *scope, int64_t now_ms, arena *mem,
                     caller *who, char *secret, size_t cap, aws_error *err)
{
    if (claim->session_token) {
        session_claims s;
        if (!session_open(iam_master(), claim->session_token, &s) ||
            strcmp(s.access_key, claim->access_key) != 0 ||
            !(s.role[0] ? fill_role_caller(who, &s, scope)
                        : fill_caller(who, s.account, s.user, scope, s.access_key))) {
            aws_error_set(err, 400, "UnrecognizedClientException", "%s", invalid_token);
            return false;
        }
        if (now_ms >= s.expires_ms) {
            aws_error_set(err, 400, "ExpiredTokenException",
                          "The security token included in the request is expired");
            return false;
        }
        who->session = true;
        who->principal = session_policies(&s, mem);
        snprintf(secret, cap, "%s", s.secret);
        memset(&s, 0, sizeof s);
        return true;
    }
    iam_key *k = state_key(claim->access_key);
    if (!k || !k->active || !fill_caller(who, k->account, k->user, scope, k->id)) {
        aws_error_set(err, 400, "UnrecognizedClientException", "%s", invalid_token);
        return false;
    }
    snprintf(secret, cap, "%s", k->secret);
    state_key_used(k, scope->service, scope->region, now_ms);
    return true;
}

static bool check_signature(const sigv4_incoming *in, const sigv4_claim *claim, const char *secret,
                            aws_error *err)
{
    switch (sigv4_verify(in, claim, secret)) {
    case SIGV4_OK:
        return true;
    case SIGV4_HOST_NOT_SIGNED:
        aws_error_set(err, 400, "InvalidSignatureException",
                      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        return false;
    case SIGV4_PAYLOAD_MISMATCH:
        aws_error_set(err, 400, "InvalidSignatureException",
                      "The provided 'x-amz-content-sha256' header does not match what was "
                      "computed.");
        return false;
    default:
        aws_error_set(err, 400, "InvalidSignatureException", "%s", mismatch);
        return false;
    }
}

bool iam_authenticate(const http_request *req, const auth_scope *scope, arena *mem, caller *who,
                      aws_error *err)
{
    sigv4_header *headers = calloc(req->header_count ? req->header_count : 1, sizeof *headers);
    if (!headers)
        abort();
    sigv4_incoming in = incoming(req, headers);
    sigv4_claim claim;
    kbuf scratch = KBUF_INIT;
    char secret[IAM_SECRET_MAX + 1];
    int64_t now_ms = clock_now_ms();
    bool ok = sigv4_claim_read(&in, &claim, &scratch) == SIGV4_OK;
    if (!ok)
        aws_error_set(err, 400, "IncompleteSignatureException",
                      "The request signature does not conform to AWS standards.");
    if (ok) {
        pthread_rwlock_rdlock(&iam_lock);
        ok = find_key(&claim, scope, now_ms, mem, who, secret, sizeof secret, err);
        pthread_rwlock_unlock(&iam_lock);
    }
    ok = ok && fresh(&claim, now_ms / 1000, err) && check_signature(&in, &claim, secret, err);
    memset(secret, 0, sizeof secret);
    kbuf_free(&scratch);
    free(headers);
    return ok;
}
