/* fnout.h - how functions are written in answers: FunctionConfiguration, as Lambda shapes it. */
#ifndef KINESD_LAMBDA_FNOUT_H
#define KINESD_LAMBDA_FNOUT_H

#include "../protocol/encoder.h"
#include "function.h"

/* Writes v's FunctionConfiguration (one map). Holding lambda_lock, or on the control thread. */
void fnout_configuration(kenc *e, const fn_version *v);

#endif
