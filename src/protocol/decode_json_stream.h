/* decode_json_stream.h - the two readers behind decode_json (decode.h), for decode_json.c and
 * for the tests that hold them against each other.
 *
 * decode_json reads a body with the streaming reader first: one pass over the bytes, driven by
 * the input shape, writing straight into the request's arena. The streaming reader takes only
 * bodies it reads exactly as the json-c reader would (the same tree, value for value); every
 * other body, and so every refused one, goes to the json-c reader, whose SerializationException
 * texts are the protocol's. The error messages thus have one source. */
#ifndef KINESD_DECODE_JSON_STREAM_H
#define KINESD_DECODE_JSON_STREAM_H

#include <stddef.h>

#include "../common/arena.h"
#include "awserr.h"
#include "shape.h"
#include "value.h"

/* The body (len > 0) as one value of `shape`, or NULL when the streaming reader does not take it:
 * anything that is not well-formed JSON of the shape's types, a duplicate key, a null in a map,
 * a number other than an integer of at most 18 digits, a \u0000 or surrogate escape, an
 * escaped structure key, nesting deeper than JSON_STREAM_MAX_DEPTH. May have allocated from `a`
 * when it gives up. */
kval *decode_json_stream(const model_shape *shape, const char *body, size_t len, arena *a);

/* Containers the streaming reader follows into; deeper bodies go to json-c (which takes 64). */
#define JSON_STREAM_MAX_DEPTH 32

/* The json-c reader: parses the whole body, then walks the tree against the shape. NULL +
 * SerializationException when it cannot be read as the shape. */
kval *decode_json_dom(const model_shape *shape, const char *body, size_t len, arena *a,
                      aws_error *err);

#endif
