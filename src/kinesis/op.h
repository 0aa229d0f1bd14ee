/* op.h - what an operation sees: the decoded request in, an encoder and an error out.
 *
 * The dispatcher decodes and validates the body against the service model before calling the
 * handler, so a handler only checks what the model cannot say (existence, state, limits). A handler
 * either writes its output structure to `out` (exactly one top-level map) or sets `err`. A handler
 * that appended records sets commit_ticket: the response is held until the store reports the
 * ticket durable. A streaming operation (SubscribeToShard) answers the exchange itself, over
 * time, from the request's loop thread: it sets exchange_taken, and the dispatcher sends nothing
 * (unless err is set). */
#ifndef KINESD_OP_H
#define KINESD_OP_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/arena.h"
#include "../net/http.h"
#include "../protocol/awserr.h"
#include "../protocol/encoder.h"
#include "../protocol/value.h"

typedef struct op_call {
    const char *operation; /* "PutRecords" */
    const char *account;   /* from the SigV4 credential scope; "000000000000" by default */
    const char *region;    /* from the SigV4 credential scope; "us-east-1" by default */
    const kval *input;     /* KV_MAP of the operation's input shape */
    arena *arena;          /* scratch that lives as long as the request */
    int64_t now_ms;        /* wall clock: timestamps clients see */
    int64_t mono_ms;       /* monotonic clock: when deadlines (transitions, lifetimes) run out */
    kenc *out;
    aws_error *err;
    uint64_t commit_ticket;
    http_exchange *exchange; /* the request's, for streaming operations */
    uv_loop_t *loop;         /* the loop thread the request runs on */
    bool exchange_taken;     /* the handler answers the exchange itself */
} op_call;

typedef void (*op_handler)(op_call *call);

/* The handler for an operation name of the model, or NULL when kinesd does not implement it. */
op_handler op_lookup(const char *operation);

#endif
