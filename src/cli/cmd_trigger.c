/* cmd_trigger.c - `kinesctl trigger create|list|enable|disable|delete` (Lambda event source
 * mappings from a Kinesis stream to a function, through the Lambda API: kinesd or AWS) and
 * `kinesctl triggers` (kinesd's view of each mapping's shards: position, lag, IteratorAge, counts,
 * last error). */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/uri.h"
#include "commands.h"
#include "lambda_api.h"
#include "output.h"

#define MAPPINGS "/2015-03-31/event-source-mappings"

static const char help[] =
    "usage: kinesctl trigger create FUNCTION STREAM [--batch-size N] [--starting-position P]\n"
    "              [--timestamp ISO-8601] [--window S] [--parallelization N] [--retries N]\n"
    "              [--max-age S] [--tumbling S] [--bisect] [--report-failures]\n"
    "              [--on-failure ARN] [--filter PATTERN] [--disabled]\n"
    "       kinesctl trigger list [FUNCTION]\n"
    "       kinesctl trigger enable|disable|delete UUID\n"
    "\n"
    "create maps STREAM (a name, a stream ARN or an enhanced fan-out consumer ARN) to FUNCTION:\n"
    "batches of its records invoke the function. --starting-position is latest (default),\n"
    "trim-horizon or at-timestamp (with --timestamp); --window is the batching window,\n"
    "--retries and --max-age bound retries (default: until the records expire), --bisect splits\n"
    "failing batches, --report-failures lets the function return batchItemFailures,\n"
    "--on-failure sends failure records to an SQS queue (or a Kinesis stream on kinesd),\n"
    "--filter takes a filtering pattern on the records' data, --tumbling a window in seconds.\n"
    "\n"
    "examples:\n"
    "  kinesctl trigger create hello orders --batch-size 500 --starting-position trim-horizon\n"
    "  kinesctl trigger create hello orders --filter '{\"data\": {\"kind\": [\"order\"]}}'\n"
    "  kinesctl trigger disable 6c2a1b7e-...\n";

static const char triggers_help[] =
    "usage: kinesctl triggers\n"
    "\n"
    "Every event source mapping of the account and region on kinesd, with each shard's\n"
    "checkpoint (the offset every record below has been processed), how far it was read and\n"
    "its end, the lag (records not yet processed), the IteratorAge of the last batch, the\n"
    "records processed, filtered out and given up, failed invocations and the last error.\n";

/* --- requests -------------------------------------------------------------------------------- */

static void add_int(json_object *o, const cli_args *a, const char *flag, const char *member)
{
    const char *v = args_value(a, flag);
    if (v)
        json_object_object_add(o, member, json_object_new_int(atoi(v)));
}

static const char *position_of(const char *flag)
{
    if (!flag || strcmp(flag, "latest") == 0)
        return "LATEST";
    if (strcmp(flag, "trim-horizon") == 0)
        return "TRIM_HORIZON";
    return strcmp(flag, "at-timestamp") == 0 ? "AT_TIMESTAMP" : NULL;
}

/* --timestamp: epoch seconds, or an ISO-8601 UTC time ("2026-01-31T12:00:00Z"); -1 if neither. */
static double timestamp_of(const char *text)
{
    char *end;
    double seconds = strtod(text, &end);
    if (end != text && !*end)
        return seconds;
    struct tm tm = {0};
    end = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!end || (*end && strcmp(end, "Z") != 0))
        return -1;
    return (double)timegm(&tm);
}

/* The source ARN: STREAM as given when it is an ARN, else the stream of that name. */
static void source_arn(lambda_api *api, const char *stream, char *out, size_t cap)
{
    if (strncmp(stream, "arn:", 4) == 0)
        snprintf(out, cap, "%s", stream);
    else
        snprintf(out, cap, "arn:aws:kinesis:%s:%s:stream/%s", lambda_api_region(api),
                 lambda_api_account(api), stream);
}

