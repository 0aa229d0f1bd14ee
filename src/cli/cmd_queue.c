/* cmd_queue.c - `kinesctl queue create|delete|list|purge|send|receive|redrive`: SQS queues on the
 * same endpoint (kinesd serves SQS beside Kinesis; so does AWS, at sqs.REGION.amazonaws.com when
 * the endpoint is given). Every action speaks the SQS JSON API through kines_call_api. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "output.h"

#define LINE_MAX_BYTES (1024 * 1024 + 2)
#define DEFAULT_COUNT 1
#define REDRIVE_BATCH 10

const kines_api kcli_sqs_api = {"sqs", "AmazonSQS", "application/x-amz-json-1.0"};

static const char help[] =
    "usage:\n"
    "  kinesctl queue create NAME [--visibility-timeout S] [--retention S] [--dlq ARN "
    "--max-receives N]\n"
    "  kinesctl queue delete NAME ;  kinesctl queue purge NAME ;  kinesctl queue list [PREFIX]\n"
    "  kinesctl queue send NAME [BODY]          (without BODY: one message per stdin line)\n"
    "  kinesctl queue receive NAME [--count N] [--wait S] [--delete]\n"
    "  kinesctl queue redrive DLQ --to QUEUE    (moves every message of DLQ to QUEUE)\n"
    "\n"
    "receive prints one body per line (--output json: the messages as SQS returns them) and,\n"
    "with --delete, deletes what it printed. --count is how many messages to get at most\n"
    "(default 1), --wait how long to wait for the first (long polling, at most 20 s).\n"
    "\n"
    "examples:\n"
    "  kinesctl queue create failures --visibility-timeout 900 --retention 1209600\n"
    "  printf 'a\\nb\\n' | kinesctl queue send failures\n"
    "  kinesctl queue receive failures --count 10 --wait 5 --delete\n"
    "  kinesctl queue redrive failures --to orders\n";

typedef struct queue_cmd {
    cli_ctx *ctx;
    cli_args args; /* positional[0] the action, [1] the queue NAME */
    const char *name;
    kines_client *client;
    kines_error err;
} queue_cmd;

/* Calls an SQS operation with the JSON object req (consumed); the answer (caller puts) or NULL
 * after reporting the failure in *rc. */
static json_object *call(queue_cmd *q, const char *op, json_object *req, int *rc)
{
    char *answer = NULL;
    int failed = kines_call_api(q->client, &kcli_sqs_api, op, json_object_to_json_string(req),
                                &answer, &q->err);
    json_object_put(req);
    if (failed) {
        *rc = cli_fail(q->ctx, &q->err, q->name ? q->name : "queues");
        return NULL;
    }
    json_object *out = json_tokener_parse(answer);
    free(answer);
    return out ? out : json_object_new_object();
}

static json_object *with(json_object *o, const char *key, const char *value)
{
    json_object_object_add(o, key, json_object_new_string(value));
    return o;
}

/* The URL of queue `name` (caller frees); NULL with *rc set. */
static char *url_of(queue_cmd *q, const char *name, int *rc)
{
    json_object *out =
        call(q, "GetQueueUrl", with(json_object_new_object(), "QueueName", name), rc);
    json_object *url;
    char *text = out && json_object_object_get_ex(out, "QueueUrl", &url)
                     ? strdup(json_object_get_string(url))
                     : NULL;
    json_object_put(out);
    return text;
}

static int said(queue_cmd *q, const char *verb)
{
    if (q->ctx->json)
        output_json(q->ctx, with(json_object_new_object(), "QueueName", q->name));
    else
        printf("%s queue %s\n", verb, q->name);
    return EXIT_OK;
}

static int queue_create(queue_cmd *q)
{
    static const struct {
        const char *flag, *attr;
    } flags[] = {{"visibility-timeout", "VisibilityTimeout"},
                 {"retention", "MessageRetentionPeriod"},
                 {"delay", "DelaySeconds"}};
    json_object *attrs = json_object_new_object();
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
        if (args_value(&q->args, flags[i].flag))
            with(attrs, flags[i].attr, args_value(&q->args, flags[i].flag));
    const char *dlq = args_value(&q->args, "dlq");
    if (dlq) {
        const char *max = args_value(&q->args, "max-receives");
        char policy[1200];
        snprintf(policy, sizeof policy,
                 "{\"deadLetterTargetArn\":\"%.1000s\",\"maxReceiveCount\":%s}", dlq,
                 max ? max : "3");
        with(attrs, "RedrivePolicy", policy);
    }
    json_object *req = with(json_object_new_object(), "QueueName", q->name);
    json_object_object_add(req, "Attributes", attrs);
    int rc = EXIT_OK;
    json_object *out = call(q, "CreateQueue", req, &rc);
    json_object_put(out);
    return out ? said(q, "created") : rc;
}

