/* decode.h - request bodies to kval trees typed by the service model.
 *
 * The decoders never judge constraints (validate.h does); they only refuse bodies that cannot be
 * read as the operation's input shape, with AWS's SerializationException texts. Two kinds of
 * refusal differ in when AWS gives them: a body that cannot be read at all (decode_unreadable:
 * the bare SerializationException, no message) is answered before the caller is authenticated;
 * a readable body whose values have the wrong types (a message says which) after. */
#ifndef KINESD_DECODE_H
#define KINESD_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/arena.h"
#include "awserr.h"
#include "model.h"
#include "value.h"

/* JSON 1.1 body -> KV_MAP typed by the op's input shape. NULL + SerializationException on bad JSON,
 * trailing garbage, wrong member types, bad base64 in a blob, bad timestamp. An empty body is an
 * empty map. Unknown members and JSON nulls are ignored (AWS ignores them). Allocates from a. */
kval *decode_json(const model_op *op, const char *body, size_t len, arena *a, aws_error *err);
/* The same for a body that is one value of `shape` (a REST payload member). */
kval *decode_json_shape(const model_shape *shape, const char *body, size_t len, arena *a,
                        aws_error *err);

/* CBOR 1.1 body (application/x-amz-cbor-1.1) -> the same tree, with the same errors for mistyped
 * values; malformed CBOR, trailing bytes and NaN/infinite numbers are a bare
 * SerializationException. Read with libcbor's streaming decoder only. */
kval *decode_cbor(const model_op *op, const void *body, size_t len, arena *a, aws_error *err);
/* The same for Smithy RPC v2 CBOR bodies, whose timestamps are epoch seconds (integer or float). */
kval *decode_cbor_rpcv2(const model_op *op, const void *body, size_t len, arena *a, aws_error *err);

/* Whether err (set by a decoder) says the body could not be read at all. */
static inline bool decode_unreadable(const aws_error *err)
{
    return err->message.len == 0;
}

/* Whether body is one well-formed JSON value (nothing after it but whitespace). */
bool decode_json_readable(const char *body, size_t len);

/* A form-encoded request of the query protocols: "Action=CreateUser&Version=2010-05-08&
 * UserName=bob&Tags.member.1.Key=team" (body, or the URL's query string). */
typedef struct query_param {
    const char *name;  /* percent-decoded, '+' read as a space */
    const char *value; /* likewise */
} query_param;

typedef struct query_form {
    query_param *params; /* in arrival order */
    size_t n;
} query_form;

/* Adds the pairs of text[0..len) to f (allocated from a). */
void query_form_parse(query_form *f, const char *text, size_t len, arena *a);
/* The value of the first pair named `name`; NULL when absent. */
const char *query_form_get(const query_form *f, const char *name);

/* A query form -> the op's input tree: structure members by name (or locationName) joined with
 * '.', lists as NAME.member.N (NAME.N when flattened), maps as NAME.entry.N.key/.value, N from 1;
 * "NAME=" alone is an empty list. Members the shape lacks (Action, Version, X-Amz-*) are
 * ignored. NULL + ValidationError for a value that is not of its member's type. */
kval *decode_query(const model_op *op, const query_form *f, arena *a, aws_error *err);

#endif
