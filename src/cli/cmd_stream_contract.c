/* cmd_stream_contract.c - `kinesctl stream contract set|get|remove NAME [SCHEMA.json]`: a stream's
 * contract, kinesd's extension (PutStreamContract, GetStreamContract, DeleteStreamContract; see
 * docs/contracts.md). kinesd compiles the schema and reports what is wrong with it. */
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "stream_cmd.h"

#define CONTRACT_MAX_BYTES (256 * 1024) /* the model's limit on a contract */

/* {"StreamName": name} plus, when given, the member `key` holding `value` (a JSON value). */
static json_object *contract_request(const char *name, const char *key, json_object *value)
{
    json_object *req = json_object_new_object();
    json_object_object_add(req, "StreamName", json_object_new_string(name));
    if (key)
        json_object_object_add(req, key, value);
    return req;
}

/* Calls `operation` with req (consumed); the answer's JSON in *answer (caller frees) when asked. */
static int contract_call(stream_cmd *s, const char *operation, json_object *req, char **answer)
{
    char *response = NULL;
    int rc =
        kines_call_json(s->client, operation, json_object_to_json_string(req), &response, &s->err);
    json_object_put(req);
    if (answer)
        *answer = response;
    else
        free(response);
    return rc == 0 ? EXIT_OK : cli_fail(s->ctx, &s->err, s->name);
}

static int contract_set(stream_cmd *s)
{
    if (s->args.positional_count != 4) {
        cli_error(s->ctx, "contract set takes a stream NAME and a SCHEMA file. See `kinesctl "
                          "stream --help`.");
        return EXIT_USAGE;
    }
    int rc = EXIT_OK;
    const char *path = s->args.positional[3];
    char *schema = cli_read_text(s->ctx, path, CONTRACT_MAX_BYTES, "schema", &rc);
    if (!schema)
        return rc;
    json_object *req = contract_request(s->name, "Schema", json_object_new_string(schema));
    free(schema);
    if (args_has(&s->args, "assert-format"))
        json_object_object_add(req, "AssertFormat", json_object_new_boolean(1));
    if ((rc = contract_call(s, "PutStreamContract", req, NULL)) != EXIT_OK)
        return rc;
    return stream_done(s, "ACTIVE", "stream %s takes only records that match %s", s->name, path);
}

/* Prints the contract: the schema itself, or with --output json the whole answer (the schema
 * parsed) with the stream's name. */
static void print_contract(stream_cmd *s, const char *answer)
{
    json_object *got = json_tokener_parse(answer);
    json_object *schema = NULL;
    json_object_object_get_ex(got, "Schema", &schema);
    if (s->ctx->json) {
        json_object_object_add(got, "StreamName", json_object_new_string(s->name));
        if (schema)
            json_object_object_add(got, "Schema",
                                   json_tokener_parse(json_object_get_string(schema)));
        output_json(s->ctx, got);
        return;
    }
    if (schema)
        printf("%s\n", json_object_get_string(schema));
    else
        printf("stream %s has no contract\n", s->name);
    json_object_put(got);
}

static int contract_get(stream_cmd *s)
{
    char *answer = NULL;
    int rc = contract_call(s, "GetStreamContract", contract_request(s->name, NULL, NULL), &answer);
    if (rc == EXIT_OK)
        print_contract(s, answer);
    free(answer);
    return rc;
}

static int contract_remove(stream_cmd *s)
{
    int rc = contract_call(s, "DeleteStreamContract", contract_request(s->name, NULL, NULL), NULL);
    if (rc != EXIT_OK)
        return rc;
    return stream_done(s, "ACTIVE", "stream %s has no contract any more", s->name);
}

int stream_contract(stream_cmd *s)
{
    const char *action = s->args.positional[1];
    s->name = s->args.positional[2];
    if (strcmp(action, "set") == 0)
        return contract_set(s);
    if (s->args.positional_count != 3) {
        cli_error(s->ctx, "contract %s takes one stream NAME. See `kinesctl stream --help`.",
                  action);
        return EXIT_USAGE;
    }
    if (strcmp(action, "get") == 0)
        return contract_get(s);
    if (strcmp(action, "remove") == 0)
        return contract_remove(s);
    cli_error(s->ctx,
              "stream contract needs set, get or remove, not '%s'. See `kinesctl stream "
              "--help`.",
              action);
    return EXIT_USAGE;
}
