/* cmd_put.c - `kinesctl put NAME [DATA]`: one record, or one record per stdin line, through the
 * libkines producer; a progress line on a terminal and a summary at the end. */
#include <json-c/json.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "common/clock.h"
#include "common/uuid.h"
#include "kines/producer.h"
#include "output.h"
#include "progress.h"

#define MAX_LISTED_LINES 10

static const char help[] =
    "usage: kinesctl put NAME [DATA] [--partition-key K] [--jsonl] [--key-field F] [--aggregate]\n"
    "                         [--linger-ms MS] [--schema FILE [--draft D] [--assert-format]]\n"
    "\n"
    "Writes DATA as one record, or without DATA one record per line of standard input (the line\n"
    "without its line break). Records go through the libkines producer: batched PutRecords,\n"
    "failed records retried, order kept per partition key. Without --partition-key each record\n"
    "gets a random key (spreading records over all shards). --jsonl checks that every line is\n"
    "JSON and skips (and reports) the ones that are not; --key-field F (implies --jsonl) takes\n"
    "each record's partition key from its JSON field F. At the end a summary is printed; lines\n"
    "that could not be delivered are named on stderr. --aggregate packs the records of a key into\n"
    "KPL aggregated records (which `kinesctl tail` and the KCL split again). --linger-ms is how\n"
    "long a record may wait for a fuller batch (default 100). --schema FILE checks every record\n"
    "against that JSON Schema before it is sent: records that do not match are skipped and\n"
    "reported with their line number and every error (see `kinesctl schema --help` for --draft\n"
    "and --assert-format).\n"
    "\n"
    "Ctrl-C stops reading and delivers what was read; a second Ctrl-C quits at once.\n"
    "\n"
    "exit codes: 0 all delivered, 8 malformed, oversized or schema-invalid lines were skipped\n"
    "(or the schema is not usable), 10 some records were not delivered, 130 interrupted (see\n"
    "`kinesctl --help` for the rest).\n"
    "\n"
    "examples:\n"
    "  kinesctl put orders '{\"id\": 1}' --partition-key customer-1\n"
    "  seq 100000 | kinesctl put orders\n"
    "  kinesctl put orders --key-field customer < events.jsonl\n"
    "  kinesctl put orders --schema order.schema.json < orders.jsonl\n";

/* What the producer thread reports back, read by the main thread after close. */
typedef struct put_state {
    uint64_t *failed_lines;
    size_t failed_count, failed_cap;
    kines_error first_error;
} put_state;

static void on_result(void *user, void *record_ctx, const char *shard, const char *seq,
                      const kines_error *err)
{
    (void)shard, (void)seq;
    put_state *st = user;
    if (!err)
        return;
    if (st->failed_count == 0)
        st->first_error = *err;
    if (st->failed_count == st->failed_cap) {
        st->failed_cap = st->failed_cap ? 2 * st->failed_cap : 64;
        st->failed_lines = realloc(st->failed_lines, st->failed_cap * sizeof(uint64_t));
        if (!st->failed_lines)
            abort();
    }
    st->failed_lines[st->failed_count++] = (uint64_t)(uintptr_t)record_ctx;
}

typedef struct put_run {
    cli_ctx *ctx;
    const char *stream;
    const char *partition_key; /* NULL: random per record */
    const char *key_field;     /* --key-field: the JSON field holding the partition key */
    bool jsonl;
    kines_producer *producer;
    uint64_t lines, bytes_read, skipped;
    int64_t started_ns;
} put_run;

/* The JSON value that is the whole line, or NULL (with *ok false when the line is not JSON). */
static json_object *parse_line(const char *line, size_t len, bool *ok)
{
    json_tokener *tok = json_tokener_new();
    json_object *v = json_tokener_parse_ex(tok, line, (int)len + 1);
    size_t end = json_tokener_get_parse_end(tok);
    *ok = json_tokener_get_error(tok) == json_tokener_success &&
          line[end + strspn(line + end, " \t\r")] == '\0';
    json_tokener_free(tok);
    if (!*ok) {
        json_object_put(v);
        return NULL;
    }
    return v;
}

