/* dispatch.h - from an HTTP request to a service's operation and back: the core's entry points.
 *
 * Finds the service and operation a request names, reads the caller from its Authorization header,
 * decodes and validates its body against the service's model, authenticates and authorizes the
 * caller, runs the handler where its op_entry says, and writes the answer or AWS error (with
 * x-amzn-RequestId) in the request's wire format. A response whose records must be durable first
 * waits in its loop's queue until the store reports its ticket. */
#ifndef KINESD_DISPATCH_H
#define KINESD_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "../net/http.h"
#include "../store/store.h"
#include "call.h"

void *dispatch_loop_init(uv_loop_t *loop, void *app);
void dispatch_loop_done(void *loop_ctx);
void dispatch_request(http_exchange *ex, const http_request *req, void *loop_ctx);
/* The store's on_durable callback (any thread): wakes every loop to answer what is now durable. */
void dispatch_on_durable(uint64_t durable_ticket, void *arg);
/* The store whose failure answers parked replies InternalFailure (see loops.c). */
void dispatch_set_store(store *st);

/* How callers are identified and what they may do. Without hooks (open mode) every well-formed
 * signature is believed and the caller is its account's root (caller_open); the identity service
 * installs hooks for verify mode. Both run on loop threads and must not block. */
typedef struct dispatch_auth_hooks {
    /* Verifies the request's signature and fills who; false with err set (AWS's errors). What
     * who->principal points to may live in mem, the request's arena. */
    bool (*authenticate)(const http_request *req, const auth_scope *scope, arena *mem, caller *who,
                         aws_error *err);
    /* Whether call->who may perform entry->action on the call's resources; false with
     * AccessDeniedException (or another error) in call->err. */
    bool (*authorize)(op_call *call, const op_entry *entry);
} dispatch_auth_hooks;

/* Installs the hooks (before the HTTP server starts); NULL returns to open mode. */
void dispatch_set_auth(const dispatch_auth_hooks *hooks);

/* Told of every API call the core answered, once its answer went out (loop thread; must not
 * block): the call (its service and operation; operation NULL when the request named none), the
 * HTTP status sent and the time since the request arrived. The monitoring service counts and
 * times requests with it. */
typedef void (*dispatch_observer)(const op_call *call, int status, int64_t elapsed_us);
/* Installs the observer (before the HTTP server starts); NULL removes it. */
void dispatch_set_observer(dispatch_observer observer);

#endif
