/* fuzz_proto_json_stream.c - the streaming JSON reader against the json-c reader, on every
 * operation of every model (input as fuzz_proto_json's: "OperationName\n" then the body): what
 * the streaming reader takes, json-c's reader takes too, into an equal tree; decode_json (the two
 * together) accepts and refuses exactly what json-c's reader does, with the same error text; and
 * every outcome has the properties proto_input.h checks. */
#include "proto_input.h"
#include "protocol/decode_json_stream.h"

static const model_shape *input_shape(const model_op *op)
{
    static const model_shape no_input = {.name = "", .type = SHAPE_STRUCTURE};
    return model_op_input(op) ? model_op_input(op) : &no_input;
}

static bool same_error(const aws_error *a, const aws_error *b)
{
    return a->status == b->status && (!a->status || strcmp(a->type, b->type) == 0) &&
           a->message.len == b->message.len &&
           (!a->message.len || memcmp(a->message.data, b->message.data, a->message.len) == 0);
}

static kval *decode_both_ways(const model_op *op, const void *body, size_t len, arena *a,
                              aws_error *err)
{
    aws_error dom_err;
    aws_error_init(&dom_err);
    kval *streamed = len ? decode_json_stream(input_shape(op), body, len, a) : NULL;
    kval *dom = decode_json_dom(input_shape(op), body, len, a, &dom_err);
    kval *both = decode_json(op, body, len, a, err);
    FUZZ_REQUIRE(!streamed || (dom && kv_equal(streamed, dom)));
    FUZZ_REQUIRE((both == NULL) == (dom == NULL));
    FUZZ_REQUIRE(!dom || kv_equal(both, dom));
    FUZZ_REQUIRE(same_error(err, &dom_err));
    aws_error_free(&dom_err);
    return both;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_request_body(decode_both_ways, "SerializationException", data, size);
    return 0;
}
