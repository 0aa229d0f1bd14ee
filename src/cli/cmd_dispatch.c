/* cmd_dispatch.c - `kinesctl dispatch NAME TYPE DATA-JSON`: publishes one event in the canonical
 * envelope and prints the envelope Kinesis acknowledged. */
#include <stdlib.h>

#include "commands.h"
#include "kines/event.h"
#include "output.h"

static const char help[] =
    "usage: kinesctl dispatch NAME TYPE DATA-JSON [--producer-id ID] [--source-user-id ID]\n"
    "                         [--partition-key K] [--schema FILE [--draft D] [--assert-format]]\n"
    "\n"
    "Publishes the event envelope\n"
    "  {id, type, timestamp, data, source: {userId, producerId, kinesisPartitionKey}}\n"
    "with a new UUID v4 id and the current UTC time (ISO-8601, milliseconds), partitioned by K or\n"
    "else by the id, and prints it once Kinesis has acknowledged it. --schema FILE checks the\n"
    "envelope against that JSON Schema first: an envelope that does not match is not sent, and\n"
    "every error is printed (exit code 8).\n"
    "\n"
    "examples:\n"
    "  kinesctl dispatch orders order.created '{\"orderId\": 42}' --producer-id shop\n"
    "  kinesctl dispatch audit user.login '{}' --source-user-id u-17 --partition-key u-17\n"
    "  kinesctl dispatch orders order.created '{\"orderId\": 42}' --schema envelope.json\n";

int cmd_dispatch(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(ctx, "dispatch", argc - 1, argv + 1,
                       "producer-id source-user-id partition-key schema draft", "assert-format",
                       help, &a);
    if (rc >= 0)
        return rc;
    if (a.positional_count != 3) {
        cli_error(ctx, "dispatch takes a stream NAME, an event TYPE and DATA as JSON. See "
                       "`kinesctl dispatch --help`.");
        return EXIT_USAGE;
    }
    kines_schema *schema;
    if (!cli_schema_option(ctx, &a, &schema, &rc))
        return rc;
    kines_client *c = cli_client(ctx, &rc);
    if (!c) {
        kines_schema_free(schema);
        return rc;
    }
    kines_event ev = {.type = a.positional[1],
                      .data_json = a.positional[2],
                      .producer_id = args_value(&a, "producer-id"),
                      .user_id = args_value(&a, "source-user-id"),
                      .partition_key = args_value(&a, "partition-key"),
                      .schema = schema};
    char *published = NULL;
    kines_error err;
    if (kines_dispatch(c, a.positional[0], &ev, &published, &err) != 0) {
        rc = cli_fail(ctx, &err, a.positional[0]);
    } else {
        output_json(ctx, json_tokener_parse(published));
        rc = EXIT_OK;
    }
    free(published);
    kines_client_free(c);
    kines_schema_free(schema);
    return rc;
}
