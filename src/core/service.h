/* service.h - the services kinesd serves on its one port, as the core sees them.
 *
 * Each service (src/kinesis, src/iam, src/sqs, src/lambda, src/monitoring, ...) describes itself
 * with a `service`: its model, its operation table, the lock over its in-memory state, and the
 * hooks the core calls. kinesd/main.c opens each service and registers it; the core never
 * includes a service. The core routes a request to a service by what the request says: the
 * X-Amz-Target prefix (JSON protocols), the Smithy RPC v2 path, the credential scope's service
 * name (query protocols), or the method and path (REST protocols, plain HTTP routes).
 *
 * Every service gets a control thread (docs/threading.md): its OP_CONTROL operations and its tick
 * run there, one at a time. */
#ifndef KINESD_SERVICE_H
#define KINESD_SERVICE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../protocol/model.h"
#include "call.h"

typedef struct core_worker core_worker;

/* A plain HTTP route of a service that is not an AWS API call (GET /metrics, the console, the
 * Lambda Runtime API): the handler gets the raw request on its loop thread and answers it with
 * http_respond, then or later. */
typedef void (*route_handler)(http_exchange *ex, const http_request *req, const caller *who);

typedef struct service_route {
    const char *method; /* "GET"; NULL: any */
    const char *prefix; /* the path starts with this ("/console/") */
    route_handler handler;
    /* The request must be signed: the core authenticates the caller first (verify mode checks
     * the signature, open mode believes it) and hands it to the handler, else answers AWS's
     * error. false: anyone may ask, and the handler gets who == NULL. */
    bool signed_only;
} service_route;

/* What a service tells the authorizer about one of its resources (service.resource_access). */
typedef struct resource_access {
    const char *policy;    /* its resource policy document; NULL when it has none */
    const char **tag_keys; /* its tags (aws:ResourceTag/...) */
    const char **tag_values;
    size_t tag_count;
} resource_access;

typedef struct service {
    const char *name; /* "kinesis": logs, and the SigV4 signing name it answers */
    model_id model;   /* its API (ignored when routes_only) */
    /* The service serves plain routes only (the console): it has no API, no model, no operations
     * and no control thread; the lookups by target, signing name, model and ARN and
     * service_each skip it. */
    bool routes_only;
    const op_entry *ops;         /* its operations, NULL-terminated, in any order */
    pthread_rwlock_t *lock;      /* over its in-memory state (OP_LOOP_READ takes it shared) */
    const service_route *routes; /* plain HTTP routes, NULL-terminated; NULL if none */
    /* Every tick_ms on the control thread (transitions, retention, timeouts); NULL if none. */
    void (*tick)(int64_t now_ms);
    int tick_ms;
    /* The service checks its input against the model itself: the core decodes (types) the
     * input but does not answer ValidationException (CloudWatch and SQS answer MissingParameter,
     * InvalidParameterValue... as their query protocols did). */
    bool own_validation;
    /* On every loop thread whenever the store made more tickets durable (push to subscribers). */
    void (*on_durable)(void);
    /* On the loop thread, once a call is authorized and before its handler is run or queued:
     * false (with call->err set: a rate limit, say) refuses it. NULL: every call runs. */
    bool (*admit)(op_call *call, const op_entry *entry);
    /* The policy and tags of the resource `arn`, copied into `a`; false when the service knows
     * no such resource. Any thread, never blocks. NULL: the service has no resource policies or
     * tags. A service calls service_access_changed after it changed either. */
    bool (*resource_access)(const char *arn, arena *a, resource_access *out);
    /* Sets call->err to the service's own refusal of an unauthorized call, whose text (AWS's
     * "User: ... is not authorized to perform: ...") is `message`; NULL: AccessDeniedException,
     * HTTP 400, as Kinesis answers. */
    void (*access_denied)(op_call *call, const char *message);
    /* The core's state of the service, filled by service_register. */
    core_worker *worker;         /* its control thread; NULL when routes_only */
    const service_model *schema; /* the loaded model; NULL when routes_only */
    const op_entry **bound; /* the entry of each model operation (model_op_index); NULL: none */
} service;

/* Registers a service and starts its control thread (a routes_only one: only its routes); before
 * the HTTP server starts. -1 when its model cannot be loaded or its table names an operation the
 * model lacks (logged). */
int service_register(service *svc);
/* Stops every service's control thread (after the HTTP server stopped); finishes queued work. */
void service_stop_all(void);

/* Lookups for the dispatcher. */
const service *service_by_target(const char *prefix, size_t len); /* X-Amz-Target prefix */
const service *service_by_signing_name(const char *name);         /* credential scope */
const service *service_by_model(model_id model);
const op_entry *service_find_op(const service *svc, const model_op *op);
/* The route whose method and path prefix match; NULL if none (svc gets its service). */
const service_route *service_find_route(const char *method, const char *path, const service **svc);
/* The owner of an ARN ("arn:aws:SERVICE:..."): the service whose signing name is SERVICE. */
const service *service_by_arn(const char *arn);

/* For resource_access hooks: copies the policy (NULL or "": none) into a and makes room for
 * tag_count tags, which resource_access_tag then copies in, i from 0. */
void resource_access_begin(resource_access *out, arena *a, const char *policy, size_t tag_count);
void resource_access_tag(resource_access *out, arena *a, size_t i, const char *key,
                         const char *value);

/* Resource policies and tags changed somewhere: cached authorization decisions are stale. */
void service_access_changed(void);
/* Counts those changes (decision caches remember the count they were filled at). */
uint64_t service_access_generation(void);

/* Calls fn for every registered service that has an API (routes-only services are left out). */
void service_each(void (*fn)(const service *svc, void *arg), void *arg);

#endif
