/* validate.h - checks a decoded request against the constraints of the service model. */
#ifndef KINESD_VALIDATE_H
#define KINESD_VALIDATE_H

#include <stdbool.h>

#include "awserr.h"
#include "model.h"
#include "value.h"

/* Checks required members, string/blob/list/map length (min/max), integer range, enum and pattern
 * constraints of the whole input, recursively. On failure: ValidationException (HTTP 400) with
 * AWS's message text, the violations listed (at most 10, as AWS does), e.g. "2 validation errors
 * detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null; Value
 * '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to
 * 1". Members are checked in the model's order. */
bool validate_input(const model_op *op, const kval *input, aws_error *err);

/* Checks one value against a shape as validate_input does, with `path` naming it in messages. */
bool validate_value(const model_shape *shape, const kval *value, const char *path, aws_error *err);

#endif
