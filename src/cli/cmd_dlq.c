/* cmd_dlq.c - `kinesctl dlq replay QUEUE`: takes the failure records an event source mapping sent
 * to an SQS queue, re-reads the records each one names from its stream (they are still there
 * while the stream keeps them), invokes the function again with them in Lambda's Kinesis event
 * shape, and deletes each failure record whose replay succeeded. Only the stock APIs are used
 * (SQS, Kinesis GetShardIterator/GetRecords, Lambda GetFunctionConfiguration/Invoke), so it works
 * against AWS as well as kinesd. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "lambda_api.h"
#include "output.h"

#define RECEIVE_BATCH 10
#define VISIBILITY_S 120
#define READ_LIMIT 10000

static const char help[] =
    "usage: kinesctl dlq replay QUEUE [--function F] [--max N] [--keep]\n"
    "\n"
    "Replays the failure records of event source mappings found in the SQS queue QUEUE (a name\n"
    "or URL): for each one, reads the records its KinesisBatchInfo names from the stream and\n"
    "invokes the function (the record's functionArn, or --function) with them, synchronously.\n"
    "A failure record whose replay succeeded is deleted from the queue (unless --keep); one\n"
    "that failed again stays. --max bounds how many failure records are replayed. Exits 1\n"
    "when a replay failed.\n"
    "\n"
    "example:\n"
    "  kinesctl dlq replay orders-failures --max 10\n";

typedef struct dlq_cmd {
    cli_ctx *ctx;         /* the command's context */
    cli_args args;        /* its arguments */
    kines_client *client; /* Kinesis and SQS */
    lambda_api *lambda;   /* Lambda */
    char *queue_url;      /* the queue's URL */
    kines_error err;      /* the last call's error */
} dlq_cmd;

static json_object *with(json_object *o, const char *key, const char *value)
{
    json_object_object_add(o, key, json_object_new_string(value));
    return o;
}

static const char *member(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

/* One SQS or Kinesis (api NULL) call with req (consumed); the answer, or NULL (reported). */
static json_object *call(dlq_cmd *d, const kines_api *api, const char *op, json_object *req,
                         const char *what)
{
    char *answer = NULL;
    const char *text = json_object_to_json_string(req);
    int failed = api ? kines_call_api(d->client, api, op, text, &answer, &d->err)
                     : kines_call_json(d->client, op, text, &answer, &d->err);
    json_object_put(req);
    if (failed) {
        cli_fail(d->ctx, &d->err, what);
        return NULL;
    }
    json_object *out = json_tokener_parse(answer);
    free(answer);
    return out ? out : json_object_new_object();
}

/* --- reading the records back ---------------------------------------------------------------- */

/* Appends the records of `page` up to and including end_seq to records; true once it was
 * reached. */
static bool take_records(json_object *page, const char *end_seq, json_object *records)
{
    json_object *list = NULL;
    json_object_object_get_ex(page, "Records", &list);
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        json_object *r = json_object_array_get_idx(list, i);
        json_object_array_add(records, json_object_get(r));
        if (strcmp(member(r, "SequenceNumber"), end_seq) == 0)
            return true;
    }
    return false;
}

/* The records from start_seq to end_seq of the shard, as GetRecords returns them; NULL when
 * they cannot be read (reported). */
static json_object *read_batch(dlq_cmd *d, json_object *info)
{
    json_object *req =
        with(with(with(json_object_new_object(), "StreamARN", member(info, "streamArn")), "ShardId",
                  member(info, "shardId")),
             "ShardIteratorType", "AT_SEQUENCE_NUMBER");
    with(req, "StartingSequenceNumber", member(info, "startSequenceNumber"));
    json_object *it = call(d, NULL, "GetShardIterator", req, "the failed records' shard");
    const char *iterator = it ? member(it, "ShardIterator") : NULL;
    json_object *records = json_object_new_array();
    char *next = iterator ? strdup(iterator) : NULL;
    json_object_put(it);
    bool done = false;
    for (int pages = 0; next && !done && pages < READ_LIMIT; pages++) {
        json_object *page_req = with(json_object_new_object(), "ShardIterator", next);
        json_object *page = call(d, NULL, "GetRecords", page_req, "the failed records");
        free(next);
        next = NULL;
        if (!page)
            break;
        done = take_records(page, member(info, "endSequenceNumber"), records);
        json_object *records_in_page = NULL;
        json_object_object_get_ex(page, "Records", &records_in_page);
        if (!done && member(page, "NextShardIterator") &&
            json_object_array_length(records_in_page) > 0)
            next = strdup(member(page, "NextShardIterator"));
        json_object_put(page);
    }
    free(next);
    if (!done) {
        json_object_put(records);
        cli_error(d->ctx, "the records %s..%s of %s are no longer in the stream",
                  member(info, "startSequenceNumber"), member(info, "endSequenceNumber"),
                  member(info, "shardId"));
        return NULL;
    }
    return records;
}

