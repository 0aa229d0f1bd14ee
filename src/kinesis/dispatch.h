/* dispatch.h - from an HTTP request to an operation and back.
 *
 * Reads X-Amz-Target and the content type (JSON 1.1), takes account and region from the
 * Authorization header's credential scope, decodes and validates the body against the model, calls
 * the operation, and writes its output or AWS error with x-amzn-RequestId. A response whose records
 * must be durable first waits in its loop's queue until the store reports its ticket. */
#ifndef KINESD_DISPATCH_H
#define KINESD_DISPATCH_H

#include <stdint.h>

#include "../net/http.h"

void *dispatch_loop_init(uv_loop_t *loop, void *app);
void dispatch_loop_done(void *loop_ctx);
void dispatch_request(http_exchange *ex, const http_request *req, void *loop_ctx);
/* The store's on_durable callback (any thread): wakes every loop to answer what is now durable. */
void dispatch_on_durable(uint64_t durable_ticket, void *arg);

#endif