/* The partition key of a record: --key-field of its JSON, --partition-key, or a random UUID. */
static bool record_key(put_run *r, const char *data, size_t len,
                       char key[KINES_MAX_PARTITION_KEY + 1], kines_error *err)
{
    if (!r->jsonl) {
        snprintf(key, KINES_MAX_PARTITION_KEY + 1, "%s", r->partition_key ? r->partition_key : "");
        if (!r->partition_key)
            uuid_v4(key);
        return true;
    }
    bool ok;
    json_object *v = parse_line(data, len, &ok), *field = NULL;
    if (!ok) {
        *err = (kines_error){.status = KINES_ERR_INVALID};
        snprintf(err->message, sizeof err->message, "not valid JSON");
        return false;
    }
    if (r->key_field && !json_object_object_get_ex(v, r->key_field, &field)) {
        *err = (kines_error){.status = KINES_ERR_INVALID};
        snprintf(err->message, sizeof err->message, "no field \"%s\" for the partition key",
                 r->key_field);
        json_object_put(v);
        return false;
    }
    if (field)
        snprintf(key, KINES_MAX_PARTITION_KEY + 1, "%s", json_object_get_string(field));
    else if (r->partition_key)
        snprintf(key, KINES_MAX_PARTITION_KEY + 1, "%s", r->partition_key);
    else
        uuid_v4(key);
    json_object_put(v);
    return true;
}

/* Puts one record (line number `line`); malformed or oversized input is skipped and reported. */
static void put_one(put_run *r, const char *data, size_t len, uint64_t line)
{
    char key[KINES_MAX_PARTITION_KEY + 1];
    kines_error err;
    if (record_key(r, data, len, key, &err) &&
        kines_producer_put(r->producer, data, len, key, NULL, (void *)(uintptr_t)line, &err) == 0)
        return;
    cli_error(r->ctx, "line %llu skipped: %s", (unsigned long long)line, err.message);
    r->skipped++;
}

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* The first Ctrl-C stops reading stdin (what was read is still delivered); a second one kills. */
static void catch_interrupt(void)
{
    struct sigaction sa = {.sa_handler = on_interrupt, .sa_flags = SA_RESETHAND};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
}

static void put_stdin(put_run *r, progress *bar)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    catch_interrupt();
    while (!interrupted && (n = getline(&line, &cap, stdin)) >= 0) {
        r->bytes_read += (uint64_t)n;
        if (n > 0 && line[n - 1] == '\n')
            line[--n] = '\0';
        if (n > 0 && line[n - 1] == '\r')
            line[--n] = '\0';
        put_one(r, line, (size_t)n, ++r->lines);
        kines_producer_stats s;
        kines_producer_stats_get(r->producer, &s);
        progress_update(bar, r->bytes_read, r->lines, s.records_delivered, false);
    }
    free(line);
}

static uint64_t stdin_size(void)
{
    struct stat st;
    return fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
}

static void list_failed_lines(const put_run *r, const put_state *st)
{
    for (size_t i = 0; i < st->failed_count && i < MAX_LISTED_LINES; i++)
        cli_error(
            r->ctx, "line %llu not delivered: %s: %s", (unsigned long long)st->failed_lines[i],
            st->first_error.type[0] ? st->first_error.type : "error", st->first_error.message);
    if (st->failed_count > MAX_LISTED_LINES)
        cli_error(r->ctx, "... and %zu more lines not delivered (all listed with --output json)",
                  st->failed_count - MAX_LISTED_LINES);
}