/* The CreateEventSourceMapping body; NULL (reported) for a bad --starting-position. */
static json_object *create_request(const cli_ctx *ctx, lambda_api *api, const cli_args *a)
{
    const char *position = position_of(args_value(a, "starting-position"));
    const char *ts = args_value(a, "timestamp");
    if (!position) {
        cli_error(ctx, "--starting-position is latest, trim-horizon or at-timestamp");
        return NULL;
    }
    if (ts && timestamp_of(ts) < 0) {
        cli_error(ctx, "--timestamp takes epoch seconds or 2026-01-31T12:00:00Z, not '%s'", ts);
        return NULL;
    }
    char arn[600];
    source_arn(api, a->positional[2], arn, sizeof arn);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "FunctionName", json_object_new_string(a->positional[1]));
    json_object_object_add(o, "EventSourceArn", json_object_new_string(arn));
    json_object_object_add(o, "StartingPosition", json_object_new_string(position));
    if (ts)
        json_object_object_add(o, "StartingPositionTimestamp",
                               json_object_new_double(timestamp_of(ts)));
    add_int(o, a, "batch-size", "BatchSize");
    add_int(o, a, "window", "MaximumBatchingWindowInSeconds");
    add_int(o, a, "parallelization", "ParallelizationFactor");
    add_int(o, a, "retries", "MaximumRetryAttempts");
    add_int(o, a, "max-age", "MaximumRecordAgeInSeconds");
    add_int(o, a, "tumbling", "TumblingWindowInSeconds");
    if (args_has(a, "bisect"))
        json_object_object_add(o, "BisectBatchOnFunctionError", json_object_new_boolean(1));
    if (args_has(a, "disabled"))
        json_object_object_add(o, "Enabled", json_object_new_boolean(0));
    if (args_has(a, "report-failures")) {
        json_object *types = json_object_new_array();
        json_object_array_add(types, json_object_new_string("ReportBatchItemFailures"));
        json_object_object_add(o, "FunctionResponseTypes", types);
    }
    if (args_value(a, "on-failure")) {
        json_object *dest = json_object_new_object(), *on_failure = json_object_new_object();
        json_object_object_add(on_failure, "Destination",
                               json_object_new_string(args_value(a, "on-failure")));
        json_object_object_add(dest, "OnFailure", on_failure);
        json_object_object_add(o, "DestinationConfig", dest);
    }
    if (args_value(a, "filter")) {
        json_object *criteria = json_object_new_object(), *filters = json_object_new_array(),
                    *filter = json_object_new_object();
        json_object_object_add(filter, "Pattern", json_object_new_string(args_value(a, "filter")));
        json_object_array_add(filters, filter);
        json_object_object_add(criteria, "Filters", filters);
        json_object_object_add(o, "FilterCriteria", criteria);
    }
    return o;
}

/* --- printing -------------------------------------------------------------------------------- */

static const char *member(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static void print_mapping(json_object *m)
{
    printf("%s\t%s\t%s\t%s <- %s\n", member(m, "UUID"), member(m, "State"), member(m, "BatchSize"),
           member(m, "FunctionArn"), member(m, "EventSourceArn"));
}

/* Prints the answer (a mapping, or a list of them under `list_key`); consumes it. */
static void print_answer(const cli_ctx *ctx, json_object *answer, const char *list_key)
{
    json_object *list;
    if (ctx->json) {
        output_json(ctx, answer);
        return;
    }
    if (list_key && json_object_object_get_ex(answer, list_key, &list))
        for (size_t i = 0; i < json_object_array_length(list); i++)
            print_mapping(json_object_array_get_idx(list, i));
    else if (!list_key)
        print_mapping(answer);
    json_object_put(answer);
}

/* One Lambda API call about `what`; the answer printed. The exit code. */
static int request(const cli_ctx *ctx, lambda_api *api, const char *method, const char *path,
                   json_object *body, const char *list_key, const char *what)
{
    const char *text = body ? json_object_to_json_string(body) : NULL;
    kbuf answer = KBUF_INIT;
    kines_error err;
    int rc = EXIT_OK;
    if (lambda_api_call(api, method, path, NULL, text, text ? strlen(text) : 0, &answer, NULL,
                        &err) != 0)
        rc = cli_fail(ctx, &err, what);
    else
        print_answer(ctx, json_tokener_parse(answer.data ? answer.data : "{}"), list_key);
    json_object_put(body);
    kbuf_free(&answer);
    return rc;
}

/* --- commands -------------------------------------------------------------------------------- */

static int trigger_run(const cli_ctx *ctx, lambda_api *api, const cli_args *a, const char *verb)
{
    char path[600];
    const char *arg = a->positional_count > 1 ? a->positional[1] : NULL;
    if (strcmp(verb, "create") == 0) {
        json_object *body = create_request(ctx, api, a);
        return body ? request(ctx, api, "POST", MAPPINGS, body, NULL, "trigger") : EXIT_USAGE;
    }
    if (strcmp(verb, "list") == 0) {
        kbuf query = KBUF_INIT;
        kbuf_puts(&query, MAPPINGS "?MaxItems=10000");
        if (arg) {
            kbuf_puts(&query, "&FunctionName=");
            uri_encode(&query, arg, strlen(arg), false);
        }
        int rc = request(ctx, api, "GET", query.data, NULL, "EventSourceMappings", "triggers");
        kbuf_free(&query);
        return rc;
    }
    snprintf(path, sizeof path, MAPPINGS "/%s", arg);
    if (strcmp(verb, "delete") == 0)
        return request(ctx, api, "DELETE", path, NULL, NULL, "trigger");
    json_object *body = json_object_new_object();
    json_object_object_add(body, "Enabled", json_object_new_boolean(strcmp(verb, "enable") == 0));
    return request(ctx, api, "PUT", path, body, NULL, "trigger");
}

int cmd_trigger(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(ctx, "trigger", argc - 1, argv + 1,
                       "batch-size starting-position timestamp window parallelization retries "
                       "max-age tumbling on-failure filter",
                       "bisect report-failures disabled", help, &a);
    if (rc >= 0)
        return rc;
    const char *verb = a.positional_count ? a.positional[0] : "";
    bool ok = (strcmp(verb, "create") == 0 && a.positional_count == 3) ||
              (strcmp(verb, "list") == 0 && a.positional_count <= 2) ||
              ((strcmp(verb, "enable") == 0 || strcmp(verb, "disable") == 0 ||
                strcmp(verb, "delete") == 0) &&
               a.positional_count == 2);
    if (!ok) {
        cli_error(ctx, "trigger takes create FUNCTION STREAM, list [FUNCTION] or "
                       "enable|disable|delete UUID. See `kinesctl trigger --help`.");
        return EXIT_USAGE;
    }
    lambda_api *api = lambda_api_new(ctx, &rc);
    if (!api)
        return rc;
    rc = trigger_run(ctx, api, &a, verb);
    lambda_api_free(api);
    return rc;
}

/* --- triggers -------------------------------------------------------------------------------- */

static long long number(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) ? (long long)json_object_get_int64(v) : 0;
}

