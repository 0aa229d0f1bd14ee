/* fuzz_proto_cbor.c - CBOR request bodies: CBOR 1.1 (Kinesis, as the AWS SDKs for Java send it) and
 * Smithy RPC v2 CBOR (CloudWatch), through decode_cbor / decode_cbor_rpcv2 and the model's
 * validation, for every operation of those models (input: "OperationName\n" then the body; see
 * proto_input.h). */
#include "proto_input.h"

/* The decoder the operation's model speaks. */
static kval *decode_cbor_body(const model_op *op, const void *body, size_t len, arena *a,
                              aws_error *err)
{
    return model_protocol(model_op_model(op)) == WIRE_RPCV2_CBOR
               ? decode_cbor_rpcv2(op, body, len, a, err)
               : decode_cbor(op, body, len, a, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_request_body(decode_cbor_body, "SerializationException", data, size);
    return 0;
}
