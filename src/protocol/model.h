/* model.h - the Kinesis service model, loaded once from the copy embedded in the binary. */
#ifndef KINESD_MODEL_H
#define KINESD_MODEL_H

#include "shape.h"

typedef struct model_op model_op; /* an operation of the service model */

/* Parses the embedded model once at start-up and compiles its patterns; -1 on error (logged).
 * Calling it again after success does nothing. */
int model_load(void);
/* Releases everything model_load built (tests and clean shutdown). */
void model_unload(void);

const model_op *model_find_op(const char *name); /* "PutRecords" -> op, NULL if none */
const char *model_op_name(const model_op *op);
const model_shape *model_op_input(const model_op *op);  /* NULL when the op takes no input */
const model_shape *model_op_output(const model_op *op); /* NULL when the op has no output */

/* Every shape of the model (tests walk them, e.g. to check that each pattern compiled). */
size_t model_shape_count(void);
const model_shape *model_shape_at(size_t i);
const model_shape *model_find_shape(const char *name);

#endif