static void print_shard(json_object *s)
{
    printf("  %s  %-18s checkpoint %lld (read %lld of %lld)  lag %lld  iterator-age %lld ms"
           "  records %lld  filtered %lld  failed %lld  given-up %lld\n",
           member(s, "ShardId"), member(s, "Phase"), number(s, "Checkpoint"), number(s, "ReadUpTo"),
           number(s, "Committed"), number(s, "Lag"), number(s, "IteratorAgeMilliseconds"),
           number(s, "Records"), number(s, "Filtered"), number(s, "BatchesFailed"),
           number(s, "GivenUp"));
    if (member(s, "LastError")[0])
        printf("    last error: %s\n", member(s, "LastError"));
}

static void print_triggers(json_object *root)
{
    json_object *list = NULL, *shards;
    json_object_object_get_ex(root, "EventSourceMappings", &list);
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        json_object *m = json_object_array_get_idx(list, i);
        printf("%s  %s <- %s  %s  %s\n", member(m, "UUID"), member(m, "FunctionArn"),
               member(m, "EventSourceArn"), member(m, "State"), member(m, "LastProcessingResult"));
        if (json_object_object_get_ex(m, "Shards", &shards))
            for (size_t k = 0; k < json_object_array_length(shards); k++)
                print_shard(json_object_array_get_idx(shards, k));
    }
}

int cmd_triggers(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(ctx, "triggers", argc - 1, argv + 1, "", "", triggers_help, &a);
    if (rc >= 0)
        return rc;
    lambda_api *api = lambda_api_new(ctx, &rc);
    if (!api)
        return rc;
    char path[200];
    snprintf(path, sizeof path, "/_kinesd/lambda/triggers/%s/%s", lambda_api_account(api),
             lambda_api_region(api));
    kbuf answer = KBUF_INIT;
    kines_error err;
    rc = EXIT_OK;
    if (lambda_api_call(api, "GET", path, NULL, NULL, 0, &answer, NULL, &err) != 0) {
        rc = cli_fail(ctx, &err, "triggers (kinesd only)");
    } else {
        json_object *root = json_tokener_parse(answer.data ? answer.data : "{}");
        if (ctx->json) {
            output_json(ctx, root);
        } else {
            print_triggers(root);
            json_object_put(root);
        }
    }
    kbuf_free(&answer);
    lambda_api_free(api);
    return rc;
}
