/* event.c - the canonical event envelope and its dispatch (see kines/event.h). */
#include "kines/event.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/oom.h"
#include "common/uuid.h"
#include "error.h"
#include "options.h"
#include "schema_check.h"

/* "2026-11-26T07:00:00.123Z" */
static void iso8601_ms(char out[32])
{
    int64_t ms = clock_now_ms();
    time_t seconds = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&seconds, &tm);
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%s.%03dZ", base, (int)(ms % 1000));
}

static json_object *string_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

#define EVENT_V1_SIZE OPTIONS_V1_SIZE(kines_event, schema)

/* The envelope for event id (its partition key is the caller's or the id). */
static int build_envelope(const kines_event *caller_ev, const char *id, char **envelope_json,
                          kines_error *err)
{
    kines_event event;
    options_read(&event, sizeof event, caller_ev, EVENT_V1_SIZE);
    const kines_event *ev = &event;
    if (!ev->type || !*ev->type)
        return kines_fail(err, KINES_ERR_INVALID, "an event needs a type");
    const char *text = ev->data_json ? ev->data_json : "";
    json_object *data = json_tokener_parse(text);
    if (!data && strcmp(text, "null") != 0)
        return kines_fail(err, KINES_ERR_INVALID, "event data is not valid JSON: %.200s", text);
    char timestamp[32];
    iso8601_ms(timestamp);
    json_object *env = json_object_new_object(), *source = json_object_new_object();
    json_object_object_add(env, "id", json_object_new_string(id));
    json_object_object_add(env, "type", json_object_new_string(ev->type));
    json_object_object_add(env, "timestamp", json_object_new_string(timestamp));
    json_object_object_add(env, "data", data);
    json_object_object_add(source, "userId", string_or_null(ev->user_id));
    json_object_object_add(source, "producerId", string_or_null(ev->producer_id));
    json_object_object_add(source, "kinesisPartitionKey",
                           json_object_new_string(ev->partition_key ? ev->partition_key : id));
    json_object_object_add(env, "source", source);
    *envelope_json = oom_strdup(json_object_to_json_string_ext(
        env, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(env);
    if (!*envelope_json)
        return kines_out_of_memory(err);
    if (schema_check(ev->schema, *envelope_json, strlen(*envelope_json), "event envelope", err)) {
        free(*envelope_json);
        *envelope_json = NULL;
        return -1;
    }
    return 0;
}

int kines_event_envelope(const kines_event *ev, char **envelope_json, kines_error *err)
{
    char id[UUID_STR_LEN + 1];
    uuid_v4(id);
    return build_envelope(ev, id, envelope_json, err);
}

int kines_dispatch(kines_client *c, const char *stream, const kines_event *ev, char **published,
                   kines_error *err)
{
    char id[UUID_STR_LEN + 1], *envelope;
    uuid_v4(id);
    if (build_envelope(ev, id, &envelope, err) != 0)
        return -1;
    kines_event event;
    options_read(&event, sizeof event, ev, EVENT_V1_SIZE);
    kines_put_entry entry = {envelope, strlen(envelope),
                             event.partition_key ? event.partition_key : id, NULL};
    kines_put_results res;
    int rc = kines_put_record(c, stream, &entry, &res, err);
    kines_put_results_free(&res);
    if (rc != 0) {
        free(envelope);
        return -1;
    }
    *published = envelope;
    return 0;
}
