/* main.c - kinesctl's entry: the command table, global options, and the shared helpers for
 * parsing a command's arguments and making its client. */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "common/buf.h"

static const char usage[] =
    "kinesctl - command-line client for Amazon Kinesis Data Streams and kinesd\n"
    "\n"
    "usage: kinesctl COMMAND [ARGS] [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  stream create NAME [--shards N | --on-demand] [--wait]   create a stream\n"
    "  stream delete NAME [--wait]                              delete a stream\n"
    "  stream describe NAME                                     status, mode and shards\n"
    "  stream wait NAME [--gone] [--timeout SECONDS]            wait until ACTIVE (or deleted)\n"
    "  stream list                                              list stream names\n"
    "  stream reshard NAME --shards N [--wait]                  change the shard count\n"
    "  stream retention|mode|tag|untag|tags NAME ..., stream limits   settings (see stream "
    "--help)\n"
    "  stream contract set|get|remove NAME [SCHEMA.json]      records must match (kinesd only)\n"
    "  put NAME [DATA] [--partition-key K] [--jsonl] [--schema FILE]\n"
    "                                                           write records (stdin lines)\n"
    "  get NAME --shard ID [--from POSITION] [--count N]        read one shard\n"
    "  tail NAME [--from POS] [--count N] [--follow] [--format raw|json|jsonl]\n"
    "                                                           read all shards\n"
    "  dispatch NAME TYPE DATA-JSON [--producer-id ID] [--source-user-id ID]\n"
    "           [--partition-key K] [--schema FILE]             publish an event envelope\n"
    "  schema validate SCHEMA INSTANCE... [--draft D] [--jsonl] check JSON against a JSON Schema\n"
    "  queue create|delete|purge|list|send|receive|redrive ...  SQS queues (see queue --help)\n"
    "  iam user|key|policy ...                                  IAM users, access keys, policies\n"
    "                                                           (see iam --help)\n"
    "  whoami                                                   who the credentials are\n"
    "  function create NAME --runtime R --handler H --code DIR|ZIP   a Lambda function\n"
    "  function invoke NAME [PAYLOAD] [--log] | list | delete NAME  run, list, delete them\n"
    "  logs NAME [--follow]                                     a function's log (kinesd)\n"
    "  trigger create FUNCTION STREAM [--batch-size N] ...      map a stream to a function\n"
    "  trigger list [FUNCTION] | enable|disable|delete UUID     event source mappings\n"
    "  triggers                                                 each mapping's shards (kinesd)\n"
    "  dlq replay QUEUE [--max N]                               re-drive failed batches\n"
    "\n"
    "options for every command:\n"
    "  --endpoint-url URL   the Kinesis endpoint (else AWS_ENDPOINT_URL_KINESIS, "
    "AWS_ENDPOINT_URL,\n"
    "                       the profile's endpoint_url, or https://kinesis.REGION.amazonaws.com)\n"
    "  --region REGION      else AWS_REGION, AWS_DEFAULT_REGION, the profile's region\n"
    "  --profile NAME       a profile of ~/.aws/credentials and ~/.aws/config\n"
    "  --output json        machine-readable output (`iam key create`: also profile)\n"
    "  --no-color           never colour (colour is only used on a terminal anyway)\n"
    "  --debug              show where the configuration came from\n"
    "  --help               help for a command, e.g. `kinesctl put --help`\n"
    "\n"
    "examples:\n"
    "  kinesctl --endpoint-url http://127.0.0.1:4567 stream create orders --shards 2 --wait\n"
    "  seq 1000 | kinesctl put orders\n"
    "  kinesctl tail orders --from trim-horizon --count 10\n"
    "\n"
    "exit codes: 0 ok, 1 error, 2 usage, 3 configuration, 4 endpoint unreachable, 5 not found,\n"
    "  6 credentials rejected, 7 throttled, 8 bad input, 9 stream busy or limit reached,\n"
    "  10 some records not delivered, 11 timed out, 130 interrupted\n";

static const struct {
    const char *name;
    cli_command_fn fn;
} commands[] = {
    {"stream", cmd_stream},     {"put", cmd_put},           {"get", cmd_get},
    {"tail", cmd_tail},         {"dispatch", cmd_dispatch}, {"schema", cmd_schema},
    {"queue", cmd_queue},       {"iam", cmd_iam},           {"whoami", cmd_whoami},
    {"function", cmd_function}, {"logs", cmd_logs},         {"trigger", cmd_trigger},
    {"triggers", cmd_triggers}, {"dlq", cmd_dlq},
};

