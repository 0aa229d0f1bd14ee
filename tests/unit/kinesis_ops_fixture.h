/* kinesis_ops_fixture.h - shared by the server unit tests that call operations as the dispatcher
 * calls them: a JSON body decoded against the model, the handler from the operation table, the
 * output written as JSON and read back with json-c, and small readers for paths in that output.
 * Header-only: each test file is its own executable. */
#ifndef KINESD_KINESIS_OPS_FIXTURE_H
#define KINESD_KINESIS_OPS_FIXTURE_H

#include <json-c/json.h>

#include "common/buf.h"
#include "protocol/decode.h"
#include "protocol/model.h"
#include "kinesis/kinesis.h"
#include "kinesis_fixture.h"

#define ACCOUNT "123456789012"
#define REGION "us-east-1"

/* The result of one call: the output parsed, or the error. */
typedef struct result {
    json_object *out;
    char type[64];
    char message[1024];
    int status;
} result;

static inline result call_op(const char *operation, const char *body)
{
    result r = {0};
    arena a;
    arena_init(&a);
    aws_error err;
    aws_error_init(&err);
    kval *in = decode_json(model_find_op(model_get(MODEL_KINESIS), operation), body, strlen(body),
                           &a, &err);
    assert_non_null(in);
    kbuf out = KBUF_INIT;
    kenc e;
    enc_init(&e, ENC_JSON, &out);
    op_call call = {.operation = operation,
                    .account = ACCOUNT,
                    .region = REGION,
                    .input = in,
                    .arena = &a,
                    .now_ms = now_ms,
                    .out = &e,
                    .err = &err};
    const op_entry *entry = kinesis_find_op(operation);
    assert_non_null(entry);
    entry->handler(&call);
    if (err.status) {
        r.status = err.status;
        snprintf(r.type, sizeof(r.type), "%s", err.type);
        snprintf(r.message, sizeof(r.message), "%s", err.message.data ? err.message.data : "");
    } else {
        r.out = json_tokener_parse(out.data);
        assert_non_null(r.out);
    }
    kbuf_free(&out);
    aws_error_free(&err);
    arena_free(&a);
    return r;
}

/* Calls an operation that must succeed. */
static inline json_object *ok(const char *operation, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline json_object *ok(const char *operation, const char *fmt, ...)
{
    char body[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof(body), fmt, ap);
    va_end(ap);
    result r = call_op(operation, body);
    if (r.status)
        fail_msg("%s %s: %s: %s", operation, body, r.type, r.message);
    return r.out;
}

/* Calls an operation that must fail with the given type; returns its message. */
static inline const char *fails(const char *type, const char *operation, const char *body)
{
    static char message[1024];
    result r = call_op(operation, body);
    if (!r.status)
        fail_msg("%s %s: succeeded, wanted %s", operation, body, type);
    assert_string_equal(r.type, type);
    snprintf(message, sizeof(message), "%s", r.message);
    return message;
}

/* Calls an operation that must fail with the given type and message. */
static inline void fails_with(const char *type, const char *message, const char *operation,
                              const char *body)
{
    assert_string_equal(fails(type, operation, body), message);
}

/* The value at a dotted path ("Shards.0.ShardId": array items by index), or NULL. */
static inline json_object *at(json_object *o, const char *path)
{
    char key[128];
    while (o && *path) {
        size_t n = strcspn(path, ".");
        snprintf(key, sizeof(key), "%.*s", (int)n, path);
        if (json_object_is_type(o, json_type_array))
            o = json_object_array_get_idx(o, (size_t)atoi(key));
        else if (!json_object_object_get_ex(o, key, &o))
            o = NULL;
        path += n + (path[n] == '.');
    }
    return o;
}

static inline const char *str_at(json_object *o, const char *path)
{
    json_object *v = at(o, path);
    return v ? json_object_get_string(v) : NULL;
}

static inline size_t len_at(json_object *o, const char *path)
{
    json_object *v = at(o, path);
    return v ? json_object_array_length(v) : 0;
}

static inline int64_t int_at(json_object *o, const char *path)
{
    json_object *v = at(o, path);
    assert_non_null(v);
    return json_object_get_int64(v);
}

#endif
