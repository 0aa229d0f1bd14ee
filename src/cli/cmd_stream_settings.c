/* cmd_stream_settings.c - `kinesctl stream retention|mode|encrypt|tag|untag|tags|limits`. */
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "stream_cmd.h"

int stream_retention(stream_cmd *s)
{
    long hours;
    if (!stream_required_int(s, "hours", &hours))
        return EXIT_USAGE;
    kines_stream st;
    if (kines_describe_stream_summary(s->client, s->name, &st, &s->err) != 0)
        return cli_fail(s->ctx, &s->err, s->name);
    int current = st.retention_hours, rc = 0;
    kines_stream_free(&st);
    if (hours > current)
        rc = kines_increase_retention(s->client, s->name, (int)hours, &s->err);
    else if (hours < current)
        rc = kines_decrease_retention(s->client, s->name, (int)hours, &s->err);
    if (rc != 0)
        return cli_fail(s->ctx, &s->err, s->name);
    return stream_done(s, "ACTIVE", "retention of %s is %ld hours (was %d)", s->name, hours,
                       current);
}

int stream_mode(stream_cmd *s)
{
    const char *mode = s->args.positional[2];
    bool on_demand = strcmp(mode, "on-demand") == 0;
    if (!on_demand && strcmp(mode, "provisioned") != 0) {
        cli_error(s->ctx, "the mode is on-demand or provisioned, not '%s'", mode);
        return EXIT_USAGE;
    }
    kines_stream st;
    if (kines_describe_stream_summary(s->client, s->name, &st, &s->err) != 0)
        return cli_fail(s->ctx, &s->err, s->name);
    int rc = kines_update_stream_mode(s->client, st.arn ? st.arn : "", on_demand, &s->err);
    kines_stream_free(&st);
    if (rc != 0)
        return cli_fail(s->ctx, &s->err, s->name);
    bool wait;
    if ((rc = stream_wait_if_asked(s, false, &wait)) != EXIT_OK)
        return rc;
    return stream_done(s, wait ? "ACTIVE" : "UPDATING", "stream %s is now %s", s->name, mode);
}

int stream_encrypt(stream_cmd *s)
{
    const char *key = args_value(&s->args, "key-id");
    bool stop = args_has(&s->args, "stop");
    kines_stream_ref ref = {.name = s->name};
    if (!key)
        key = "alias/aws/kinesis";
    int rc = stop ? kines_stop_stream_encryption(s->client, &ref, key, &s->err)
                  : kines_start_stream_encryption(s->client, &ref, key, &s->err);
    if (rc != 0)
        return cli_fail(s->ctx, &s->err, s->name);
    bool wait;
    if ((rc = stream_wait_if_asked(s, false, &wait)) != EXIT_OK)
        return rc;
    if (stop)
        return stream_done(s, wait ? "ACTIVE" : "UPDATING",
                           "stream %s stores new records unencrypted", s->name);
    return stream_done(s, wait ? "ACTIVE" : "UPDATING",
                       "stream %s encrypts new records at rest (key %s)", s->name, key);
}

int stream_tag(stream_cmd *s)
{
    kines_tag tags[ARGS_MAX_POSITIONAL] = {{0}};
    char *copies[ARGS_MAX_POSITIONAL] = {0};
    int n = s->args.positional_count - 2;
    for (int i = 0; i < n; i++) {
        copies[i] = strdup(s->args.positional[i + 2]);
        char *eq = strchr(copies[i], '=');
        if (eq)
            *eq = '\0';
        tags[i] = (kines_tag){copies[i], eq ? eq + 1 : ""};
    }
    int rc = kines_add_tags(s->client, s->name, tags, (size_t)n, &s->err);
    for (int i = 0; i < n; i++)
        free(copies[i]);
    if (rc != 0)
        return cli_fail(s->ctx, &s->err, s->name);
    return stream_done(s, "ACTIVE", "tagged stream %s with %d tag%s", s->name, n,
                       n == 1 ? "" : "s");
}

int stream_untag(stream_cmd *s)
{
    int n = s->args.positional_count - 2;
    if (kines_remove_tags(s->client, s->name, s->args.positional + 2, (size_t)n, &s->err) != 0)
        return cli_fail(s->ctx, &s->err, s->name);
    return stream_done(s, "ACTIVE", "removed %d tag%s from stream %s", n, n == 1 ? "" : "s",
                       s->name);
}

int stream_tags(stream_cmd *s)
{
    kines_tag_list tags;
    if (kines_list_tags(s->client, s->name, &tags, &s->err) != 0)
        return cli_fail(s->ctx, &s->err, s->name);
    if (s->ctx->json) {
        json_object *o = json_object_new_object(), *map = json_object_new_object();
        for (size_t i = 0; i < tags.count; i++)
            json_object_object_add(map, tags.tags[i].key,
                                   json_object_new_string(tags.tags[i].value));
        json_object_object_add(o, "Tags", map);
        output_json(s->ctx, o);
    } else {
        for (size_t i = 0; i < tags.count; i++)
            printf("%s=%s\n", tags.tags[i].key, tags.tags[i].value);
    }
    kines_tag_list_free(&tags);
    return EXIT_OK;
}

int stream_limits(stream_cmd *s)
{
    kines_limits l;
    if (kines_describe_limits(s->client, &l, &s->err) != 0)
        return cli_fail(s->ctx, &s->err, "limits");
    if (s->ctx->json) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "ShardLimit", json_object_new_int(l.shard_limit));
        json_object_object_add(o, "OpenShardCount", json_object_new_int(l.open_shard_count));
        json_object_object_add(o, "OnDemandStreamCount",
                               json_object_new_int(l.on_demand_stream_count));
        json_object_object_add(o, "OnDemandStreamCountLimit",
                               json_object_new_int(l.on_demand_stream_count_limit));
        output_json(s->ctx, o);
    } else {
        printf("shards            %d open of %d\non-demand streams %d of %d\n", l.open_shard_count,
               l.shard_limit, l.on_demand_stream_count, l.on_demand_stream_count_limit);
    }
    return EXIT_OK;
}
