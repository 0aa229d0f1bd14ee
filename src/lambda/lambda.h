/* lambda.h - the Lambda service (functions, runtimes, invocations), as kinesd/main.c wires it.
 *
 * lambda_open loads DATA/lambda.sqlite, opens the asynchronous queue on the store and starts the
 * environment thread; lambda_service is then registered with the core; lambda_set_endpoint tells
 * functions where kinesd answers (AWS_ENDPOINT_URL) once the HTTP server listens. At shutdown:
 * lambda_quiesce before the HTTP server stops (running invocations end at once, so their
 * callers are answered), lambda_close after the core stopped the service, before the store
 * closes. */
#ifndef KINESD_LAMBDA_H
#define KINESD_LAMBDA_H

#include "../core/service.h"
#include "../store/store.h"
#include "destination.h"
#include "env.h"

extern service lambda_service;

int lambda_open(store *st); /* -1 on error (logged) */
void lambda_set_endpoint(const char *url);
void lambda_quiesce(void);
void lambda_close(void);

/* How destinations reach SQS queues (main passes sqs_deliver). */
void lambda_set_sqs_deliver(lambda_sqs_deliver_fn deliver);

/* Temporary credentials of a function's execution role (role_arn) as Lambda assumes it, a
 * session named session_name, valid until expires_ms: the key id, the secret and the session
 * token (appended to token). false when none can be had. Any thread. */
typedef bool (*lambda_credentials_fn)(const char *role_arn, const char *session_name,
                                      int64_t expires_ms, char *key, size_t key_cap, char *secret,
                                      size_t secret_cap, kbuf *token);

/* The identity service's hooks for functions' execution roles (roles.h). */
typedef struct lambda_roles {
    lambda_credentials_fn mint;      /* a session of a function's role */
    bool (*may_pass)(op_call *call); /* the caller may pass the input's Role (iam:PassRole);
                                        false with AccessDeniedException set */
    bool (*can_assume)(const char *role_arn); /* Lambda may assume the role */
    bool (*allows)(const char *role_arn, const char *action,
                   const char *resource); /* the role's policies allow the action */
} lambda_roles;

/* In verify mode, main passes the identity service's hooks (iam_lambda_session, ...); without
 * them (open mode) Role is recorded and functions get an open-mode key, their account's number.
 * Before the HTTP server starts. */
void lambda_set_roles(const lambda_roles *hooks);

#endif
