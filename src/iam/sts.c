/* sts.c - STS: GetCallerIdentity and GetSessionToken (see ops.h, session.h). */
#include <stdio.h>
#include <string.h>

#include "iam.h"
#include "iam_internal.h"
#include "ops.h"
#include "session.h"

#define USER_DEFAULT_S 43200
#define ROOT_MAX_S 3600

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
    enc_key(call->out, "Credentials");
    enc_map_begin(call->out);
    enc_key(call->out, "AccessKeyId");
    enc_str(call->out, c.access_key);
    enc_key(call->out, "SecretAccessKey");
    enc_str(call->out, c.secret);
    enc_key(call->out, "SessionToken");
    enc_str(call->out, token.data);
    enc_key(call->out, "Expiration");
    enc_timestamp_ms(call->out, c.expires_ms);
    enc_map_end(call->out);
    enc_map_end(call->out);
    memset(&c, 0, sizeof c);
    kbuf_free(&token);
}

bool iam_root_session(const char *account, int64_t expires_ms, char *key, size_t key_cap,
                      char *secret, size_t secret_cap, kbuf *token)
{
    session_claims c = {0};
    snprintf(c.account, sizeof c.account, "%s", account);
    c.expires_ms = expires_ms;
    session_issue(iam_master(), &c, token);
    snprintf(key, key_cap, "%s", c.access_key);
    snprintf(secret, secret_cap, "%s", c.secret);
    memset(&c, 0, sizeof c);
    return true;
}
