/* connector.c - the audience activation connector: turns audience membership changes into one
 * message per partner id and puts them to the partner's Kinesis stream (libkines producer, each
 * message checked against the message schema before it is buffered).
 *
 *   connector CONFIG.json SCHEMA.json < changes.jsonl
 *
 * CONFIG.json: {"name", "partnerNumber", "accessKey", "secretKey", "region", "streamName"}, each
 * mandatory (a missing or empty one is named and nothing is sent, exit 3). The key is the one the
 * partner's account gave the connector: it may only put records to that stream. The endpoint is
 * AWS's regional one unless AWS_ENDPOINT_URL names another (kinesd).
 *
 * Each input line is one change of a profile's membership in an audience:
 *   {"change": "joined" | "updated" | "left", "profileId", "sourceId", "partnerIds": [...],
 *    "profileVars": {...} (at most 10), "siteNumber", "sourceNumber", "sourceName",
 *    "properties": [{"property", "value"}...], "timestamp": epoch ms}
 * (profileId, sourceId, change and partnerIds required; timestamp defaults to now). It becomes
 * one message per partner id, callType NEW / MODIFIED / REMOVED, every field present (optional
 * ones empty), partitioned by profile id so that a profile's messages stay in order. A line that
 * cannot be turned into messages is named on stderr with the reason and skipped (exit 8 at the
 * end). Every delivered message is a line on stdout: {"line", "profileId", "partnerId",
 * "callType", "shardId", "sequenceNumber"}; one not delivered is named on stderr (exit 10). */
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kines/producer.h>

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_CONFIG = 3, EXIT_BAD_INPUT = 8 };
enum { EXIT_UNDELIVERED = 10 };

#define MAX_PROFILE_VARS 10

/* The connector's settings: every one is required. */
typedef struct connector_config {
    const char *name;           /* the connector's name, in its messages on stderr */
    const char *partner_number; /* the partner's number, in every message */
    const char *access_key;     /* the partner account's key for this connector */
    const char *secret_key;
    const char *region;
    const char *stream; /* the partner's stream */
} connector_config;

/* What on_result needs to report one message. */
typedef struct message_ctx {
    long line;
    char profile[129];
    char partner[129];
    char call_type[16];
} message_ctx;

/* The outcome of the whole run, set from the producer's thread. */
typedef struct run_state {
    long delivered;
    long undelivered;
} run_state;

/* ---- configuration -------------------------------------------------------------------------- */

static const char *config_text(json_object *config, const char *key, const char *path,
                               bool *complete)
{
    json_object *v;
    if (json_object_object_get_ex(config, key, &v) && json_object_is_type(v, json_type_string) &&
        json_object_get_string_len(v) > 0)
        return json_object_get_string(v);
    fprintf(stderr, "connector: %s: \"%s\" is missing (every setting is required)\n", path, key);
    *complete = false;
    return NULL;
}

/* Reads the configuration; false (every missing setting named) when it is incomplete. */
static bool config_load(const char *path, json_object **doc, connector_config *c)
{
    *doc = json_object_from_file(path);
    if (!*doc || !json_object_is_type(*doc, json_type_object)) {
        fprintf(stderr, "connector: %s: not a JSON object of settings\n", path);
        return false;
    }
    bool complete = true;
    c->name = config_text(*doc, "name", path, &complete);
    c->partner_number = config_text(*doc, "partnerNumber", path, &complete);
    c->access_key = config_text(*doc, "accessKey", path, &complete);
    c->secret_key = config_text(*doc, "secretKey", path, &complete);
    c->region = config_text(*doc, "region", path, &complete);
    c->stream = config_text(*doc, "streamName", path, &complete);
    return complete;
}

/* ---- changes into messages ------------------------------------------------------------------ */

static json_object *member(json_object *o, const char *key)
{
    json_object *v = NULL;
    json_object_object_get_ex(o, key, &v);
    return v;
}

/* An optional text member: its value, "" when absent. */
static json_object *text_or_empty(json_object *change, const char *key)
{
    json_object *v = member(change, key);
    return json_object_new_string(
        v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "");
}