int cli_parse(cli_ctx *ctx, const char *command, int argc, char **argv, const char *value_flags,
              const char *switch_flags, const char *help, cli_args *out)
{
    kbuf error = KBUF_INIT;
    if (args_parse(argc, argv, value_flags, switch_flags, out, &error) != 0) {
        cli_error(ctx, "%s. See `kinesctl %s --help`.", error.data, command);
        kbuf_free(&error);
        return EXIT_USAGE;
    }
    kbuf_free(&error);
    ctx->opts.endpoint_url = args_value(out, "endpoint-url");
    ctx->opts.region = args_value(out, "region");
    ctx->opts.profile = args_value(out, "profile");
    ctx->debug = args_has(out, "debug");
    if (args_has(out, "no-color"))
        ctx->color = false;
    const char *output = args_value(out, "output");
    if (output && strcmp(output, "json") != 0 && strcmp(output, "text") != 0 &&
        strcmp(output, "profile") != 0) {
        cli_error(ctx, "--output must be json, text or profile, not '%s'", output);
        return EXIT_USAGE;
    }
    ctx->json = output && strcmp(output, "json") == 0;
    ctx->profile = output && strcmp(output, "profile") == 0;
    if (args_has(out, "help")) {
        fputs(help, stdout);
        return EXIT_OK;
    }
    return -1;
}

bool cli_int(const cli_ctx *ctx, const cli_args *a, const char *name, long fallback, long *out)
{
    const char *v = args_value(a, name);
    if (!v) {
        *out = fallback;
        return true;
    }
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n <= 0) {
        cli_error(ctx, "--%s needs a positive whole number, not '%s'", name, v);
        return false;
    }
    *out = n;
    return true;
}

bool cli_words_fit(const cli_ctx *ctx, const cli_args *a, const char *group, const char *command,
                   const cli_words *w)
{
    if (a->positional_count >= w->min && a->positional_count <= w->max)
        return true;
    cli_error(ctx, "%s takes %s. See `kinesctl %s --help`.", command, w->what, group);
    return false;
}

char *cli_read_text(const cli_ctx *ctx, const char *path, size_t max, const char *what,
                    int *exit_code)
{
    FILE *f = fopen(path, "rb");
    kbuf text = KBUF_INIT;
    size_t got = 0;
    if (f) {
        kbuf_reserve(&text, max + 1);
        got = fread(text.data, 1, max + 1, f);
        text.len = got;
        text.data[got] = '\0';
        fclose(f);
    }
    if (f && got <= max && strlen(text.data) == got)
        return kbuf_detach(&text);
    cli_error(ctx, "cannot read the %s file %s as a text of at most %zu KiB", what, path,
              max / 1024);
    *exit_code = EXIT_BAD_INPUT;
    kbuf_free(&text);
    return NULL;
}

kines_client *cli_client(const cli_ctx *ctx, int *exit_code)
{
    kines_error err;
    kines_client *c = kines_client_new(&ctx->opts, &err);
    if (!c) {
        *exit_code = cli_fail(ctx, &err, "configuration");
        return NULL;
    }
    if (ctx->debug) {
        const kines_config *cfg = kines_client_config(c);
        fprintf(stderr,
                "kinesctl: endpoint %s (from %s), region %s (from %s), credentials from %s\n",
                cfg->endpoint_url, cfg->endpoint_source, cfg->region, cfg->region_source,
                cfg->credentials_source);
    }
    return c;
}

int kcli_main(int argc, char **argv)
{
    cli_ctx ctx = {0};
    json_c_set_serialization_double_format("%.3f", JSON_C_OPTION_GLOBAL);
    ctx.color = isatty(STDERR_FILENO) && !getenv("NO_COLOR");
    ctx.stdout_tty = isatty(STDOUT_FILENO);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("kinesctl %s\n", KINESD_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(&ctx, argc - 1, argv + 1);
    cli_error(&ctx, "unknown command '%s'. See `kinesctl --help`.", argv[1]);
    return EXIT_USAGE;
}
