/* cmd_get.c - `kinesctl get NAME --shard ID`: the records of one shard from a position until the
 * shard is caught up (or --count records). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "records_out.h"

static const char help[] =
    "usage: kinesctl get NAME --shard ID [--from POSITION] [--count N] [--format F]\n"
    "\n"
    "Reads one shard from POSITION (default trim-horizon) until it is caught up, or N records.\n"
    "POSITION: trim-horizon, latest, at:SEQ, after:SEQ, a sequence number, or a time\n"
    "(2026-01-31T12:00:00Z or seconds since the epoch). Formats: raw (data, one record a line;\n"
    "the default when not on a terminal), json, jsonl (with --output json), pretty.\n"
    "\n"
    "examples:\n"
    "  kinesctl get orders --shard shardId-000000000000 --count 5\n"
    "  kinesctl get orders --shard shardId-000000000001 --from 2026-01-31T12:00:00Z --format "
    "jsonl\n";

#define MAX_EMPTY_PAGES 100 /* a bound on pages without records while still behind */

typedef struct get_run {
    cli_ctx *ctx;
    kines_client *client;
    const char *stream, *shard;
    record_format format;
    long count, printed;
} get_run;

/* Prints a page's records; returns whether to stop (count reached). */
static bool print_page(get_run *g, const kines_records *page)
{
    for (size_t i = 0; i < page->count && g->printed < g->count; i++, g->printed++) {
        const kines_record *r = &page->records[i];
        kines_consumer_record out = {g->shard, r->sequence_number,  0,
                                     false,    r->partition_key,    r->data,
                                     r->len,   r->arrival_timestamp};
        print_record(g->ctx, g->format, &out);
    }
    return g->printed >= g->count;
}

static int read_shard(get_run *g, char *iterator)
{
    kines_error err;
    int empty_pages = 0;
    while (iterator) {
        kines_records page;
        if (kines_get_records(g->client, iterator, 0, &page, &err) != 0) {
            free(iterator);
            return cli_fail(g->ctx, &err, g->shard);
        }
        free(iterator);
        iterator = page.next_iterator ? strdup(page.next_iterator) : NULL;
        bool stop = print_page(g, &page);
        bool caught_up = page.count == 0 && page.millis_behind_latest == 0;
        empty_pages = page.count == 0 ? empty_pages + 1 : 0;
        kines_records_free(&page);
        if (stop || caught_up || empty_pages > MAX_EMPTY_PAGES)
            break;
    }
    free(iterator);
    return EXIT_OK;
}

int cmd_get(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(ctx, "get", argc - 1, argv + 1, "shard from count format", "", help, &a);
    if (rc >= 0)
        return rc;
    get_run g = {.ctx = ctx, .shard = args_value(&a, "shard")};
    kines_position from;
    if (a.positional_count != 1 || !g.shard) {
        cli_error(ctx, "get takes a stream NAME and --shard ID. See `kinesctl get --help`.");
        return EXIT_USAGE;
    }
    g.stream = a.positional[0];
    if (!parse_position(ctx, args_value(&a, "from"), &from) ||
        !parse_format(ctx, args_value(&a, "format"), &g.format) ||
        !cli_int(ctx, &a, "count", LONG_MAX, &g.count))
        return EXIT_USAGE;
    if (!(g.client = cli_client(ctx, &rc)))
        return rc;
    char *iterator = NULL;
    kines_error err;
    if (kines_get_shard_iterator(g.client, g.stream, g.shard, &from, &iterator, &err) != 0)
        rc = cli_fail(ctx, &err, g.stream);
    else
        rc = read_shard(&g, iterator);
    kines_client_free(g.client);
    return rc;
}
