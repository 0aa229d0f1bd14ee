/* lambda_api.h - kinesctl's calls to the Lambda API (REST-JSON, SigV4 for service "lambda") and
 * to kinesd's function log route, with the endpoint, region and credentials libkines resolves
 * (an endpoint https://kinesis.REGION... becomes https://lambda.REGION...). */
#ifndef KCLI_LAMBDA_API_H
#define KCLI_LAMBDA_API_H

#include "cli.h"
#include "common/buf.h"

typedef struct lambda_api lambda_api;

/* NULL (reported, *exit_code set) when the configuration cannot be resolved. */
lambda_api *lambda_api_new(const cli_ctx *ctx, int *exit_code);
void lambda_api_free(lambda_api *api);

/* One signed request: method, path (with its query), extra "Name: value" headers (NULL-ended,
 * may be NULL), body. 0 with the answer (2xx) in response and its header lines in
 * response_headers (may be NULL); -1 with err set (the AWS error, or the transport's). */
int lambda_api_call(lambda_api *api, const char *method, const char *path,
                    const char *const *headers, const char *body, size_t len, kbuf *response,
                    kbuf *response_headers, kines_error *err);

/* The value of a header in the header lines kept by lambda_api_call (NULL if absent), copied
 * into out. */
const char *lambda_api_header(const kbuf *lines, const char *name, char *out, size_t cap);

/* The caller's account as kinesd's open mode sees it: a 12-digit access key, else
 * 000000000000; and the region. */
const char *lambda_api_account(const lambda_api *api);
const char *lambda_api_region(const lambda_api *api);

#endif
