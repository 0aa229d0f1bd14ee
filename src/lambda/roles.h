/* roles.h - functions' execution roles in verify mode (the identity service's hooks, which
 * kinesd/main.c hands over with lambda_set_roles; none in open mode, where Role is recorded).
 *
 * As on AWS: CreateFunction and UpdateFunctionConfiguration refuse a role the caller may not
 * pass (iam:PassRole) or Lambda cannot assume (missing, or its trust policy does not allow
 * lambda.amazonaws.com); an environment calls
 * kinesd with a session of its function's role named after the function; CreateEventSourceMapping
 * refuses a source the role may not read (GetRecords, GetShardIterator, DescribeStream,
 * ListShards on the stream; SubscribeToShard on a consumer), and a mapping whose role can no
 * longer read its source holds its batches (esm_lane.c). */
#ifndef KINESD_LAMBDA_ROLES_H
#define KINESD_LAMBDA_ROLES_H

#include <stdbool.h>

#include "../core/call.h"
#include "function.h"
#include "lambda.h"

void roles_set(const lambda_roles *hooks);
/* Whether the caller may pass role_arn (the input's Role; iam:PassRole, else
 * AccessDeniedException) and Lambda can assume it (else InvalidParameterValueException); false
 * with the error set. True in open mode. */
bool roles_check_assumable(op_call *call, const char *role_arn);
/* Whether role_arn's policies let it read the source (as below; true in open mode). Any
 * thread. */
bool roles_may_read(const char *role_arn, const char *source_arn);
/* Whether role_arn may read the source (a stream ARN, or a consumer ARN: STREAM/consumer/...);
 * false with InvalidParameterValueException set. True in open mode. */
bool roles_check_source(op_call *call, const char *role_arn, const char *source_arn);
/* The credentials v's environment calls kinesd with, as environment variables of add(ctx,...):
 * a session of v's role in verify mode; else a 12-digit access key (v's account), which open
 * mode takes as the account. */
void roles_credentials(const fn_version *v, int64_t expires_ms,
                       void (*add)(void *ctx, const char *key, const char *value), void *ctx);

#endif
