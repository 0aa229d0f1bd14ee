/* cmd_tail.c - `kinesctl tail NAME`: every shard of a stream through the libkines consumer
 * (parents before children across resharding), until caught up, --count records, or forever with
 * --follow; --checkpoint FILE resumes where the last run stopped. */
#include <limits.h>

#include "commands.h"
#include "records_out.h"

static const char help[] =
    "usage: kinesctl tail NAME [--from POSITION] [--count N] [--follow] [--format F]\n"
    "                     [--checkpoint FILE] [--application NAME]\n"
    "\n"
    "Reads all shards of the stream, a parent shard to its end before its children, and prints\n"
    "each record's data (KPL aggregates are split into their records). Stops when every shard is\n"
    "caught up, after N records with --count, or never with --follow (like tail -f).\n"
    "POSITION: trim-horizon (default; latest with --follow), latest, a sequence number, or a time\n"
    "(2026-01-31T12:00:00Z or seconds since the epoch). Formats: pretty (decoded data, JSON\n"
    "indented; the default on a terminal), raw (data as is; the default otherwise), json, jsonl\n"
    "(the default with --output json). --checkpoint keeps per-shard progress in a SQLite file so\n"
    "that the next run continues after the last record printed.\n"
    "\n"
    "examples:\n"
    "  kinesctl tail orders --count 10\n"
    "  kinesctl tail orders --follow --format jsonl\n"
    "  kinesctl tail orders --checkpoint ~/.orders.ckpt\n";

#define CHECKPOINT_EVERY 1000
#define FOLLOW_WAIT_MS 1000

typedef struct tail_run {
    cli_ctx *ctx;
    const char *stream;
    kines_consumer *consumer;
    record_format format;
    long count;
    bool follow;
} tail_run;

static int run(tail_run *t)
{
    kines_consumer_record r;
    kines_error err;
    for (long printed = 0; printed < t->count;) {
        int got = kines_consumer_next(t->consumer, &r, t->follow ? FOLLOW_WAIT_MS : 0, &err);
        if (got < 0)
            return cli_fail(t->ctx, &err, t->stream);
        if (got == 1) {
            print_record(t->ctx, t->format, &r);
            printed++;
            if (t->follow) /* like tail -f: a reader downstream sees each record at once */
                fflush(stdout);
        }
        if (got == 0 || printed % CHECKPOINT_EVERY == 0) { /* printed before checkpointed */
            fflush(stdout);
            if (kines_consumer_checkpoint(t->consumer, &err) != 0)
                return cli_fail(t->ctx, &err, "checkpoint");
        }
        if (got == 0 && (!t->follow || kines_consumer_finished(t->consumer)))
            break;
    }
    return kines_consumer_checkpoint(t->consumer, &err) == 0 ? EXIT_OK
                                                             : cli_fail(t->ctx, &err, "checkpoint");
}

int cmd_tail(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(ctx, "tail", argc - 1, argv + 1, "from count format checkpoint application",
                       "follow", help, &a);
    if (rc >= 0)
        return rc;
    tail_run t = {.ctx = ctx, .follow = args_has(&a, "follow")};
    kines_consumer_options o = {.checkpoint_path = args_value(&a, "checkpoint"),
                                .application = args_value(&a, "application")};
    if (a.positional_count != 1) {
        cli_error(ctx, "tail takes one stream NAME. See `kinesctl tail --help`.");
        return EXIT_USAGE;
    }
    const char *from = args_value(&a, "from");
    if (!parse_position(ctx,
                        from       ? from
                        : t.follow ? "latest"
                                   : "trim-horizon",
                        &o.start) ||
        !parse_format(ctx, args_value(&a, "format"), &t.format) ||
        !cli_int(ctx, &a, "count", LONG_MAX, &t.count))
        return EXIT_USAGE;
    kines_error err;
    t.stream = a.positional[0];
    t.consumer = kines_consumer_new(&ctx->opts, a.positional[0], &o, &err);
    if (!t.consumer)
        return cli_fail(ctx, &err, a.positional[0]);
    rc = run(&t);
    kines_consumer_free(t.consumer);
    return rc;
}
