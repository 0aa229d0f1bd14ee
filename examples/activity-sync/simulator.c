/* simulator.c - the activity simulator: turns trigger records ({payload, customContext}) into
 * experiences - the outbound activity events a messaging platform would emit for each - and puts
 * them to a Kinesis stream (libkines producer: every event checked against the event schema
 * before it is buffered, partition key = experience id, so each experience's events stay in
 * order).
 *
 *   simulator STREAM EVENT_SCHEMA TRIGGER_SCHEMA < triggers.jsonl
 *
 * Each input line is a trigger record, or {"experienceId": ID, "data": TEXT} where TEXT is one
 * (the trigger function passes each Kinesis record so, the experience id derived from its
 * sequence number, so that a retried batch makes the same events). Every line is checked against
 * the trigger schema first: when any is not valid, each is named on stderr with its errors and
 * nothing is put (exit 8). Then each experience runs: experience-start, queued, and by the
 * recipient (the simulator's gateway, see README.md): validation-failed, or sent-to-gateway then
 * rejected-by-gateway, bounced, or delivered (+ opened for an email) and an inbound reply that
 * matches an intent or not; experience-finish or experience-failed with the outcome. Each
 * experience is a line on stdout: {"experienceId", "events": [kinds]}. Exit 10 when an event was
 * not delivered. Endpoint, region and credentials come from the environment, as for the aws
 * CLI. */
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kines/producer.h>

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_BAD_INPUT = 8, EXIT_UNDELIVERED = 10 };

#define FLOW_ID "activity-sync"
#define MATCHED_INTENT "confirm"

/* What the gateway does with a message (by its recipient, README.md). */
typedef enum outcome {
    OUTCOME_DELIVERED, /* delivered (and opened, for an email); no reply */
    OUTCOME_MATCHED,   /* delivered; the reply matches the intent MATCHED_INTENT */
    OUTCOME_UNMATCHED, /* delivered; the reply matches no intent */
    OUTCOME_INVALID,   /* the recipient is no address of the payload's kind */
    OUTCOME_REJECTED,  /* the gateway refuses the message */
    OUTCOME_BOUNCED    /* the gateway accepts it, the recipient's side returns it */
} outcome;

/* One trigger record, checked. */
typedef struct trigger {
    char experience_id[160]; /* given on the line, else made up */
    json_object *record;     /* {payload, customContext} */
} trigger;

/* The experience being simulated and where its events go. */
typedef struct experience {
    kines_producer *producer;
    const char *id;
    json_object *payload; /* the outbound message (borrowed from the trigger record) */
    json_object *custom;  /* customContext (borrowed) */
    int64_t clock_ms;     /* the next event's time: one millisecond after the last */
    json_object *kinds;   /* the kinds put, for the line on stdout */
    bool refused;         /* an event did not match the schema (a bug of this program) */
} experience;

/* Outcomes of the puts, counted from the producer's threads (one call at a time). */
typedef struct run_state {
    long delivered, undelivered;
} run_state;

static void on_result(void *user, void *ctx, const char *shard, const char *seq,
                      const kines_error *err)
{
    (void)ctx, (void)shard, (void)seq;
    run_state *state = user;
    if (!err) {
        state->delivered++;
        return;
    }
    state->undelivered++;
    fprintf(stderr, "simulator: an event was not delivered: %s\n", err->message);
}

