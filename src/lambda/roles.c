/* roles.c - functions' execution roles in verify mode (see roles.h). */
#include "roles.h"

#include <stdio.h>
#include <string.h>

static lambda_roles roles; /* all NULL in open mode; set once at start-up */

void roles_set(const lambda_roles *hooks)
{
    roles = *hooks;
}

bool roles_check_assumable(op_call *call, const char *role_arn)
{
    if (!roles.can_assume)
        return true;
    if (!roles.may_pass(call))
        return false;
    if (roles.can_assume(role_arn))
        return true;
    aws_error_set(call->err, 400, "InvalidParameterValueException",
                  "The role defined for the function cannot be assumed by Lambda.");
    return false;
}

/* The stream of a source ARN: itself, or the part before "/consumer/". */
static void stream_of(const char *source_arn, char *out, size_t cap)
{
    const char *consumer = strstr(source_arn, "/consumer/");
    size_t n = consumer ? (size_t)(consumer - source_arn) : strlen(source_arn);
    snprintf(out, cap, "%.*s", (int)n, source_arn);
}

/* Whether the role may do every action on arn. */
static bool allows_all(const char *role_arn, const char *const *actions, const char *arn)
{
    for (; *actions; actions++)
        if (!roles.allows(role_arn, *actions, arn))
            return false;
    return true;
}

bool roles_may_read(const char *role_arn, const char *source_arn)
{
    static const char *const stream_actions[] = {"kinesis:GetRecords", "kinesis:GetShardIterator",
                                                 "kinesis:DescribeStream", "kinesis:ListShards",
                                                 NULL};
    static const char *const consumer_actions[] = {"kinesis:SubscribeToShard", NULL};
    if (!roles.allows)
        return true;
    char stream_arn[512];
    stream_of(source_arn, stream_arn, sizeof stream_arn);
    bool consumer = strcmp(stream_arn, source_arn) != 0;
    return allows_all(role_arn, stream_actions, stream_arn) &&
           (!consumer || allows_all(role_arn, consumer_actions, source_arn));
}

bool roles_check_source(op_call *call, const char *role_arn, const char *source_arn)
{
    if (roles_may_read(role_arn, source_arn))
        return true;
    char stream_arn[512];
    stream_of(source_arn, stream_arn, sizeof stream_arn);
    aws_error_set(call->err, 400, "InvalidParameterValueException",
                  "Cannot access stream %s. Please ensure the role can perform the GetRecords, "
                  "GetShardIterator, DescribeStream, ListShards, and ListStreams Actions on your "
                  "stream in IAM.",
                  stream_arn);
    return false;
}

void roles_credentials(const fn_version *v, int64_t expires_ms,
                       void (*add)(void *ctx, const char *key, const char *value), void *ctx)
{
    char key[64], secret[128];
    kbuf token = KBUF_INIT;
    if (roles.mint &&
        roles.mint(v->role, v->name, expires_ms, key, sizeof key, secret, sizeof secret, &token)) {
        add(ctx, "AWS_ACCESS_KEY_ID", key);
        add(ctx, "AWS_SECRET_ACCESS_KEY", secret);
        add(ctx, "AWS_SESSION_TOKEN", token.data);
    } else {
        add(ctx, "AWS_ACCESS_KEY_ID", v->account);
        add(ctx, "AWS_SECRET_ACCESS_KEY", "kinesd-function-secret");
    }
    memset(secret, 0, sizeof secret);
    kbuf_free(&token);
}
