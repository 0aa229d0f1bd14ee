/* router.c - a consumer of canonical event envelopes that routes each one by its `type` to a
 * handler (libkines: kines_consumer, kines_schema).
 *
 *   router STREAM SCHEMA [--count N] [--idle-ms MS]
 *
 * Reads every shard of the stream (a parent to its end before its children, each shard in
 * order), checks each record against the envelope schema, and hands it to the handler its type
 * names: user.* to the users handler, order.* to the orders handler, anything else to the
 * fallback. Prints one JSON line per event: {"handler", "type", "id", "key", "result"}; a record
 * that is no valid envelope is {"handler": "rejected", "sequenceNumber", "errors"}. Stops after N
 * events, or once nothing arrived for MS milliseconds (default 2000). Endpoint, region and
 * credentials come from the environment, as for the aws CLI. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kines/consumer.h>
#include <kines/schema.h>

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

#define MAX_KEYS 1024

/* What the orders handler remembers: the open orders of each partition key (a customer). */
typedef struct open_orders {
    char key[257];
    int count;
} open_orders;

typedef struct router {
    open_orders orders[MAX_KEYS];
    size_t order_keys;
    long users_welcomed;
} router;

/* An event being handled: the envelope's fields a handler reads. */
typedef struct event {
    const char *type;
    const char *key;
    json_object *data;
    json_object *source;
} event;

static const char *member_text(json_object *o, const char *name)
{
    json_object *v;
    return json_object_object_get_ex(o, name, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : "";
}

static open_orders *orders_of(router *r, const char *key)
{
    for (size_t i = 0; i < r->order_keys; i++)
        if (strcmp(r->orders[i].key, key) == 0)
            return &r->orders[i];
    if (r->order_keys == MAX_KEYS)
        return NULL;
    open_orders *o = &r->orders[r->order_keys++];
    snprintf(o->key, sizeof o->key, "%s", key);
    return o;
}

static void handle_user(router *r, const event *ev, char *result, size_t size)
{
    const char *user = member_text(ev->source, "userId");
    if (strcmp(ev->type, "user.signed-up") == 0) {
        r->users_welcomed++;
        snprintf(result, size, "welcome %s (user %ld)", user, r->users_welcomed);
    } else {
        snprintf(result, size, "%s for %s noted", ev->type, user);
    }
}

/* order.placed opens an order of the key, order.cancelled closes one: handled out of order, a
 * customer's count would go below zero. */
static void handle_order(router *r, const event *ev, char *result, size_t size)
{
    open_orders *o = orders_of(r, ev->key);
    const char *order = member_text(ev->data, "orderId");
    if (!o) {
        snprintf(result, size, "too many customers");
        return;
    }
    if (strcmp(ev->type, "order.placed") == 0)
        o->count++;
    else if (strcmp(ev->type, "order.cancelled") == 0)
        o->count--;
    snprintf(result, size, "%s %s: %d open", ev->type, order, o->count);
}

static void handle_other(router *r, const event *ev, char *result, size_t size)
{
    (void)r;
    snprintf(result, size, "no handler for %s", ev->type);
}

/* The handlers, by type prefix; the last one takes every type. */
static const struct {
    const char *prefix;
    const char *name;
    void (*handle)(router *r, const event *ev, char *result, size_t size);
} routes[] = {
    {"user.", "users", handle_user},
    {"order.", "orders", handle_order},
    {"", "fallback", handle_other},
};

static void print_line(json_object *line)
{
    printf("%s\n", json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN |
                                                            JSON_C_TO_STRING_NOSLASHESCAPE));
    fflush(stdout);
    json_object_put(line);
}

static void reject(const kines_consumer_record *rec, const kines_schema_result *res)
{
    char errors[2048];
    kines_schema_result_format(res, "; ", errors, sizeof errors);
    json_object *line = json_object_new_object();
    json_object_object_add(line, "handler", json_object_new_string("rejected"));
    json_object_object_add(line, "sequenceNumber", json_object_new_string(rec->sequence_number));
    json_object_object_add(line, "errors", json_object_new_string(errors));
    print_line(line);
}

static void route(router *r, const kines_schema *schema, const kines_consumer_record *rec)
{
    kines_schema_result res;
    if (!kines_schema_validate(schema, rec->data, rec->len, &res)) {
        reject(rec, &res);
        kines_schema_result_free(&res);
        return;
    }
    kines_schema_result_free(&res);
    json_tokener *tok = json_tokener_new();
    json_object *envelope = json_tokener_parse_ex(tok, (const char *)rec->data, (int)rec->len);
    json_tokener_free(tok); /* a valid envelope is a JSON object: checked above */
    event ev = {member_text(envelope, "type"), rec->partition_key, NULL, NULL};
    json_object_object_get_ex(envelope, "data", &ev.data);
    json_object_object_get_ex(envelope, "source", &ev.source);
    size_t i = 0;
    while (strncmp(ev.type, routes[i].prefix, strlen(routes[i].prefix)) != 0)
        i++;
    char result[512];
    routes[i].handle(r, &ev, result, sizeof result);
    json_object *line = json_object_new_object();
    json_object_object_add(line, "handler", json_object_new_string(routes[i].name));
    json_object_object_add(line, "type", json_object_new_string(ev.type));
    json_object_object_add(line, "id", json_object_new_string(member_text(envelope, "id")));
    json_object_object_add(line, "key", json_object_new_string(rec->partition_key));
    json_object_object_add(line, "result", json_object_new_string(result));
    print_line(line);
    json_object_put(envelope);
}

int main(int argc, char **argv)
{
    long count = -1, idle_ms = 2000;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--count") == 0)
            count = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--idle-ms") == 0)
            idle_ms = atol(argv[i + 1]);
        else
            argc = 0;
    }
    if (argc < 3 || argc % 2 == 0) {
        fprintf(stderr, "usage: router STREAM SCHEMA [--count N] [--idle-ms MS]\n");
        return EXIT_USAGE;
    }
    kines_error err;
    kines_schema_options schema_opts = {.assert_format = true};
    kines_schema *schema = kines_schema_compile_file(argv[2], &schema_opts, &err);
    kines_consumer *consumer = schema ? kines_consumer_new(NULL, argv[1], NULL, &err) : NULL;
    if (!consumer) {
        fprintf(stderr, "router: %s\n", err.message);
        kines_schema_free(schema);
        return EXIT_FAILED;
    }
    router *r = calloc(1, sizeof *r);
    kines_consumer_record rec;
    int got = 0;
    for (long routed = 0; routed != count; routed++) {
        if ((got = kines_consumer_next(consumer, &rec, (int)idle_ms, &err)) != 1)
            break;
        route(r, schema, &rec);
    }
    if (got < 0)
        fprintf(stderr, "router: %s\n", err.message);
    free(r);
    kines_consumer_free(consumer);
    kines_schema_free(schema);
    return got < 0 ? EXIT_FAILED : EXIT_OK;
}