static const char *text_of(json_object *o, const char *name)
{
    json_object *v;
    return json_object_object_get_ex(o, name, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : "";
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An ISO-8601 instant with milliseconds, UTC. */
static json_object *instant(int64_t ms)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    char text[40], date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(text, sizeof text, "%s.%03dZ", date, (int)(ms % 1000));
    return json_object_new_string(text);
}

/* ---- the gateway ------------------------------------------------------------------------------
 */

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* +, then 7 to 15 digits, the first not 0. */
static bool is_e164(const char *s)
{
    size_t digits = strspn(s + 1, "0123456789");
    return s[0] == '+' && s[1] >= '1' && s[1] <= '9' && digits >= 7 && digits <= 15 &&
           !s[1 + digits];
}

static bool is_email(const char *s)
{
    const char *at = strchr(s, '@');
    return at && at > s && at[1] && !strchr(at + 1, '@') && strchr(at + 1, '.');
}

/* An SMS's fate is its number's last digit; an email's the start of its local part. */
static outcome outcome_of(json_object *payload)
{
    const char *to = text_of(payload, "recipient");
    if (!strcmp(text_of(payload, "kind"), "sms")) {
        if (!is_e164(to))
            return OUTCOME_INVALID;
        switch (to[strlen(to) - 1]) {
        case '1':
            return OUTCOME_REJECTED;
        case '2':
            return OUTCOME_BOUNCED;
        case '4':
            return OUTCOME_MATCHED;
        case '5':
            return OUTCOME_UNMATCHED;
        default:
            return OUTCOME_DELIVERED;
        }
    }
    if (!is_email(to))
        return OUTCOME_INVALID;
    return starts_with(to, "reject")      ? OUTCOME_REJECTED
           : starts_with(to, "bounce")    ? OUTCOME_BOUNCED
           : starts_with(to, "reply")     ? OUTCOME_MATCHED
           : starts_with(to, "unmatched") ? OUTCOME_UNMATCHED
                                          : OUTCOME_DELIVERED;
}

/* [{errorMessage, errorCode}] */
static json_object *problems(const char *message, const char *code)
{
    json_object *p = json_object_new_object(), *list = json_object_new_array();
    json_object_object_add(p, "errorMessage", json_object_new_string(message));
    json_object_object_add(p, "errorCode", json_object_new_string(code));
    json_object_array_add(list, p);
    return list;
}

/* The recipient's answer: the payload's kind, from its recipient to its sender. */
static json_object *reply_to(json_object *payload, const char *body)
{
    json_object *r = json_object_new_object();
    bool email = strcmp(text_of(payload, "kind"), "sms") != 0;
    json_object_object_add(r, "kind", json_object_new_string(email ? "email" : "sms"));
    json_object_object_add(r, "sender", json_object_new_string(text_of(payload, "recipient")));
    const char *replies_to = text_of(payload, "replyTo");
    json_object_object_add(
        r, "recipient",
        json_object_new_string(*replies_to ? replies_to : text_of(payload, "sender")));
    if (email) {
        char subject[512];
        snprintf(subject, sizeof subject, "Re: %s", text_of(payload, "subject"));
        json_object_object_add(r, "subject", json_object_new_string(subject));
    }
    json_object_object_add(r, "body", json_object_new_string(body));
    return r;
}

/* ---- events -----------------------------------------------------------------------------------
 */

static json_object *workflow_context(const experience *x)
{
    json_object *w = json_object_new_object(), *e = json_object_new_object(),
                *f = json_object_new_object(), *n = json_object_new_object();
    json_object_object_add(e, "experienceId", json_object_new_string(x->id));
    json_object_object_add(f, "flowId", json_object_new_string(FLOW_ID));
    json_object_object_add(f, "flowName", json_object_new_string("Activity sync"));
    json_object_object_add(f, "flowVersion", json_object_new_string("1"));
    json_object_object_add(n, "nodename",
                           json_object_new_string(strcmp(text_of(x->payload, "kind"), "sms")
                                                      ? "send-email"
                                                      : "send-sms"));
    json_object_object_add(w, "experienceContext", e);
    json_object_object_add(w, "flowContext", f);
    json_object_object_add(w, "nodeContext", n);
    return w;
}

/* An event of KIND with the fields every event has; the caller adds its own. */
static json_object *event_new(experience *x, const char *kind)
{
    json_object *ev = json_object_new_object();
    json_object_object_add(ev, "kind", json_object_new_string(kind));
    json_object_object_add(ev, "experienceId", json_object_new_string(x->id));
    json_object_object_add(ev, "timestamp", instant(x->clock_ms++));
    json_object_object_add(ev, "workflowContext", workflow_context(x));
    json_object_object_add(ev, "customContext", json_object_get(x->custom));
    return ev;
}

/* An event about the message MESSAGE_ID; adds nothing else. */
static json_object *message_event(experience *x, const char *kind, const char *message_id)
{
    json_object *ev = event_new(x, kind);
    json_object_object_add(ev, "messageId", json_object_new_string(message_id));
    return ev;
}

/* Puts the event (and frees it). */
static void emit(experience *x, json_object *ev)
{
    const char *text = json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN);
    kines_error err;
    if (kines_producer_put(x->producer, text, strlen(text), x->id, NULL, NULL, &err) != 0) {
        fprintf(stderr, "simulator: %s: the %s event was refused: %s\n", x->id, text_of(ev, "kind"),
                err.message);
        x->refused = true;
    }
    json_object_array_add(x->kinds, json_object_new_string(text_of(ev, "kind")));
    json_object_put(ev);
}