/* An action that takes the queue's URL and answers nothing worth printing. */
static int simple(queue_cmd *q, const char *op, const char *verb)
{
    int rc = EXIT_OK;
    char *url = url_of(q, q->name, &rc);
    if (!url)
        return rc;
    json_object *out = call(q, op, with(json_object_new_object(), "QueueUrl", url), &rc);
    free(url);
    json_object_put(out);
    return out ? said(q, verb) : rc;
}

static int queue_delete(queue_cmd *q)
{
    return simple(q, "DeleteQueue", "deleted");
}

static int queue_purge(queue_cmd *q)
{
    return simple(q, "PurgeQueue", "purged");
}

static int queue_list(queue_cmd *q)
{
    json_object *req = json_object_new_object();
    if (q->name)
        with(req, "QueueNamePrefix", q->name);
    int rc = EXIT_OK;
    json_object *out = call(q, "ListQueues", req, &rc), *urls;
    if (!out)
        return rc;
    if (q->ctx->json) {
        output_json(q->ctx, out);
        return EXIT_OK;
    }
    if (json_object_object_get_ex(out, "QueueUrls", &urls))
        for (size_t i = 0; i < json_object_array_length(urls); i++)
            printf("%s\n", json_object_get_string(json_object_array_get_idx(urls, i)));
    json_object_put(out);
    return EXIT_OK;
}

static int send_body(queue_cmd *q, const char *url, const char *body)
{
    int rc = EXIT_OK;
    json_object *out =
        call(q, "SendMessage",
             with(with(json_object_new_object(), "QueueUrl", url), "MessageBody", body), &rc);
    json_object_put(out);
    return out ? EXIT_OK : rc;
}

static int queue_send(queue_cmd *q)
{
    int rc = EXIT_OK;
    char *url = url_of(q, q->name, &rc);
    if (!url)
        return rc;
    size_t sent = 0;
    if (q->args.positional_count > 2) {
        rc = send_body(q, url, q->args.positional[2]);
        sent = rc == EXIT_OK;
    } else {
        char *line = malloc(LINE_MAX_BYTES);
        while (rc == EXIT_OK && line && fgets(line, LINE_MAX_BYTES, stdin)) {
            line[strcspn(line, "\n")] = '\0';
            if (!*line)
                continue;
            rc = send_body(q, url, line);
            sent += rc == EXIT_OK;
        }
        free(line);
    }
    free(url);
    if (!q->ctx->json)
        fprintf(stderr, "sent %zu message%s to %s\n", sent, sent == 1 ? "" : "s", q->name);
    return rc;
}

/* Receives up to `count` messages from url; the answer's Messages array (caller puts the
 * answer, *out) or NULL with *rc. */
static json_object *receive(queue_cmd *q, const char *url, long count, long wait, json_object **out,
                            int *rc)
{
    json_object *req = with(json_object_new_object(), "QueueUrl", url), *msgs;
    json_object_object_add(req, "MaxNumberOfMessages", json_object_new_int((int)count));
    json_object_object_add(req, "WaitTimeSeconds", json_object_new_int((int)wait));
    json_object *names = json_object_new_array();
    json_object_array_add(names, json_object_new_string("All"));
    json_object_object_add(req, "MessageAttributeNames", names);
    *out = call(q, "ReceiveMessage", req, rc);
    if (*out && json_object_object_get_ex(*out, "Messages", &msgs))
        return msgs;
    return NULL;
}

static bool delete_handle(queue_cmd *q, const char *url, json_object *msg, int *rc)
{
    json_object *handle;
    if (!json_object_object_get_ex(msg, "ReceiptHandle", &handle))
        return false;
    json_object *out = call(q, "DeleteMessage",
                            with(with(json_object_new_object(), "QueueUrl", url), "ReceiptHandle",
                                 json_object_get_string(handle)),
                            rc);
    json_object_put(out);
    return out != NULL;
}

static const char *body_of(json_object *msg)
{
    json_object *body;
    return json_object_object_get_ex(msg, "Body", &body) ? json_object_get_string(body) : "";
}

