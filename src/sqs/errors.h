/* errors.h - SQS's errors as it sends them over JSON 1.0.
 *
 * SQS moved from the query protocol to JSON and keeps the query protocol's error codes in a
 * header the SDKs read: an error is HTTP 400 with {"__type": "com.amazonaws.sqs#<Shape>",
 * "message": ...} and `x-amzn-query-error: <query code>;Sender` (botocore, for instance, reports
 * the query code, e.g. AWS.SimpleQueueService.NonExistentQueue, as the error's Code). Batch
 * operations report per-entry failures with the query code as their Code. */
#ifndef KINESD_SQS_ERRORS_H
#define KINESD_SQS_ERRORS_H

#include "../core/call.h"

typedef enum {
    SQS_QUEUE_DOES_NOT_EXIST,
    SQS_QUEUE_DELETED_RECENTLY,
    SQS_QUEUE_NAME_EXISTS,
    SQS_INVALID_ATTRIBUTE_NAME,
    SQS_INVALID_ATTRIBUTE_VALUE,
    SQS_INVALID_PARAMETER_VALUE,
    SQS_RECEIPT_HANDLE_INVALID,
    SQS_BATCH_IDS_NOT_DISTINCT,
    SQS_TOO_MANY_ENTRIES,
    SQS_EMPTY_BATCH,
    SQS_INVALID_BATCH_ENTRY_ID,
    SQS_BATCH_TOO_LONG,
    SQS_PURGE_IN_PROGRESS,
    SQS_INVALID_MESSAGE_CONTENTS,
    SQS_UNSUPPORTED_OPERATION,
    SQS_MISSING_PARAMETER,
    SQS_INTERNAL_ERROR,
    SQS_ACCESS_DENIED,
    SQS_ERROR_COUNT
} sqs_error_kind;

/* Sets call->err (and the x-amzn-query-error header) to an SQS error. */
void sqs_error(op_call *call, sqs_error_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The authorizer's refusal as SQS words it (service.access_denied): AccessDenied, HTTP 403, the
 * actions in the text spelled in lower case ("sqs:sendmessage"), as AWS's SQS writes them. */
void sqs_access_denied(op_call *call, const char *message);
/* The query code of an error kind ("ReceiptHandleIsInvalid"): the Code of a batch failure. */
const char *sqs_error_code(sqs_error_kind kind);

/* A per-entry failure of a batch operation, collected into the call's arena. */
typedef struct batch_failure {
    const char *id;      /* the entry's Id */
    const char *code;    /* sqs_error_code(...) */
    const char *message; /* AWS's text */
} batch_failure;

/* Formats a failure's message into the call's arena. */
batch_failure batch_fail(op_call *call, const char *id, sqs_error_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Writes "Failed": [...] (the key included) for the failures of a batch. */
void batch_write_failures(kenc *out, const batch_failure *failed, size_t n);

#endif
