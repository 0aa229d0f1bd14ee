/* decode_errors.h - what the JSON and CBOR decoders share: the SerializationException texts AWS
 * gives when a value on the wire is not of the type the model expects, and the range of the
 * model's integer types. */
#ifndef KINESD_DECODE_ERRORS_H
#define KINESD_DECODE_ERRORS_H

#include <stddef.h>
#include <stdint.h>

#include "awserr.h"
#include "shape.h"

typedef enum { WIRE_BOOL, WIRE_NUMBER, WIRE_STRING, WIRE_LIST, WIRE_MAP } wire_kind;

/* Sets the SerializationException for a `got` value where shape s was expected. For a string, str
 * and len are its text (AWS quotes it when a boolean was expected). */
void decode_type_error(aws_error *err, const model_shape *s, wire_kind got, const char *str,
                       size_t len);
/* v held to the range of s's Java type: an "integer" is 32 bits, a "long" 64. A number beyond it
 * reads as the nearest end of the range, so that no operation ever sees a value its type cannot
 * hold (ShardCount 2^63 - 1 reads as 2^31 - 1, which the shard limit then refuses). AWS's own
 * answer to such numbers is not known. */
int64_t decode_integer_in_range(const model_shape *s, int64_t v);
/* Sets a SerializationException with the given text (empty: AWS's bare error for unreadable
 * bodies). */
void decode_error(aws_error *err, const char *message);

#endif
