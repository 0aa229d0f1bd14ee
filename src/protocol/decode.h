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

/* CBOR 1.1 body (application/x-amz-cbor-1.1) -> the same tree, with the same errors for mistyped
 * values; malformed CBOR, trailing bytes and NaN/infinite numbers are a bare
 * SerializationException. Read with libcbor's streaming decoder only. */
kval *decode_cbor(const model_op *op, const void *body, size_t len, arena *a, aws_error *err);

/* Whether err (set by a decoder) says the body could not be read at all. */
static inline bool decode_unreadable(const aws_error *err)
{
    return err->message.len == 0;
}

/* Whether body is one well-formed JSON value (nothing after it but whitespace). */
bool decode_json_readable(const char *body, size_t len);

#endif
