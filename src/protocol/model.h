/* model.h - the AWS service models kinesd serves, each loaded from the copy embedded in the binary.
 *
 * A model is compiled on first use (thread-safe), so a server that never sees an IAM request never
 * parses the IAM model. Everything a model hands out lives until model_unload. */
#ifndef KINESD_MODEL_H
#define KINESD_MODEL_H

#include "shape.h"

typedef enum {
    MODEL_KINESIS,
    MODEL_IAM,
    MODEL_STS,
    MODEL_SQS,
    MODEL_LAMBDA,
    MODEL_CLOUDWATCH,
    MODEL_COUNT
} model_id;

/* The wire protocols the models declare ("protocol" in their metadata). */
typedef enum {
    WIRE_JSON,      /* awsJson 1.0 / 1.1: POST, X-Amz-Target, JSON body (Kinesis also takes CBOR) */
    WIRE_REST_JSON, /* method + URI template, members bound to path, query, headers and body */
    WIRE_QUERY,     /* form-encoded Action=...; XML responses */
    WIRE_RPCV2_CBOR /* Smithy RPC v2: POST /service/S/operation/O, CBOR body */
} wire_protocol;

typedef struct service_model service_model;
typedef struct model_op model_op; /* an operation of a service model */

/* The model, compiled on its first use; NULL when it cannot be loaded (logged). */
const service_model *model_get(model_id id);
/* Releases every model loaded (tests and clean shutdown); none may be in use. */
void model_unload(void);
/* Compiles every model on a thread of its own, so that start-up can do its I/O meanwhile
 * (model_get waits for a model being compiled); model_preload_join waits for that thread. A
 * preload that cannot start leaves each model to its first use. */
void model_preload_start(void);
void model_preload_join(void);

/* Metadata. The signing name is the SigV4 credential scope's service ("kinesis", "iam",
 * "monitoring"); the target prefix is X-Amz-Target's ("Kinesis_20131202"), NULL for non-JSON
 * protocols; the JSON version is "1.0" or "1.1" (NULL when not JSON). */
model_id model_which(const service_model *m);
wire_protocol model_protocol(const service_model *m);
const char *model_signing_name(const service_model *m);
const char *model_target_prefix(const service_model *m);
const char *model_json_version(const service_model *m);
const char *model_api_version(const service_model *m);
const char *model_xml_namespace(const service_model *m); /* query protocols; else NULL */

const model_op *model_find_op(const service_model *m, const char *name); /* NULL if none */
size_t model_op_count(const service_model *m);
const model_op *model_op_at(const service_model *m, size_t i); /* in name order */
size_t model_op_index(const model_op *op);                     /* its i in model_op_at */

const service_model *model_op_model(const model_op *op);
const char *model_op_name(const model_op *op);
const model_shape *model_op_input(const model_op *op);  /* NULL when the op takes no input */
const model_shape *model_op_output(const model_op *op); /* NULL when the op has no output */
/* The HTTP binding: method ("POST"), URI template ("/2015-03-31/functions/{FunctionName}"),
 * success status (200 unless the model says otherwise). */
const char *model_op_http_method(const model_op *op);
const char *model_op_request_uri(const model_op *op);
int model_op_response_code(const model_op *op);
/* Query protocols: the element wrapping the output ("CreateUserResult"); NULL if none. */
const char *model_op_result_wrapper(const model_op *op);

/* Every shape of a model, in name order. */
size_t model_shape_count(const service_model *m);
const model_shape *model_shape_at(const service_model *m, size_t i);
const model_shape *model_find_shape(const service_model *m, const char *name);

#endif
