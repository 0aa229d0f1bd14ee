/* core_internal.h - the inside of the core, shared by its files. Not for services.
 *
 *   dispatch.c  the pipeline: a request's route, checks, caller, and where its handler runs
 *   reply.c     wire formats: how a request's answer (or error) is encoded and sent
 *   rest.c      the REST-JSON protocol: routing by method and URI template, binding, errors
 *   loops.c     each loop thread's state: replies waiting for durability, calls completed on
 *               other threads, the wake-ups that bring both back to the loop
 *
 * A core_request is one API call from decoding to its answer. It is made on its loop thread and
 * answered there; in between it may visit the service's control thread (OP_CONTROL) or wait for
 * whoever calls call_complete (deferred). */
#ifndef KINESD_CORE_INTERNAL_H
#define KINESD_CORE_INTERNAL_H

#include <stdint.h>

#include "../common/uuid.h"
#include "../protocol/decode.h"
#include "call.h"
#include "service.h"

typedef struct loop_ctx loop_ctx;

/* How a request's answer is written: chosen from the request (content type, protocol). */
typedef struct reply_format {
    const char *content_type; /* "Content-Type: application/x-amz-json-1.1"; NULL: none */
    const char *extra_header; /* one more header the protocol wants ("smithy-protocol: ..") */
    enc_format enc;           /* how `out` encodes */
    bool epoch_seconds;       /* CBOR timestamps in epoch seconds (Smithy RPC v2), not ms */
    /* Writes the error body (and headers, via the call) of err; may restate err's type and
     * status in the protocol's terms (the query protocols' codes). */
    void (*write_error)(op_call *call, kbuf *body, aws_error *err, const char *request_id);
    /* Wraps a successful body as the protocol wants (query: <XResponse>...); NULL: as it is. */
    void (*finish_body)(op_call *call, kbuf *body, const char *request_id);
} reply_format;

typedef struct core_request {
    op_call call;               /* what the handler sees */
    arena mem;                  /* call.arena */
    aws_error err;              /* call.err */
    kenc enc;                   /* call.out, writing into body */
    kbuf body;                  /* the answer's body */
    caller who;                 /* call.who */
    query_form form;            /* query protocols: the request's form (URL and body) */
    const reply_format *format; /* how to answer */
    const service *svc;         /* NULL until routed */
    const model_op *op;         /* NULL until routed */
    const op_entry *entry;      /* NULL until routed */
    bool cors;                  /* the request has an Origin: answer with CORS headers */
    int64_t started_ns;         /* monotonic clock when the request arrived */
    const char *in;             /* the request body, inflated when it came gzipped */
    size_t in_len;              /* its length */
    loop_ctx *lc;               /* the request's loop */
    http_exchange *ex;          /* answered once, on the loop */
    char request_id[UUID_STR_LEN + 1];
    struct core_request *next; /* in its loop's completed or parked list */
} core_request;

/* loops.c */
uv_loop_t *loop_of(const loop_ctx *lc);
void loop_complete(core_request *r); /* any thread: hands a finished call back to its loop */
void loop_park(core_request *r);     /* loop thread: answer once call.commit_ticket is durable */

/* reply.c */
extern const reply_format reply_json10, reply_json11, reply_cbor, reply_rpcv2_cbor, reply_plain_xml,
    reply_coral_json, reply_query;
void reply_send(core_request *r);   /* loop thread: answers r (its body or its error) */
void reply_failed(core_request *r); /* loop thread: answers r InternalFailure (the store broke) */
/* Loop thread, after r was answered: tells the call's `answered` hook and the observer, frees r. */
void request_free(core_request *r);
/* Answers a CORS preflight (OPTIONS with Origin): 200, the asked headers and method allowed. */
void reply_preflight(http_exchange *ex, const http_request *req);

/* rest.c */
extern const reply_format reply_rest_json;
/* The REST-JSON operation whose method and URI template match req, with r->svc and r->format
 * set; NULL (nothing set) when no registered REST-JSON service has one. */
const model_op *rest_route(core_request *r, const http_request *req);
/* r->op's input bound from req's URI labels, query, headers and body; NULL with r->err set. */
kval *rest_decode(core_request *r, const http_request *req);

/* dispatch.c */
void request_finish(core_request *r);  /* loop thread: answer now, or park until durable */
void request_observe(core_request *r); /* loop thread: r was answered (its hooks) */

#endif
