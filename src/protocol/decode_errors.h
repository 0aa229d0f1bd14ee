/* decode_errors.h - the SerializationException texts AWS gives when a value on the wire is not of
 * the type the model expects, shared by the JSON and CBOR decoders. */
#ifndef KINESD_DECODE_ERRORS_H
#define KINESD_DECODE_ERRORS_H

#include <stddef.h>

#include "awserr.h"
#include "shape.h"

typedef enum { WIRE_BOOL, WIRE_NUMBER, WIRE_STRING, WIRE_LIST, WIRE_MAP } wire_kind;

/* Sets the SerializationException for a `got` value where shape s was expected. For a string, str
 * and len are its text (AWS quotes it when a boolean was expected). */
void decode_type_error(aws_error *err, const model_shape *s, wire_kind got, const char *str,
                       size_t len);
/* Sets a SerializationException with the given text (empty: AWS's bare error for unreadable
 * bodies). */
void decode_error(aws_error *err, const char *message);

#endif
