/* fuzz_proto_query.c - form-encoded request bodies of the query protocols (IAM, STS):
 * query_form_parse, decode_query and the model's validation, for every operation of those models
 * (input: "SERVICE/OperationName\n" then the form, "UserName=bob&Tags.member.1.Key=team"; see
 * proto_input.h). */
#include "proto_input.h"

static kval *decode_form(const model_op *op, const void *body, size_t len, arena *a, aws_error *err)
{
    query_form form = {0};
    query_form_parse(&form, body, len, a);
    return decode_query(op, &form, a, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_request_body(decode_form, "ValidationError", data, size);
    return 0;
}
