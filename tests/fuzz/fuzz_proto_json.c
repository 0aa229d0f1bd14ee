/* fuzz_proto_json.c - JSON 1.1 request bodies: decode_json and the model's validation, for every
 * operation of the model (input: "OperationName\n" then the body; see proto_input.h). */
#include "proto_input.h"

static kval *decode_json_body(const model_op *op, const void *body, size_t len, arena *a,
                              aws_error *err)
{
    return decode_json(op, body, len, a, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_request_body(decode_json_body, "SerializationException", data, size);
    return 0;
}
