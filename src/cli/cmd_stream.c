/* cmd_stream.c - `kinesctl stream create|delete|describe|wait|list|reshard`, and the table of
 * every `stream` action (the others are in cmd_stream_settings.c and cmd_stream_contract.c). */
#include <stdarg.h>
#include <string.h>

#include "commands.h"
#include "output.h"
#include "stream_cmd.h"

#define DEFAULT_WAIT_S 60

static const char help[] =
    "usage:\n"
    "  kinesctl stream create NAME [--shards N | --on-demand] [--wait]\n"
    "  kinesctl stream delete NAME [--wait]\n"
    "  kinesctl stream describe NAME\n"
    "  kinesctl stream wait NAME [--gone] [--timeout SECONDS]\n"
    "  kinesctl stream list\n"
    "  kinesctl stream reshard NAME --shards N [--wait]\n"
    "  kinesctl stream retention NAME --hours N\n"
    "  kinesctl stream mode NAME on-demand|provisioned [--wait]\n"
    "  kinesctl stream encrypt NAME [--key-id KEY] [--stop] [--wait]\n"
    "  kinesctl stream tag NAME KEY=VALUE... ;  kinesctl stream untag NAME KEY...\n"
    "  kinesctl stream tags NAME ;  kinesctl stream limits\n"
    "  kinesctl stream contract set NAME SCHEMA.json [--assert-format]\n"
    "  kinesctl stream contract get NAME ;  kinesctl stream contract remove NAME\n"
    "\n"
    "create makes a provisioned stream of N shards (default 1) or an on-demand one; --wait "
    "returns\n"
    "once it is ACTIVE. reshard scales uniformly to N open shards (UpdateShardCount). wait polls\n"
    "until the stream is ACTIVE, or with --gone until it no longer exists (default timeout 60 s).\n"
    "encrypt makes the records written from now on be stored encrypted (KMS key --key-id, default\n"
    "alias/aws/kinesis); with --stop they are stored unencrypted again.\n"
    "contract (kinesd only) makes the stream refuse records whose data does not match the JSON\n"
    "Schema (one self-contained document); --assert-format checks \"format\" keywords too.\n"
    "\n"
    "examples:\n"
    "  kinesctl stream create orders --shards 4 --wait\n"
    "  kinesctl stream describe orders --output json\n"
    "  kinesctl stream reshard orders --shards 8 --wait\n"
    "  kinesctl stream retention orders --hours 48\n"
    "  kinesctl stream tag orders team=payments env=prod\n"
    "  kinesctl stream contract set orders order.schema.json\n"
    "  kinesctl stream delete orders --wait\n";

int stream_wait_for(stream_cmd *s, bool gone)
{
    long seconds;
    if (!cli_int(s->ctx, &s->args, "timeout", DEFAULT_WAIT_S, &seconds))
        return EXIT_USAGE;
    if (kines_wait_stream(s->client, s->name, gone, (int)(seconds * 1000), &s->err) != 0)
        return cli_fail(s->ctx, &s->err, s->name);
    return EXIT_OK;
}

bool stream_required_int(stream_cmd *s, const char *flag, long *out)
{
    if (!args_has(&s->args, flag)) {
        cli_error(s->ctx, "%s needs --%s N. See `kinesctl stream --help`.", s->args.positional[0],
                  flag);
        return false;
    }
    return cli_int(s->ctx, &s->args, flag, 0, out);
}

int stream_wait_if_asked(stream_cmd *s, bool gone, bool *waited)
{
    *waited = args_has(&s->args, "wait");
    return *waited ? stream_wait_for(s, gone) : EXIT_OK;
}

int stream_done(stream_cmd *s, const char *status, const char *sentence_format, ...)
{
    if (s->ctx->json) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "StreamName", json_object_new_string(s->name));
        json_object_object_add(o, "StreamStatus", json_object_new_string(status));
        output_json(s->ctx, o);
    } else {
        va_list ap;
        va_start(ap, sentence_format);
        vprintf(sentence_format, ap);
        va_end(ap);
        putchar('\n');
    }
    return EXIT_OK;
}

