/* call.h - what an operation sees: the decoded request in, an encoder and an error out; and the
 * table entry that says how the core runs it.
 *
 * The core decodes and validates the request against the service's model, identifies and
 * authorizes the caller, then runs the handler where its entry says (see op_mode and
 * docs/threading.md), so a handler only checks what the model cannot say (existence, state,
 * limits). A handler either writes its output structure to `out` (exactly one top-level map) or
 * sets `err`. A handler that appended records sets commit_ticket: the response is held until the
 * store reports the ticket durable. A handler that cannot answer yet (a long poll, a function
 * invocation) sets `deferred` and later calls call_complete from any thread, exactly once. A
 * streaming operation (SubscribeToShard) answers the exchange itself, over time, from the
 * request's loop thread: it sets exchange_taken, and the core sends nothing (unless err is set).
 * A handler that wants to know when its answer went out (to record the operation's latency, say)
 * sets `answered`: the core calls it on the loop thread after sending, before the call is freed. */
#ifndef KINESD_CALL_H
#define KINESD_CALL_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/arena.h"
#include "../common/buf.h"
#include "../net/http.h"
#include "../protocol/awserr.h"
#include "../protocol/encoder.h"
#include "../protocol/value.h"
#include "caller.h"

struct service;

typedef struct op_call {
    const char *operation;         /* "PutRecords" */
    const struct service *service; /* the service the operation belongs to */
    const caller *who;             /* the authenticated caller */
    /* The account the call acts in: the caller's (who->account, "000000000000"), or - when
     * another account's resource policy let the caller use that account's resource (verify
     * mode) - the resource's owner, so the handler finds the resource where it lives. */
    const char *account;
    const char *region;          /* who->region: from the SigV4 credential scope */
    const char *request_id;      /* the answer's x-amzn-RequestId */
    const kval *input;           /* KV_MAP of the operation's input shape */
    const http_request *request; /* the raw request; valid until the call completes */
    arena *arena;                /* scratch that lives as long as the call */
    int64_t now_ms;              /* wall clock when the request arrived */
    kenc *out;                   /* the response body's encoder */
    aws_error *err;              /* set on failure; the core answers it */
    int status;                  /* the success status; 0 = the protocol's default */
    kbuf headers;                /* extra response headers, "Name: value\0" each */
    uint64_t commit_ticket;      /* the reply waits until the store reports this durable */
    http_exchange *exchange;     /* the request's, for streaming operations (loop thread) */
    uv_loop_t *loop;             /* the loop thread the request arrived on */
    bool exchange_taken;         /* the handler answers the exchange itself */
    bool deferred;               /* the handler calls call_complete later */
    /* After the answer (or error) was sent, with the time since the request arrived; NULL: none. */
    void (*answered)(struct op_call *call, int64_t elapsed_us);
    void *answered_arg; /* for `answered` (in the call's arena, typically) */
} op_call;

typedef void (*op_handler)(op_call *call);

/* Where and how the core runs a handler (docs/threading.md is the contract). */
typedef enum {
    OP_LOOP,      /* on the request's loop thread; takes the locks it needs; never blocks */
    OP_LOOP_READ, /* on the loop thread, the service's state lock held shared around it */
    OP_CONTROL,   /* on the service's control thread, one at a time with the service's other
                     control operations and its tick: may use SQLite, files and the store's
                     barriers; changes shared state only under the state lock, held exclusively
                     for in-memory work alone */
} op_mode;

/* Fills up to `max` resource ARNs the call's action applies to (into the call's arena) and returns
 * how many; -1 with call->err set when the input names no valid resource. */
typedef int (*op_resources_fn)(op_call *call, const char **arns, int max);

typedef struct op_entry {
    const char *name;          /* the operation's name in the service model */
    op_handler handler;        /* runs it */
    op_mode mode;              /* where it runs */
    const char *action;        /* IAM action ("kinesis:PutRecord"); NULL: any caller may call it */
    op_resources_fn resources; /* the ARNs the action applies to; NULL: "*" */
} op_entry;

/* Sets the error the service's model defines as `error_shape` ("NoSuchEntityException"): its
 * code (query protocols) or name as the type, its HTTP status (400 when the model has none). */
void call_fail(op_call *call, const char *error_shape, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends a response header ("X-Amz-Function-Error: Unhandled"), printf-style. */
void call_header(op_call *call, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Finishes a deferred call (any thread, exactly once): its response (or err) is sent from the
 * request's loop thread. The call must not be touched afterwards. */
void call_complete(op_call *call);

#endif