/* The end of an experience that failed: the failing event, then experience-failed. */
static void fail(experience *x, json_object *ev, const char *list_name, json_object *list)
{
    json_object_object_add(ev, list_name, json_object_get(list));
    const char *kind = text_of(ev, "kind");
    json_object *failed = event_new(x, "experience-failed");
    json_object_object_add(failed, "outcome", json_object_new_string(kind));
    json_object_object_add(failed, "errors", list);
    emit(x, ev);
    emit(x, failed);
}

/* The inbound reply and experience-finish, or experience-finish alone. */
static void finish(experience *x, outcome o, const char *out_id)
{
    char in_id[200];
    snprintf(in_id, sizeof in_id, "%s-in", x->id);
    const char *last = "delivered";
    if (o == OUTCOME_MATCHED || o == OUTCOME_UNMATCHED) {
        last = o == OUTCOME_MATCHED ? "inbound-matched-intent" : "inbound-unmatched";
        json_object *ev = message_event(x, last, in_id);
        json_object_object_add(ev, "parentMessageId", json_object_new_string(out_id));
        json_object_object_add(ev, "payload",
                               reply_to(x->payload, o == OUTCOME_MATCHED ? "YES" : "who is this?"));
        if (o == OUTCOME_MATCHED)
            json_object_object_add(ev, "matchedIntentKey", json_object_new_string(MATCHED_INTENT));
        emit(x, ev);
    }
    json_object *done = event_new(x, "experience-finish");
    json_object_object_add(done, "outcome", json_object_new_string(last));
    emit(x, done);
}

static void simulate(experience *x)
{
    char out_id[200];
    snprintf(out_id, sizeof out_id, "%s-out", x->id);
    bool email = strcmp(text_of(x->payload, "kind"), "sms") != 0;
    outcome o = outcome_of(x->payload);
    emit(x, event_new(x, "experience-start"));
    json_object *queued = message_event(x, "queued", out_id);
    json_object_object_add(queued, "payload", json_object_get(x->payload));
    emit(x, queued);
    if (o == OUTCOME_INVALID) {
        json_object *ev = message_event(x, "validation-failed", out_id);
        json_object_object_add(ev, "payload", json_object_get(x->payload));
        fail(x, ev, "errors",
             problems(email ? "the recipient is not an email address"
                            : "the recipient is not a phone number in E.164 form",
                      "INVALID_RECIPIENT"));
        return;
    }
    emit(x, message_event(x, "sent-to-gateway", out_id));
    if (o == OUTCOME_REJECTED) {
        fail(x, message_event(x, "rejected-by-gateway", out_id), "errorDetails",
             problems("the recipient opted out of this sender", "OPTED_OUT"));
        return;
    }
    if (o == OUTCOME_BOUNCED) {
        fail(x, message_event(x, "bounced", out_id), "errorDetails",
             problems(email ? "the mailbox does not exist" : "the number is not reachable",
                      "HARD_BOUNCE"));
        return;
    }
    emit(x, message_event(x, "delivered", out_id));
    if (email)
        emit(x, message_event(x, "opened", out_id));
    finish(x, o, out_id);
}

/* ---- input ------------------------------------------------------------------------------------
 */

/* A made-up experience id for a line that brings none. */
static void new_experience_id(char *out, size_t size, long line)
{
    snprintf(out, size, "exp-%lx-%ld-%d", (unsigned long)now_ms(), line, rand() % 100000);
}

