/* destination.c - sending asynchronous invocation records to their destinations (see
 * destination.h). */
#include "destination.h"

#include <string.h>

#include "../common/clock.h"
#include "../common/log.h"
#include "../kinesis/kinesis_internal.h"
#include "async.h"

static lambda_sqs_deliver_fn sqs_deliver;

void destination_set_sqs(lambda_sqs_deliver_fn deliver)
{
    sqs_deliver = deliver;
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool destination_valid(const char *arn, const char *function_arn, aws_error *err)
{
    if (has_prefix(arn, "arn:aws:lambda:") && has_prefix(arn, function_arn) &&
        (arn[strlen(function_arn)] == '\0' || arn[strlen(function_arn)] == ':')) {
        aws_error_set(err, 400, "InvalidParameterValueException",
                      "You can't specify the function as a destination for itself.");
        return false;
    }
    if (has_prefix(arn, "arn:aws:lambda:") || has_prefix(arn, "arn:aws:sqs:") ||
        (has_prefix(arn, "arn:aws:kinesis:") && strstr(arn, ":stream/")))
        return true;
    aws_error_set(err, 400, "InvalidParameterValueException",
                  "The destination ARN %s is invalid. kinesd delivers to functions, SQS queues "
                  "and Kinesis streams.",
                  arn);
    return false;
}

static int send_to_function(const char *arn, const char *record, size_t len, aws_error *err)
{
    fn_ref ref;
    uint64_t ticket;
    if (!fn_ref_parse(arn, NULL, "", "", &ref, err))
        return -1;
    return async_enqueue(&ref, NULL, record, len, clock_now_ms(), &ticket, err);
}

static void on_queue_delivered(void *arg, bool ok)
{
    (void)arg;
    if (!ok)
        log_warn("lambda: a destination queue was deleted before a record became durable");
}

static int send_to_queue(const char *arn, const char *record, size_t len, aws_error *err)
{
    if (!sqs_deliver) {
        aws_error_set(err, 500, "ServiceException", "kinesd has no SQS service to deliver to");
        return -1;
    }
    if (sqs_deliver(arn, record, len, on_queue_delivered, NULL) == 0)
        return 0;
    aws_error_set(err, 400, "ResourceNotFoundException",
                  "The queue does not exist or refused the record.");
    return -1;
}

void destination_send(const char *arn, const char *record, size_t len, const char *request_id)
{
    aws_error err;
    aws_error_init(&err);
    uint64_t ticket;
    int rc = -1;
    if (has_prefix(arn, "arn:aws:lambda:"))
        rc = send_to_function(arn, record, len, &err);
    else if (has_prefix(arn, "arn:aws:kinesis:"))
        rc = kinesis_append(arn, request_id, record, len, clock_now_ms(), &ticket, &err);
    else if (has_prefix(arn, "arn:aws:sqs:"))
        rc = send_to_queue(arn, record, len, &err);
    if (rc != 0)
        log_warn("lambda: cannot deliver %s to %s: %s %s", request_id, arn,
                 err.type ? err.type : "", err.message.data ? err.message.data : "");
    aws_error_free(&err);
}
