/* dispatcher.c - publishes events in the canonical envelope, each checked against the envelope's
 * schema before it is sent (libkines: kines_dispatch with kines_event.schema).
 *
 *   dispatcher STREAM SCHEMA [--producer-id ID] < events.jsonl
 *
 * Each input line is one event: {"type": "order.placed", "data": {...}, "sourceUserId": "u-1",
 * "partitionKey": "u-1"} (sourceUserId and partitionKey optional: the key defaults to the event's
 * id). Every published envelope is printed on stdout, one line each, once Kinesis acknowledged
 * it: dispatch(type, data, {sourceUserId, partitionKey}) resolves with the published event. An
 * event that does not match the schema is not sent: stderr names its line and every error, and
 * the exit code is 8 (after the other lines were published). Endpoint, region and credentials
 * come from the environment, as for the aws CLI: against AWS, leave AWS_ENDPOINT_URL unset. */
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kines/event.h>

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_REFUSED = 8 };

/* A member of an input line as text (NULL when absent or null). */
static const char *text_member(json_object *line, const char *name)
{
    json_object *v;
    if (!json_object_object_get_ex(line, name, &v) || json_object_is_type(v, json_type_null))
        return NULL;
    return json_object_get_string(v);
}

/* Publishes one input line; 0, EXIT_REFUSED (not sent) or EXIT_FAILED. */
static int dispatch_line(kines_client *client, const char *stream, const kines_schema *schema,
                         const char *producer, const char *text, long number)
{
    json_object *line = json_tokener_parse(text), *data;
    if (!line || !json_object_is_type(line, json_type_object) ||
        !json_object_object_get_ex(line, "data", &data)) {
        fprintf(stderr, "line %ld: not an event {\"type\", \"data\", ...}\n", number);
        json_object_put(line);
        return EXIT_REFUSED;
    }
    kines_event ev = {.type = text_member(line, "type"),
                      .data_json = json_object_to_json_string(data),
                      .user_id = text_member(line, "sourceUserId"),
                      .producer_id = producer,
                      .partition_key = text_member(line, "partitionKey"),
                      .schema = schema};
    char *published = NULL;
    kines_error err;
    int rc = EXIT_OK;
    if (kines_dispatch(client, stream, &ev, &published, &err) == 0)
        printf("%s\n", published);
    else {
        fprintf(stderr, "line %ld: %s\n", number, err.message);
        rc = err.status == KINES_ERR_INVALID ? EXIT_REFUSED : EXIT_FAILED;
    }
    free(published);
    json_object_put(line);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 3 && !(argc == 5 && strcmp(argv[3], "--producer-id") == 0)) {
        fprintf(stderr, "usage: dispatcher STREAM SCHEMA [--producer-id ID] < events.jsonl\n");
        return EXIT_USAGE;
    }
    kines_error err;
    kines_schema_options schema_opts = {.assert_format = true};
    kines_schema *schema = kines_schema_compile_file(argv[2], &schema_opts, &err);
    kines_client *client = schema ? kines_client_new(NULL, &err) : NULL;
    if (!client) {
        fprintf(stderr, "dispatcher: %s\n", err.message);
        kines_schema_free(schema);
        return EXIT_FAILED;
    }
    char *text = NULL;
    size_t cap = 0;
    long number = 0;
    bool failed = false, refused = false;
    while (getline(&text, &cap, stdin) > 0) {
        number++;
        if (strspn(text, " \t\r\n") == strlen(text))
            continue;
        int rc = dispatch_line(client, argv[1], schema, argc == 5 ? argv[4] : NULL, text, number);
        failed |= rc == EXIT_FAILED;
        refused |= rc == EXIT_REFUSED;
        fflush(stdout);
    }
    free(text);
    kines_client_free(client);
    kines_schema_free(schema);
    return failed ? EXIT_FAILED : refused ? EXIT_REFUSED : EXIT_OK;
}
