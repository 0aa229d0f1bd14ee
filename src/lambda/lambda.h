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

/* How functions get credentials for their calls to kinesd in verify mode (main passes
 * iam_root_session; without one they get an open-mode key, their account's number). Before the
 * HTTP server starts. */
void lambda_set_credentials(lambda_credentials_fn mint);

#endif