static int queue_receive(queue_cmd *q)
{
    long count, wait;
    if (!cli_int(q->ctx, &q->args, "count", DEFAULT_COUNT, &count) ||
        !cli_int(q->ctx, &q->args, "wait", 0, &wait))
        return EXIT_USAGE;
    int rc = EXIT_OK;
    char *url = url_of(q, q->name, &rc);
    json_object *all = json_object_new_array();
    for (long got = 0; url && rc == EXIT_OK && got < count;) {
        json_object *answer;
        json_object *msgs =
            receive(q, url, count - got > 10 ? 10 : count - got, got ? 0 : wait, &answer, &rc);
        size_t n = msgs ? json_object_array_length(msgs) : 0;
        for (size_t i = 0; i < n; i++) {
            json_object *m = json_object_array_get_idx(msgs, i);
            if (!q->ctx->json)
                printf("%s\n", body_of(m));
            json_object_array_add(all, json_object_get(m));
            if (args_has(&q->args, "delete"))
                delete_handle(q, url, m, &rc);
        }
        json_object_put(answer);
        got += (long)n;
        if (!n)
            break;
    }
    if (q->ctx->json && rc == EXIT_OK) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "Messages", json_object_get(all));
        output_json(q->ctx, o);
    }
    json_object_put(all);
    free(url);
    return rc;
}

static int queue_redrive(queue_cmd *q)
{
    const char *to = args_value(&q->args, "to");
    if (!to) {
        cli_error(q->ctx, "redrive needs --to QUEUE. See `kinesctl queue --help`.");
        return EXIT_USAGE;
    }
    int rc = EXIT_OK;
    char *from_url = url_of(q, q->name, &rc), *to_url = from_url ? url_of(q, to, &rc) : NULL;
    size_t moved = 0;
    while (to_url && rc == EXIT_OK) {
        json_object *answer;
        json_object *msgs = receive(q, from_url, REDRIVE_BATCH, 0, &answer, &rc);
        size_t n = msgs ? json_object_array_length(msgs) : 0;
        for (size_t i = 0; i < n && rc == EXIT_OK; i++) {
            json_object *m = json_object_array_get_idx(msgs, i), *attrs;
            json_object *req =
                with(with(json_object_new_object(), "QueueUrl", to_url), "MessageBody", body_of(m));
            if (json_object_object_get_ex(m, "MessageAttributes", &attrs))
                json_object_object_add(req, "MessageAttributes", json_object_get(attrs));
            json_object *out = call(q, "SendMessage", req, &rc);
            json_object_put(out);
            if (out && delete_handle(q, from_url, m, &rc))
                moved++;
        }
        json_object_put(answer);
        if (!n)
            break;
    }
    free(from_url);
    free(to_url);
    if (rc == EXIT_OK && !q->ctx->json)
        printf("moved %zu message%s from %s to %s\n", moved, moved == 1 ? "" : "s", q->name, to);
    return rc;
}

static const struct {
    const char *name;
    cli_words words;
    int (*fn)(queue_cmd *q);
} actions[] = {
    {"create", {2, 2, "one queue NAME"}, queue_create},
    {"delete", {2, 2, "one queue NAME"}, queue_delete},
    {"purge", {2, 2, "one queue NAME"}, queue_purge},
    {"list", {1, 2, "an optional name PREFIX"}, queue_list},
    {"send", {2, 3, "a queue NAME and an optional BODY"}, queue_send},
    {"receive", {2, 2, "one queue NAME"}, queue_receive},
    {"redrive", {2, 2, "the dead-letter queue's NAME"}, queue_redrive},
};

int cmd_queue(cli_ctx *ctx, int argc, char **argv)
{
    queue_cmd q = {.ctx = ctx};
    int rc = cli_parse(ctx, "queue", argc - 1, argv + 1,
                       "visibility-timeout retention delay dlq max-receives count wait to",
                       "delete", help, &q.args);
    if (rc >= 0)
        return rc;
    const char *action = q.args.positional_count > 0 ? q.args.positional[0] : NULL;
    for (size_t i = 0; action && i < sizeof actions / sizeof *actions; i++) {
        if (strcmp(action, actions[i].name) != 0)
            continue;
        char command[64];
        snprintf(command, sizeof command, "queue %s", action);
        if (!cli_words_fit(ctx, &q.args, "queue", command, &actions[i].words))
            return EXIT_USAGE;
        q.name = q.args.positional_count > 1 ? q.args.positional[1] : NULL;
        q.client = cli_client(ctx, &rc);
        if (!q.client)
            return rc;
        rc = actions[i].fn(&q);
        kines_client_free(q.client);
        return rc;
    }
    cli_error(ctx, "queue needs one of create, delete, purge, list, send, receive, redrive. See "
                   "`kinesctl queue --help`.");
    return EXIT_USAGE;
}
