/* cw_errors.h - CloudWatch's errors as kinesd answers them over JSON 1.0 and Smithy RPC v2 CBOR,
 * and its checks of a request against the model.
 *
 * CloudWatch moved from the query protocol to JSON and CBOR keeping the query protocol's error
 * codes (its model is awsQueryCompatible): an error carries its type in the body and its query
 * code in the header `x-amzn-query-error: <code>;Sender` (or Receiver), which the SDKs report as
 * the error's code: InvalidParameterValue, MissingParameter, InvalidParameterCombination,
 * ValidationError, InvalidNextToken, InternalServiceError. */
#ifndef KINESD_MONITORING_CW_ERRORS_H
#define KINESD_MONITORING_CW_ERRORS_H

#include <stdbool.h>

#include "../core/call.h"

typedef enum {
    CW_INVALID_PARAMETER_VALUE,
    CW_MISSING_PARAMETER,
    CW_INVALID_PARAMETER_COMBINATION,
    CW_VALIDATION_ERROR,
    CW_INVALID_NEXT_TOKEN,
    CW_INTERNAL_FAILURE,
} cw_error_kind;

/* Sets call->err and the x-amzn-query-error header. */
void cw_error(op_call *call, cw_error_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Checks the input against the model as CloudWatch does, the first violation reported: a missing
 * required member is MissingParameter ("The parameter MetricData.member.1.MetricName is
 * required."), a value outside an enum InvalidParameterValue ("The parameter Statistics.member.1
 * must be a value in the set [ ... ]."), any other constraint (lengths, ranges) ValidationError
 * with the model validator's text. False with call->err set. */
bool cw_validate(op_call *call);

#endif