/* Reads the trigger record of a line into t; false (named on stderr) when it is not valid. */
static bool read_line(const kines_schema *schema, const char *text, long line, trigger *t)
{
    json_object *doc = json_tokener_parse(text), *data;
    const char *record = text;
    if (doc && json_object_object_get_ex(doc, "data", &data) &&
        json_object_is_type(data, json_type_string)) {
        record = json_object_get_string(data);
        snprintf(t->experience_id, sizeof t->experience_id, "%s", text_of(doc, "experienceId"));
    } else {
        new_experience_id(t->experience_id, sizeof t->experience_id, line);
    }
    kines_schema_result result;
    bool valid = kines_schema_validate(schema, record, strlen(record), &result);
    if (valid) {
        t->record = json_tokener_parse(record);
    } else {
        char why[2048];
        kines_schema_result_format(&result, "; ", why, sizeof why);
        fprintf(stderr, "line %ld (experience %s): not a trigger record: %s\n", line,
                t->experience_id, why);
    }
    kines_schema_result_free(&result);
    json_object_put(doc);
    return valid;
}

/* Every line of stdin, checked; returns how many, *refused the number not valid. */
static size_t read_triggers(const kines_schema *schema, trigger **out, long *refused)
{
    size_t n = 0, cap = 0;
    trigger *list = NULL;
    char *text = NULL;
    size_t text_cap = 0;
    long line = 0;
    while (getline(&text, &text_cap, stdin) > 0) {
        line++;
        if (strspn(text, " \t\r\n") == strlen(text))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            list = realloc(list, cap * sizeof *list);
            if (!list)
                abort();
        }
        list[n] = (trigger){0};
        if (!read_line(schema, text, line, &list[n]))
            (*refused)++;
        n++;
    }
    free(text);
    *out = list;
    return n;
}

static void free_triggers(trigger *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        json_object_put(list[i].record);
    free(list);
}

/* Runs every experience; false when an event was refused. */
static bool run_experiences(kines_producer *p, const trigger *list, size_t n)
{
    bool ok = true;
    int64_t clock = now_ms();
    for (size_t i = 0; i < n; i++) {
        json_object *payload, *custom;
        json_object_object_get_ex(list[i].record, "payload", &payload);
        json_object_object_get_ex(list[i].record, "customContext", &custom);
        experience x = {.producer = p,
                        .id = list[i].experience_id,
                        .payload = payload,
                        .custom = custom,
                        .clock_ms = clock,
                        .kinds = json_object_new_array()};
        simulate(&x);
        json_object *line = json_object_new_object();
        json_object_object_add(line, "experienceId", json_object_new_string(x.id));
        json_object_object_add(line, "events", x.kinds);
        printf("%s\n", json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN));
        json_object_put(line);
        ok = ok && !x.refused;
    }
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: simulator STREAM EVENT_SCHEMA TRIGGER_SCHEMA < triggers.jsonl\n");
        return EXIT_USAGE;
    }
    kines_error err;
    kines_schema *events = kines_schema_compile_file(argv[2], NULL, &err);
    kines_schema *triggers = events ? kines_schema_compile_file(argv[3], NULL, &err) : NULL;
    if (!triggers) {
        fprintf(stderr, "simulator: %s\n", err.message);
        kines_schema_free(events);
        return EXIT_FAILED;
    }
    trigger *list;
    long refused = 0;
    size_t n = read_triggers(triggers, &list, &refused);
    int rc = refused ? EXIT_BAD_INPUT : EXIT_OK;
    if (refused)
        fprintf(stderr, "simulator: %ld of %zu trigger records not valid: nothing put\n", refused,
                n);
    run_state state = {0};
    kines_producer_options opts = {.struct_size = sizeof opts,
                                   .linger_ms = 20,
                                   .record_ttl_ms = 10000,
                                   .on_result = on_result,
                                   .user = &state,
                                   .schema = events};
    kines_producer *p = refused ? NULL : kines_producer_new(NULL, argv[1], &opts, &err);
    if (!refused && !p) {
        fprintf(stderr, "simulator: %s\n", err.message);
        rc = EXIT_FAILED;
    }
    if (p) {
        bool ok = run_experiences(p, list, n);
        kines_producer_close(p); /* flushes: every event has its outcome */
        rc = !ok ? EXIT_FAILED : state.undelivered ? EXIT_UNDELIVERED : EXIT_OK;
        fprintf(stderr, "simulator: %zu experiences, %ld events delivered to %s, %ld not\n", n,
                state.delivered, argv[1], state.undelivered);
    }
    free_triggers(list, n);
    kines_schema_free(triggers);
    kines_schema_free(events);
    return rc;
}
