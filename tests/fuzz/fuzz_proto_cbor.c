/* fuzz_proto_cbor.c - CBOR 1.1 request bodies (the AWS SDKs for Java): decode_cbor and the model's
 * validation, for every operation of the model (input: "OperationName\n" then the body; see
 * proto_input.h). */
#include "proto_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_request_body(decode_cbor, data, size);
    return 0;
}