static int stream_create(stream_cmd *s)
{
    long shards;
    bool on_demand = args_has(&s->args, "on-demand");
    if (on_demand && args_has(&s->args, "shards")) {
        cli_error(s->ctx, "give either --shards or --on-demand, not both");
        return EXIT_USAGE;
    }
    if (!cli_int(s->ctx, &s->args, "shards", 1, &shards))
        return EXIT_USAGE;
    if (kines_create_stream(s->client, s->name, on_demand ? 0 : (int)shards, &s->err) != 0)
        return cli_fail(s->ctx, &s->err, s->name);
    bool wait;
    int rc = stream_wait_if_asked(s, false, &wait);
    if (rc != EXIT_OK)
        return rc;
    const char *status = wait ? "ACTIVE" : "CREATING", *waited = wait ? " (ACTIVE)" : "";
    if (on_demand)
        return stream_done(s, status, "created on-demand stream %s%s", s->name, waited);
    return stream_done(s, status, "created stream %s with %ld shard%s%s", s->name, shards,
                       shards == 1 ? "" : "s", waited);
}

static int stream_delete(stream_cmd *s)
{
    if (kines_delete_stream(s->client, s->name, &s->err) != 0)
        return cli_fail(s->ctx, &s->err, s->name);
    bool wait;
    int rc = stream_wait_if_asked(s, true, &wait);
    if (rc != EXIT_OK)
        return rc;
    return stream_done(s, wait ? "DELETED" : "DELETING", "deleted stream %s", s->name);
}

static void print_shard_line(const kines_shard *sh)
{
    char parents[300] = "";
    if (sh->parent_shard_id)
        snprintf(parents, sizeof parents, "  parent %s%s%s", sh->parent_shard_id,
                 sh->adjacent_parent_shard_id ? " + " : "",
                 sh->adjacent_parent_shard_id ? sh->adjacent_parent_shard_id : "");
    printf("  %-22s %-6s %s..%s%s\n", sh->shard_id, sh->ending_sequence_number ? "closed" : "open",
           sh->starting_hash_key, sh->ending_hash_key, parents);
}

static json_object *describe_json(const kines_stream *st, const kines_shard_list *shards)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "StreamName", json_object_new_string(st->name ? st->name : ""));
    json_object_object_add(o, "StreamARN", json_object_new_string(st->arn ? st->arn : ""));
    json_object_object_add(o, "StreamStatus", json_object_new_string(st->status ? st->status : ""));
    json_object_object_add(o, "StreamMode", json_object_new_string(st->mode ? st->mode : ""));
    json_object_object_add(o, "RetentionPeriodHours", json_object_new_int(st->retention_hours));
    json_object_object_add(o, "OpenShardCount", json_object_new_int(st->open_shard_count));
    json_object_object_add(o, "StreamCreationTimestamp",
                           json_object_new_double(st->creation_timestamp));
    json_object *list = json_object_new_array();
    for (size_t i = 0; i < shards->count; i++)
        json_object_array_add(list, output_shard_json(&shards->shards[i]));
    json_object_object_add(o, "Shards", list);
    return o;
}

static int stream_describe(stream_cmd *s)
{
    kines_stream st;
    kines_shard_list shards;
    if (kines_describe_stream_summary(s->client, s->name, &st, &s->err) != 0)
        return cli_fail(s->ctx, &s->err, s->name);
    if (kines_list_shards(s->client, s->name, &shards, &s->err) != 0) {
        kines_stream_free(&st);
        return cli_fail(s->ctx, &s->err, s->name);
    }
    if (s->ctx->json) {
        output_json(s->ctx, describe_json(&st, &shards));
    } else {
        printf("stream     %s\nstatus     %s\nmode       %s\narn        %s\nretention  %d h\n"
               "shards     %d open, %zu in all\n",
               st.name, st.status, st.mode ? st.mode : "PROVISIONED", st.arn ? st.arn : "-",
               st.retention_hours, st.open_shard_count, shards.count);
        for (size_t i = 0; i < shards.count; i++)
            print_shard_line(&shards.shards[i]);
    }
    kines_shard_list_free(&shards);
    kines_stream_free(&st);
    return EXIT_OK;
}