/* --- the event ------------------------------------------------------------------------------- */

/* Lambda's Kinesis event record for a GetRecords record. */
static json_object *event_record(json_object *r, json_object *info, const char *role,
                                 const char *region)
{
    json_object *k = json_object_new_object(), *e = json_object_new_object(), *ts = NULL;
    char event_id[160];
    snprintf(event_id, sizeof event_id, "%s:%s", member(info, "shardId"),
             member(r, "SequenceNumber"));
    with(k, "kinesisSchemaVersion", "1.0");
    with(k, "partitionKey", member(r, "PartitionKey"));
    with(k, "sequenceNumber", member(r, "SequenceNumber"));
    with(k, "data", member(r, "Data"));
    json_object_object_get_ex(r, "ApproximateArrivalTimestamp", &ts);
    json_object_object_add(k, "approximateArrivalTimestamp", json_object_get(ts));
    json_object_object_add(e, "kinesis", k);
    with(e, "eventSource", "aws:kinesis");
    with(e, "eventVersion", "1.0");
    with(e, "eventID", event_id);
    with(e, "eventName", "aws:kinesis:record");
    with(e, "invokeIdentityArn", role);
    with(e, "awsRegion", region);
    with(e, "eventSourceARN", member(info, "streamArn"));
    return e;
}

/* The function's name and qualifier from a (qualified) ARN or name into name / qualifier. */
static void split_function(const char *arn, char *name, size_t cap, char *qualifier, size_t qcap)
{
    const char *at = strstr(arn, ":function:");
    const char *start = at ? at + strlen(":function:") : arn;
    size_t n = strcspn(start, ":");
    snprintf(name, cap, "%.*s", (int)n, start);
    snprintf(qualifier, qcap, "%s", start[n] == ':' ? start + n + 1 : "");
}

/* The function's execution role (invokeIdentityArn); "" when it cannot be read. */
static void role_of(dlq_cmd *d, const char *name, char *out, size_t cap)
{
    char path[400];
    snprintf(path, sizeof path, "/2015-03-31/functions/%s/configuration", name);
    kbuf answer = KBUF_INIT;
    out[0] = '\0';
    if (lambda_api_call(d->lambda, "GET", path, NULL, NULL, 0, &answer, NULL, &d->err) == 0) {
        json_object *config = json_tokener_parse(answer.data);
        snprintf(out, cap, "%s", member(config, "Role") ? member(config, "Role") : "");
        json_object_put(config);
    }
    kbuf_free(&answer);
}

/* Invokes the function with the event; true when it succeeded. */
static bool invoke(dlq_cmd *d, const char *function_arn, json_object *event)
{
    char name[200], qualifier[140], path[600];
    split_function(function_arn, name, sizeof name, qualifier, sizeof qualifier);
    bool latest = !qualifier[0] || strcmp(qualifier, "$LATEST") == 0;
    snprintf(path, sizeof path, "/2015-03-31/functions/%s/invocations%s%s", name,
             latest ? "" : "?Qualifier=", latest ? "" : qualifier);
    const char *headers[] = {"X-Amz-Invocation-Type: RequestResponse", NULL};
    const char *body = json_object_to_json_string_ext(event, JSON_C_TO_STRING_PLAIN);
    kbuf answer = KBUF_INIT, answer_headers = KBUF_INIT;
    char function_error[64];
    bool ok = lambda_api_call(d->lambda, "POST", path, headers, body, strlen(body), &answer,
                              &answer_headers, &d->err) == 0 &&
              !lambda_api_header(&answer_headers, "X-Amz-Function-Error", function_error,
                                 sizeof function_error);
    kbuf_free(&answer);
    kbuf_free(&answer_headers);
    return ok;
}

