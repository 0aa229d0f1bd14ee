/* proto_input.h - what the request-body fuzz targets (fuzz_proto_json, _cbor, _query) share: the
 * input format, the run of decoder + validation, and the properties every outcome must have.
 *
 * An input is an operation name, a newline, and the body ("PutRecords\n{...}"); the name is a
 * Kinesis operation's, or "SERVICE/Operation" for another model kinesd carries ("sqs/SendMessage",
 * SERVICE being its SigV4 signing name); a name no model has is skipped. The seed corpus holds one
 * body per operation, so the fuzzer starts from every operation of the models. Properties
 * checked on every input:
 *   - a refused body is a 400 of the decoder's type (SerializationException; ValidationError for
 *     the query protocols), a body breaking the model's constraints a 400 ValidationException;
 *     the error encodes in both wire formats;
 *   - a decoded tree has the type its shape says at every level, known members only, UTF-8 text
 *     (a client must be able to read back what kinesd stores), integers within their Java type;
 *   - a message quotes no more than AWS_QUOTE_MAX bytes of any value.
 * Header-only: each fuzz target is its own executable. */
#ifndef KINESD_FUZZ_PROTO_INPUT_H
#define KINESD_FUZZ_PROTO_INPUT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "fuzz_check.h"
#include "protocol/decode.h"
#include "protocol/encoder.h"
#include "protocol/validate.h"

typedef kval *(*body_decoder)(const model_op *op, const void *body, size_t len, arena *a,
                              aws_error *err);

static void check_tree(const model_shape *s, const kval *v);

static void check_structure(const model_shape *s, const kval *v)
{
    for (size_t i = 0; i < v->u.map.n; i++) {
        const model_member *m = shape_find_member(s, v->u.map.keys[i], strlen(v->u.map.keys[i]));
        FUZZ_REQUIRE(m != NULL);
        check_tree(m->shape, &v->u.map.vals[i]);
    }
}

/* v has the type shape s gives it, all the way down. */
static void check_tree(const model_shape *s, const kval *v)
{
    switch (s->type) {
    case SHAPE_STRUCTURE:
        FUZZ_REQUIRE(v->type == KV_MAP);
        check_structure(s, v);
        break;
    case SHAPE_MAP:
        FUZZ_REQUIRE(v->type == KV_MAP);
        for (size_t i = 0; i < v->u.map.n; i++) {
            FUZZ_REQUIRE(utf8_valid(v->u.map.keys[i], strlen(v->u.map.keys[i])));
            check_tree(s->value, &v->u.map.vals[i]);
        }
        break;
    case SHAPE_LIST:
        FUZZ_REQUIRE(v->type == KV_LIST);
        for (size_t i = 0; i < v->u.list.n; i++)
            if (v->u.list.items[i].type != KV_NULL) /* a null item is validation's to report */
                check_tree(s->member, &v->u.list.items[i]);
        break;
    case SHAPE_STRING:
        FUZZ_REQUIRE(v->type == KV_STRING);
        FUZZ_REQUIRE(utf8_valid(v->u.s.ptr, v->u.s.len));
        FUZZ_REQUIRE(v->u.s.ptr[v->u.s.len] == '\0');
        break;
    case SHAPE_BLOB:
        FUZZ_REQUIRE(v->type == KV_BLOB);
        break;
    case SHAPE_INTEGER:
        FUZZ_REQUIRE(v->type == KV_INT && v->u.i >= INT32_MIN && v->u.i <= INT32_MAX);
        break;
    case SHAPE_LONG:
        FUZZ_REQUIRE(v->type == KV_INT);
        break;
    case SHAPE_DOUBLE:
        FUZZ_REQUIRE(v->type == KV_DOUBLE);
        break;
    case SHAPE_BOOLEAN:
        FUZZ_REQUIRE(v->type == KV_BOOL);
        break;
    case SHAPE_TIMESTAMP:
        FUZZ_REQUIRE(v->type == KV_TIMESTAMP);
        break;
    }
}

/* The error is a client error of the expected type and writes a body in both formats. */
static void check_error(const aws_error *err, const char *type)
{
    FUZZ_REQUIRE(err->status == 400 && strcmp(err->type, type) == 0);
    /* at most ten violations, each quoting one value cut at AWS_QUOTE_MAX bytes, a path and the
     * constraint (the longest, an enum or a pattern, is well under 4 KiB) */
    FUZZ_REQUIRE(err->message.len <= 10 * (AWS_QUOTE_MAX + 4096));
    for (int format = ENC_JSON; format <= ENC_CBOR; format++) {
        kbuf out = KBUF_INIT;
        enc_error((enc_format)format, &out, err->type, err->message.data, err->message.len);
        FUZZ_REQUIRE(out.len > 0);
        kbuf_free(&out);
    }
}

/* Every model, loaded once. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    for (int id = 0; id < MODEL_COUNT; id++)
        FUZZ_REQUIRE(model_get((model_id)id) != NULL);
    return 0;
}

/* The operation "Name" (Kinesis) or "service/Name" names; NULL when no model has it. */
static const model_op *find_op(const char *name)
{
    const char *slash = strchr(name, '/');
    if (!slash)
        return model_find_op(model_get(MODEL_KINESIS), name);
    for (int id = 0; id < MODEL_COUNT; id++) {
        const service_model *m = model_get((model_id)id);
        const char *service = model_signing_name(m);
        if (service && strlen(service) == (size_t)(slash - name) &&
            strncmp(service, name, (size_t)(slash - name)) == 0)
            return model_find_op(m, slash + 1);
    }
    return NULL;
}

/* Runs one input through decode (and validation when it decodes), checking the properties. */
static void fuzz_request_body(body_decoder decode, const char *refusal, const uint8_t *data,
                              size_t size)
{
    const uint8_t *newline = memchr(data, '\n', size);
    if (!newline || newline - data > 96)
        return;
    char name[97];
    memcpy(name, data, (size_t)(newline - data));
    name[newline - data] = '\0';
    const model_op *op = find_op(name);
    if (!op)
        return;
    const uint8_t *body = newline + 1;
    size_t body_len = size - (size_t)(body - data);
    arena a;
    arena_init(&a);
    aws_error err;
    aws_error_init(&err);
    kval *input = decode(op, body, body_len, &a, &err);
    if (!input) {
        check_error(&err, refusal);
    } else {
        FUZZ_REQUIRE(err.status == 0);
        if (model_op_input(op))
            check_tree(model_op_input(op), input);
        if (!validate_input(op, input, &err))
            check_error(&err, "ValidationException");
    }
    aws_error_free(&err);
    arena_free(&a);
}

#endif