static int stream_list(stream_cmd *s)
{
    kines_string_list names;
    if (kines_list_streams(s->client, &names, &s->err) != 0)
        return cli_fail(s->ctx, &s->err, "list streams");
    if (s->ctx->json) {
        json_object *o = json_object_new_object(), *list = json_object_new_array();
        for (size_t i = 0; i < names.count; i++)
            json_object_array_add(list, json_object_new_string(names.items[i]));
        json_object_object_add(o, "StreamNames", list);
        output_json(s->ctx, o);
    } else {
        for (size_t i = 0; i < names.count; i++)
            printf("%s\n", names.items[i]);
    }
    kines_string_list_free(&names);
    return EXIT_OK;
}

static int stream_reshard(stream_cmd *s)
{
    long shards;
    if (!stream_required_int(s, "shards", &shards))
        return EXIT_USAGE;
    if (kines_update_shard_count(s->client, s->name, (int)shards, &s->err) != 0)
        return cli_fail(s->ctx, &s->err, s->name);
    bool wait;
    int rc = stream_wait_if_asked(s, false, &wait);
    if (rc != EXIT_OK)
        return rc;
    return stream_done(s, wait ? "ACTIVE" : "UPDATING", "resharding stream %s to %ld shards%s",
                       s->name, shards, wait ? ": done (ACTIVE)" : "");
}

static int stream_wait(stream_cmd *s)
{
    bool gone = args_has(&s->args, "gone");
    int rc = stream_wait_for(s, gone);
    if (rc != EXIT_OK)
        return rc;
    return stream_done(s, gone ? "DELETED" : "ACTIVE", "stream %s is %s", s->name,
                       gone ? "gone" : "ACTIVE");
}

/* Each action with its number of positional words (the action's name included). */
static const struct {
    const char *name;
    cli_words words;
    int (*fn)(stream_cmd *s);
} actions[] = {
    {"create", {2, 2, "one stream NAME"}, stream_create},
    {"delete", {2, 2, "one stream NAME"}, stream_delete},
    {"describe", {2, 2, "one stream NAME"}, stream_describe},
    {"wait", {2, 2, "one stream NAME"}, stream_wait},
    {"list", {1, 1, "no arguments"}, stream_list},
    {"reshard", {2, 2, "one stream NAME"}, stream_reshard},
    {"retention", {2, 2, "one stream NAME"}, stream_retention},
    {"mode", {3, 3, "a stream NAME and on-demand or provisioned"}, stream_mode},
    {"encrypt", {2, 2, "one stream NAME"}, stream_encrypt},
    {"tag", {3, ARGS_MAX_POSITIONAL, "a stream NAME and KEY=VALUE pairs"}, stream_tag},
    {"untag", {3, ARGS_MAX_POSITIONAL, "a stream NAME and tag KEYs"}, stream_untag},
    {"tags", {2, 2, "one stream NAME"}, stream_tags},
    {"limits", {1, 1, "no arguments"}, stream_limits},
    {"contract",
     {3, 4, "set, get or remove and a stream NAME (set: and a SCHEMA file)"},
     stream_contract},
};

int cmd_stream(cli_ctx *ctx, int argc, char **argv)
{
    stream_cmd s = {.ctx = ctx};
    int rc = cli_parse(ctx, "stream", argc - 1, argv + 1, "shards timeout hours key-id",
                       "on-demand wait gone stop assert-format", help, &s.args);
    if (rc >= 0)
        return rc;
    const char *action = s.args.positional_count > 0 ? s.args.positional[0] : NULL;
    for (size_t i = 0; action && i < sizeof actions / sizeof *actions; i++) {
        if (strcmp(action, actions[i].name) != 0)
            continue;
        char command[64];
        snprintf(command, sizeof command, "stream %s", action);
        if (!cli_words_fit(ctx, &s.args, "stream", command, &actions[i].words))
            return EXIT_USAGE;
        s.name = s.args.positional_count > 1 ? s.args.positional[1] : NULL;
        s.client = cli_client(ctx, &rc);
        if (!s.client)
            return rc;
        rc = actions[i].fn(&s);
        kines_client_free(s.client);
        return rc;
    }
    cli_error(ctx,
              "stream needs one of create, delete, describe, wait, list, reshard, retention, "
              "mode, encrypt, tag, untag, tags, limits, contract. See `kinesctl stream --help`.");
    return EXIT_USAGE;
}