static void print_summary(const put_run *r, const put_state *st, const kines_producer_stats *s)
{
    double seconds = (double)(clock_mono_ns() - r->started_ns) / 1e9;
    if (r->ctx->json) {
        json_object *o = json_object_new_object(), *lines = json_object_new_array();
        json_object_object_add(o, "StreamName", json_object_new_string(r->stream));
        json_object_object_add(o, "Records", json_object_new_int64((int64_t)s->records_put));
        json_object_object_add(o, "Delivered",
                               json_object_new_int64((int64_t)s->records_delivered));
        json_object_object_add(o, "Failed", json_object_new_int64((int64_t)s->records_failed));
        json_object_object_add(o, "Skipped", json_object_new_int64((int64_t)r->skipped));
        json_object_object_add(o, "Bytes", json_object_new_int64((int64_t)s->bytes_delivered));
        json_object_object_add(o, "Requests", json_object_new_int64((int64_t)s->requests));
        json_object_object_add(o, "Seconds", json_object_new_double(seconds));
        for (size_t i = 0; i < st->failed_count; i++)
            json_object_array_add(lines, json_object_new_int64((int64_t)st->failed_lines[i]));
        json_object_object_add(o, "UndeliveredLines", lines);
        output_json(r->ctx, o);
        return;
    }
    list_failed_lines(r, st);
    printf("%s: %llu records, %llu bytes delivered, %llu failed, %llu skipped in %.2f s\n",
           r->stream, (unsigned long long)s->records_delivered,
           (unsigned long long)s->bytes_delivered, (unsigned long long)s->records_failed,
           (unsigned long long)r->skipped, seconds);
}

/* Fails early, with the real reason, when the stream cannot be written at all. */
static int check_stream(cli_ctx *ctx, const char *stream)
{
    int rc;
    kines_client *c = cli_client(ctx, &rc);
    if (!c)
        return rc;
    kines_stream s;
    kines_error err;
    rc = kines_describe_stream_summary(c, stream, &s, &err) == 0 ? EXIT_OK
                                                                 : cli_fail(ctx, &err, stream);
    kines_stream_free(&s);
    kines_client_free(c);
    return rc;
}

static int exit_code(const put_run *r, const put_state *st)
{
    if (interrupted)
        return EXIT_INTERRUPTED;
    if (st->failed_count > 0)
        return EXIT_PARTIAL;
    return r->skipped > 0 ? EXIT_BAD_INPUT : EXIT_OK;
}

int cmd_put(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc =
        cli_parse(ctx, "put", argc - 1, argv + 1, "partition-key key-field linger-ms schema draft",
                  "jsonl aggregate assert-format", help, &a);
    if (rc >= 0)
        return rc;
    long linger;
    if (a.positional_count < 1 || a.positional_count > 2) {
        cli_error(ctx, "put takes a stream NAME and optionally DATA. See `kinesctl put --help`.");
        return EXIT_USAGE;
    }
    if (!cli_int(ctx, &a, "linger-ms", 0, &linger))
        return EXIT_USAGE;
    put_run r = {.ctx = ctx,
                 .stream = a.positional[0],
                 .partition_key = args_value(&a, "partition-key"),
                 .key_field = args_value(&a, "key-field"),
                 .jsonl = args_has(&a, "jsonl") || args_has(&a, "key-field"),
                 .started_ns = clock_mono_ns()};
    kines_schema *schema;
    if (!cli_schema_option(ctx, &a, &schema, &rc))
        return rc;
    if ((rc = check_stream(ctx, r.stream)) != EXIT_OK) {
        kines_schema_free(schema);
        return rc;
    }
    put_state st = {0};
    kines_producer_options po = {.linger_ms = (int)linger,
                                 .aggregate = args_has(&a, "aggregate"),
                                 .on_result = on_result,
                                 .user = &st,
                                 .schema = schema};
    kines_error err;
    r.producer = kines_producer_new(&ctx->opts, r.stream, &po, &err);
    if (!r.producer) {
        kines_schema_free(schema);
        return cli_fail(ctx, &err, r.stream);
    }

    progress bar;
    progress_start(&bar, isatty(STDERR_FILENO) && !ctx->json && a.positional_count == 1,
                   stdin_size());
    if (a.positional_count == 2)
        put_one(&r, a.positional[1], strlen(a.positional[1]), ++r.lines);
    else
        put_stdin(&r, &bar);
    if (interrupted)
        cli_error(ctx,
                  "interrupted: delivering the %llu lines read so far (Ctrl-C again to quit "
                  "at once)",
                  (unsigned long long)r.lines);
    kines_producer_flush(r.producer);
    kines_producer_stats s;
    kines_producer_stats_get(r.producer, &s);
    progress_update(&bar, r.bytes_read, r.lines, s.records_delivered, true);
    progress_end(&bar);
    kines_producer_close(r.producer);
    kines_schema_free(schema);
    print_summary(&r, &st, &s);
    rc = exit_code(&r, &st);
    free(st.failed_lines);
    return rc;
}