static const char *call_type_of(json_object *change)
{
    static const char *const names[][2] = {
        {"joined", "NEW"}, {"updated", "MODIFIED"}, {"left", "REMOVED"}};
    const char *change_name = json_object_get_string(member(change, "change"));
    for (size_t i = 0; change_name && i < sizeof names / sizeof *names; i++)
        if (strcmp(change_name, names[i][0]) == 0)
            return names[i][1];
    return NULL;
}

/* The change's property/value pairs as `data`; NULL (why in `why`) when one is not a pair. */
static json_object *data_of(json_object *change, char *why, size_t why_len)
{
    json_object *data = json_object_new_object(), *pairs = member(change, "properties");
    size_t n =
        pairs && json_object_is_type(pairs, json_type_array) ? json_object_array_length(pairs) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *pair = json_object_array_get_idx(pairs, i);
        json_object *property = member(pair, "property"), *value = member(pair, "value");
        if (!property || !json_object_is_type(property, json_type_string) || !value) {
            snprintf(why, why_len, "properties[%zu] is not a {\"property\", \"value\"} pair", i);
            json_object_put(data);
            return NULL;
        }
        json_object_object_add(data, json_object_get_string(property),
                               json_object_new_string(json_object_get_string(value)));
    }
    return data;
}

/* What every message of the change shares (partnerIds is set per message); NULL with `why`. */
static json_object *message_base(const connector_config *cfg, json_object *change, char *why,
                                 size_t why_len)
{
    const char *call_type = call_type_of(change);
    json_object *vars = member(change, "profileVars"), *partners = member(change, "partnerIds");
    const char *profile = json_object_get_string(member(change, "profileId"));
    if (!profile || !member(change, "sourceId"))
        snprintf(why, why_len, "a change needs a profileId and a sourceId");
    else if (!call_type)
        snprintf(why, why_len, "\"change\" must be joined, updated or left");
    else if (!partners || !json_object_is_type(partners, json_type_array) ||
             json_object_array_length(partners) == 0)
        snprintf(why, why_len, "profile %s has no partnerIds", profile);
    else if (vars && json_object_object_length(vars) > MAX_PROFILE_VARS)
        snprintf(why, why_len, "profile %s has %d profile variables; at most %d are sent", profile,
                 json_object_object_length(vars), MAX_PROFILE_VARS);
    else
        why[0] = '\0';
    json_object *data = why[0] ? NULL : data_of(change, why, why_len);
    if (!data)
        return NULL;
    json_object *timestamp = member(change, "timestamp");
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    json_object *m = json_object_new_object();
    json_object_object_add(m, "profileId", json_object_new_string(profile));
    json_object_object_add(m, "sourceId", text_or_empty(change, "sourceId"));
    json_object_object_add(m, "partnerNumber", json_object_new_string(cfg->partner_number));
    json_object_object_add(m, "callType", json_object_new_string(call_type));
    json_object_object_add(m, "partnerIds", json_object_new_array());
    json_object_object_add(m, "profileVars",
                           vars ? json_object_get(vars) : json_object_new_object());
    json_object_object_add(
        m, "timestamp",
        json_object_new_int64(timestamp ? json_object_get_int64(timestamp)
                                        : (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000));
    json_object_object_add(m, "siteNumber", text_or_empty(change, "siteNumber"));
    json_object_object_add(m, "sourceName", text_or_empty(change, "sourceName"));
    json_object_object_add(m, "sourceNumber", text_or_empty(change, "sourceNumber"));
    json_object_object_add(m, "data", data);
    return m;
}

/* ---- sending -------------------------------------------------------------------------------- */

static void on_result(void *user, void *record_ctx, const char *shard_id,
                      const char *sequence_number, const kines_error *err)
{
    run_state *state = user;
    message_ctx *m = record_ctx;
    if (err) {
        state->undelivered++;
        fprintf(stderr,
                "line %ld: the message for partner %s of profile %s was not delivered: "
                "%s%s%s\n",
                m->line, m->partner, m->profile, err->type, *err->type ? ": " : "", err->message);
    } else {
        state->delivered++;
        json_object *out = json_object_new_object();
        json_object_object_add(out, "line", json_object_new_int64(m->line));
        json_object_object_add(out, "profileId", json_object_new_string(m->profile));
        json_object_object_add(out, "partnerId", json_object_new_string(m->partner));
        json_object_object_add(out, "callType", json_object_new_string(m->call_type));
        json_object_object_add(out, "shardId", json_object_new_string(shard_id));
        json_object_object_add(out, "sequenceNumber", json_object_new_string(sequence_number));
        printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
        fflush(stdout);
        json_object_put(out);
    }
    free(m);
}

/* Puts one message per partner id of the change (base: the message without its partner);
 * false when a message was refused. */
static bool send_change(kines_producer *p, json_object *base, json_object *partners, long line)
{
    bool ok = true;
    for (size_t i = 0; i < json_object_array_length(partners); i++) {
        const char *partner = json_object_get_string(json_object_array_get_idx(partners, i));
        json_object *one = json_object_new_array();
        json_object_array_add(one, json_object_new_string(partner ? partner : ""));
        json_object_object_add(base, "partnerIds", one);
        const char *text = json_object_to_json_string_ext(base, JSON_C_TO_STRING_PLAIN);
        message_ctx *m = calloc(1, sizeof *m);
        if (!m)
            abort();
        m->line = line;
        snprintf(m->profile, sizeof m->profile, "%s",
                 json_object_get_string(member(base, "profileId")));
        snprintf(m->partner, sizeof m->partner, "%s", partner ? partner : "");
        snprintf(m->call_type, sizeof m->call_type, "%s",
                 json_object_get_string(member(base, "callType")));
        kines_error err;
        if (kines_producer_put(p, text, strlen(text), m->profile, NULL, m, &err) != 0) {
            fprintf(stderr, "line %ld: the message for partner %s was refused: %s\n", line,
                    m->partner, err.message);
            free(m);
            ok = false;
        }
    }
    return ok;
}

/* Turns one input line into messages and puts them; false when the line was refused. */
static bool connect_line(kines_producer *p, const connector_config *cfg, const char *text,
                         long line)
{
    json_object *change = json_tokener_parse(text);
    char why[256] = "not a JSON object";
    json_object *base = change && json_object_is_type(change, json_type_object)
                            ? message_base(cfg, change, why, sizeof why)
                            : NULL;
    bool ok = base && send_change(p, base, member(change, "partnerIds"), line);
    if (!base)
        fprintf(stderr, "line %ld: refused: %s\n", line, why);
    json_object_put(base);
    json_object_put(change);
    return ok;
}

static kines_producer *producer_for(const connector_config *cfg, const kines_schema *schema,
                                    run_state *state, kines_error *err)
{
    kines_options client = {.region = cfg->region,
                            .access_key_id = cfg->access_key,
                            .secret_access_key = cfg->secret_key};
    kines_producer_options opts = {.linger_ms = 20,
                                   .record_ttl_ms = 10000,
                                   .on_result = on_result,
                                   .user = state,
                                   .schema = schema};
    return kines_producer_new(&client, cfg->stream, &opts, err);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: connector CONFIG.json SCHEMA.json < changes.jsonl\n");
        return EXIT_USAGE;
    }
    json_object *config_doc;
    connector_config cfg = {0};
    if (!config_load(argv[1], &config_doc, &cfg)) {
        json_object_put(config_doc);
        return EXIT_CONFIG;
    }
    kines_error err;
    kines_schema *schema = kines_schema_compile_file(argv[2], NULL, &err);
    run_state state = {0};
    kines_producer *p = schema ? producer_for(&cfg, schema, &state, &err) : NULL;
    if (!p) {
        fprintf(stderr, "%s: %s\n", cfg.name, err.message);
        kines_schema_free(schema);
        json_object_put(config_doc);
        return EXIT_FAILED;
    }
    char *text = NULL;
    size_t cap = 0;
    long line = 0, refused = 0;
    while (getline(&text, &cap, stdin) > 0) {
        line++;
        bool blank = strspn(text, " \t\r\n") == strlen(text);
        if (!blank && !connect_line(p, &cfg, text, line))
            refused++;
    }
    free(text);
    kines_producer_close(p); /* flushes: every message has its outcome */
    fprintf(stderr, "%s: %ld messages delivered to %s, %ld not delivered, %ld lines refused\n",
            cfg.name, state.delivered, cfg.stream, state.undelivered, refused);
    kines_schema_free(schema);
    json_object_put(config_doc);
    return state.undelivered ? EXIT_UNDELIVERED : refused ? EXIT_BAD_INPUT : EXIT_OK;
}
