/* errors.c - SQS's error shapes and their query codes (see errors.h). */
#include "errors.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct error_info {
    const char *type;       /* the __type */
    const char *query_code; /* x-amzn-query-error's code */
    int status;
} error_info;

static const error_info errors[SQS_ERROR_COUNT] = {
    [SQS_QUEUE_DOES_NOT_EXIST] = {"com.amazonaws.sqs#QueueDoesNotExist",
                                  "AWS.SimpleQueueService.NonExistentQueue", 400},
    [SQS_QUEUE_DELETED_RECENTLY] = {"com.amazonaws.sqs#QueueDeletedRecently",
                                    "AWS.SimpleQueueService.QueueDeletedRecently", 400},
    [SQS_QUEUE_NAME_EXISTS] = {"com.amazonaws.sqs#QueueNameExists", "QueueAlreadyExists", 400},
    [SQS_INVALID_ATTRIBUTE_NAME] = {"com.amazonaws.sqs#InvalidAttributeName",
                                    "InvalidAttributeName", 400},
    [SQS_INVALID_ATTRIBUTE_VALUE] = {"com.amazonaws.sqs#InvalidAttributeValue",
                                     "InvalidAttributeValue", 400},
    [SQS_INVALID_PARAMETER_VALUE] = {"com.amazonaws.sqs#InvalidParameterValueException",
                                     "InvalidParameterValue", 400},
    [SQS_RECEIPT_HANDLE_INVALID] = {"com.amazonaws.sqs#ReceiptHandleIsInvalid",
                                    "ReceiptHandleIsInvalid", 400},
    [SQS_BATCH_IDS_NOT_DISTINCT] = {"com.amazonaws.sqs#BatchEntryIdsNotDistinct",
                                    "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400},
    [SQS_TOO_MANY_ENTRIES] = {"com.amazonaws.sqs#TooManyEntriesInBatchRequest",
                              "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400},
    [SQS_EMPTY_BATCH] = {"com.amazonaws.sqs#EmptyBatchRequest",
                         "AWS.SimpleQueueService.EmptyBatchRequest", 400},
    [SQS_INVALID_BATCH_ENTRY_ID] = {"com.amazonaws.sqs#InvalidBatchEntryId",
                                    "AWS.SimpleQueueService.InvalidBatchEntryId", 400},
    [SQS_BATCH_TOO_LONG] = {"com.amazonaws.sqs#BatchRequestTooLong",
                            "AWS.SimpleQueueService.BatchRequestTooLong", 400},
    [SQS_PURGE_IN_PROGRESS] = {"com.amazonaws.sqs#PurgeQueueInProgress",
                               "AWS.SimpleQueueService.PurgeQueueInProgress", 400},
    [SQS_INVALID_MESSAGE_CONTENTS] = {"com.amazonaws.sqs#InvalidMessageContents",
                                      "InvalidMessageContents", 400},
    [SQS_UNSUPPORTED_OPERATION] = {"com.amazonaws.sqs#UnsupportedOperation",
                                   "AWS.SimpleQueueService.UnsupportedOperation", 400},
    [SQS_MISSING_PARAMETER] = {"com.amazonaws.sqs#MissingRequiredParameterException",
                               "MissingParameter", 400},
    [SQS_INTERNAL_ERROR] = {"com.amazonaws.sqs#InternalError", "InternalError", 500},
    [SQS_ACCESS_DENIED] = {"com.amazon.coral.service#AccessDeniedException", "AccessDenied", 403},
};

void sqs_error(op_call *call, sqs_error_kind kind, const char *fmt, ...)
{
    const error_info *e = &errors[kind];
    va_list ap;
    va_start(ap, fmt);
    char text[2048];
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    aws_error_set(call->err, e->status, e->type, "%s", text);
    call_header(call, "x-amzn-query-error: %s;%s", e->query_code,
                e->status >= 500 ? "Receiver" : "Sender");
}

void sqs_access_denied(op_call *call, const char *message)
{
    char *text = arena_strdup(call->arena, message);
    for (char *p = strstr(text, "sqs:"); p; p = strstr(p, "sqs:"))
        for (p += 4; isalpha((unsigned char)*p); p++)
            *p = (char)tolower((unsigned char)*p);
    sqs_error(call, SQS_ACCESS_DENIED, "%s", text);
}

const char *sqs_error_code(sqs_error_kind kind)
{
    return errors[kind].query_code;
}

batch_failure batch_fail(op_call *call, const char *id, sqs_error_kind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char text[2048];
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return (batch_failure){id, sqs_error_code(kind), arena_strdup(call->arena, text)};
}

void batch_write_failures(kenc *out, const batch_failure *failed, size_t n)
{
    enc_key(out, "Failed");
    enc_list_begin(out);
    for (size_t i = 0; i < n; i++) {
        enc_map_begin(out);
        enc_key(out, "Id");
        enc_str(out, failed[i].id);
        enc_key(out, "SenderFault");
        enc_bool(out, true);
        enc_key(out, "Code");
        enc_str(out, failed[i].code);
        enc_key(out, "Message");
        enc_str(out, failed[i].message);
        enc_map_end(out);
    }
    enc_list_end(out);
}