/* Replays one failure record; true when the function took the records. */
static bool replay(dlq_cmd *d, json_object *failure)
{
    json_object *info = NULL, *context = NULL;
    json_object_object_get_ex(failure, "KinesisBatchInfo", &info);
    json_object_object_get_ex(failure, "requestContext", &context);
    const char *function = args_value(&d->args, "function");
    if (!function)
        function = member(context, "functionArn");
    if (!info || !function || !member(info, "streamArn") || !member(info, "shardId")) {
        cli_error(d->ctx, "a message is no failure record of a Kinesis event source mapping");
        return false;
    }
    json_object *records = read_batch(d, info);
    if (!records)
        return false;
    char name[200], qualifier[140], role[300], region[40] = "";
    split_function(function, name, sizeof name, qualifier, sizeof qualifier);
    role_of(d, name, role, sizeof role);
    sscanf(member(info, "streamArn"), "arn:aws:kinesis:%39[^:]", region);
    json_object *event = json_object_new_object(), *list = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(records); i++)
        json_object_array_add(
            list, event_record(json_object_array_get_idx(records, i), info, role, region));
    json_object_object_add(event, "Records", list);
    bool ok = invoke(d, function, event);
    fprintf(stdout, "%s %zu record(s) of %s %s..%s to %s\n", ok ? "replayed" : "FAILED to replay",
            json_object_array_length(records), member(info, "shardId"),
            member(info, "startSequenceNumber"), member(info, "endSequenceNumber"), name);
    json_object_put(event);
    json_object_put(records);
    return ok;
}

/* --- the queue ------------------------------------------------------------------------------- */

static bool delete_message(dlq_cmd *d, json_object *msg)
{
    json_object *req = with(with(json_object_new_object(), "QueueUrl", d->queue_url),
                            "ReceiptHandle", member(msg, "ReceiptHandle"));
    json_object *out = call(d, &kcli_sqs_api, "DeleteMessage", req, "the failure record");
    json_object_put(out);
    return out != NULL;
}

/* Replays what the queue holds (up to max); the exit code. */
static int replay_queue(dlq_cmd *d, long max)
{
    int rc = EXIT_OK;
    long replayed = 0;
    while (replayed < max) {
        json_object *req = with(json_object_new_object(), "QueueUrl", d->queue_url), *msgs = NULL;
        long want = max - replayed < RECEIVE_BATCH ? max - replayed : RECEIVE_BATCH;
        json_object_object_add(req, "MaxNumberOfMessages", json_object_new_int((int)want));
        json_object_object_add(req, "VisibilityTimeout", json_object_new_int(VISIBILITY_S));
        json_object *answer = call(d, &kcli_sqs_api, "ReceiveMessage", req, "the queue");
        if (!answer)
            return cli_exit_code(&d->err);
        size_t n = json_object_object_get_ex(answer, "Messages", &msgs)
                       ? json_object_array_length(msgs)
                       : 0;
        for (size_t i = 0; i < n; i++, replayed++) {
            json_object *msg = json_object_array_get_idx(msgs, i);
            json_object *failure = json_tokener_parse(member(msg, "Body"));
            bool ok = failure && replay(d, failure);
            json_object_put(failure);
            if (!ok)
                rc = EXIT_ERROR;
            else if (!args_has(&d->args, "keep") && !delete_message(d, msg))
                rc = EXIT_ERROR;
        }
        json_object_put(answer);
        if (!n)
            break;
    }
    return rc;
}

/* The queue's URL from QUEUE (a URL already, or a name); false (reported) when unknown. */
static bool find_queue(dlq_cmd *d, const char *queue)
{
    if (strncmp(queue, "http://", 7) == 0 || strncmp(queue, "https://", 8) == 0) {
        d->queue_url = strdup(queue);
        return true;
    }
    json_object *out = call(d, &kcli_sqs_api, "GetQueueUrl",
                            with(json_object_new_object(), "QueueName", queue), "the queue");
    if (out && member(out, "QueueUrl"))
        d->queue_url = strdup(member(out, "QueueUrl"));
    json_object_put(out);
    return d->queue_url != NULL;
}

int cmd_dlq(cli_ctx *ctx, int argc, char **argv)
{
    dlq_cmd d = {.ctx = ctx};
    int rc = cli_parse(ctx, "dlq", argc - 1, argv + 1, "function max", "keep", help, &d.args);
    if (rc >= 0)
        return rc;
    long max;
    if (d.args.positional_count != 2 || strcmp(d.args.positional[0], "replay") != 0) {
        cli_error(ctx, "dlq takes replay QUEUE. See `kinesctl dlq --help`.");
        return EXIT_USAGE;
    }
    if (!cli_int(ctx, &d.args, "max", 1000000, &max))
        return EXIT_USAGE;
    if (!(d.client = cli_client(ctx, &rc)))
        return rc;
    if (!(d.lambda = lambda_api_new(ctx, &rc))) {
        kines_client_free(d.client);
        return rc;
    }
    rc = find_queue(&d, d.args.positional[1]) ? replay_queue(&d, max) : cli_exit_code(&d.err);
    free(d.queue_url);
    lambda_api_free(d.lambda);
    kines_client_free(d.client);
    return rc;
}
