/* attrs.c - queue attributes: names, defaults, validation and the redrive policies (see attrs.h).
 *
 * Ranges are AWS's (CreateQueue's documentation in spec/sqs-2012-11-05.service.json). Numbers
 * must be plain decimal integers. Policies are JSON objects, read with json-c. */
#include "attrs.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { KIND_INT, KIND_BOOL, KIND_POLICY, KIND_REDRIVE, KIND_ALLOW, KIND_STRING } attr_kind;

typedef struct attr_def {
    const char *name;
    attr_kind kind;
    long min, max;    /* KIND_INT */
    const char *dflt; /* shown when unset; NULL: not shown */
} attr_def;

static const attr_def defs[QA_COUNT] = {
    [QA_DELAY_SECONDS] = {"DelaySeconds", KIND_INT, 0, SQS_MAX_DELAY_S, "0"},
    [QA_MAXIMUM_MESSAGE_SIZE] = {"MaximumMessageSize", KIND_INT, 1024, SQS_MAX_MESSAGE_SIZE,
                                 "1048576"},
    [QA_MESSAGE_RETENTION_PERIOD] = {"MessageRetentionPeriod", KIND_INT, 60, 1209600, "345600"},
    [QA_POLICY] = {"Policy", KIND_POLICY, 0, 0, NULL},
    [QA_RECEIVE_MESSAGE_WAIT_TIME_SECONDS] = {"ReceiveMessageWaitTimeSeconds", KIND_INT, 0,
                                              SQS_MAX_WAIT_S, "0"},
    [QA_VISIBILITY_TIMEOUT] = {"VisibilityTimeout", KIND_INT, 0, SQS_MAX_VISIBILITY_S, "30"},
    [QA_REDRIVE_POLICY] = {"RedrivePolicy", KIND_REDRIVE, 0, 0, NULL},
    [QA_REDRIVE_ALLOW_POLICY] = {"RedriveAllowPolicy", KIND_ALLOW, 0, 0, NULL},
    [QA_KMS_MASTER_KEY_ID] = {"KmsMasterKeyId", KIND_STRING, 0, 0, NULL},
    [QA_KMS_DATA_KEY_REUSE_PERIOD_SECONDS] = {"KmsDataKeyReusePeriodSeconds", KIND_INT, 60, 86400,
                                              NULL},
    [QA_SQS_MANAGED_SSE_ENABLED] = {"SqsManagedSseEnabled", KIND_BOOL, 0, 0, "true"},
};

#define MAX_RECEIVE_COUNT 1000

void attrs_init(queue_attrs *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < QA_COUNT; i++)
        attrs_set(a, (queue_attr_id)i, NULL);
}

void attrs_free(queue_attrs *a)
{
    for (int i = 0; i < QA_COUNT; i++)
        free(a->values[i]);
    free(a->dlq_arn);
    memset(a, 0, sizeof *a);
}

int attrs_find(const char *name)
{
    for (int i = 0; i < QA_COUNT; i++)
        if (strcmp(defs[i].name, name) == 0)
            return i;
    return -1;
}

const char *attrs_name(queue_attr_id id)
{
    return defs[id].name;
}

const char *attrs_value(const queue_attrs *a, queue_attr_id id)
{
    return a->values[id] ? a->values[id] : defs[id].dflt;
}

/* A plain decimal integer (optional minus) into *out. */
static bool parse_int(const char *s, long *out)
{
    char *end;
    if (!*s || !((*s >= '0' && *s <= '9') || *s == '-'))
        return false;
    long v = strtol(s, &end, 10);
    if (*end)
        return false;
    *out = v;
    return true;
}

/* The JSON object of a policy value; NULL when it is not one. */
static json_object *parse_object(const char *value)
{
    json_object *o = json_tokener_parse(value);
    if (o && !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        o = NULL;
    }
    return o;
}

/* maxReceiveCount as a JSON number or numeric string; false when neither. */
static bool json_int(json_object *v, long *out)
{
    if (json_object_is_type(v, json_type_int)) {
        *out = (long)json_object_get_int64(v);
        return true;
    }
    return json_object_is_type(v, json_type_string) && parse_int(json_object_get_string(v), out);
}

static bool redrive_reason(const char *value, char *reason, size_t len)
{
    json_object *o = parse_object(value), *arn, *count;
    long n = 0;
    bool ok = false;
    if (!o)
        snprintf(reason, len, "Redrive policy is not a valid JSON map.");
    else if (!json_object_object_get_ex(o, "deadLetterTargetArn", &arn) ||
             !json_object_is_type(arn, json_type_string))
        snprintf(reason, len,
                 "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
    else if (!json_object_object_get_ex(o, "maxReceiveCount", &count))
        snprintf(reason, len,
                 "Redrive policy does not contain mandatory attribute: maxReceiveCount.");
    else if (!json_int(count, &n) || n < 1 || n > MAX_RECEIVE_COUNT)
        snprintf(reason, len,
                 "Invalid value for maxReceiveCount: %s, valid values are from 1 to %d both "
                 "inclusive.",
                 json_object_get_string(count), MAX_RECEIVE_COUNT);
    else
        ok = true;
    json_object_put(o);
    return ok;
}

static bool allow_reason(const char *value, char *reason, size_t len)
{
    json_object *o = parse_object(value), *perm, *arns;
    const char *p = NULL;
    if (o && json_object_object_get_ex(o, "redrivePermission", &perm))
        p = json_object_get_string(perm);
    bool has_arns = o && json_object_object_get_ex(o, "sourceQueueArns", &arns) &&
                    json_object_is_type(arns, json_type_array);
    bool ok = false;
    if (!o)
        snprintf(reason, len, "Redrive allow policy is not a valid JSON map.");
    else if (!p || (strcmp(p, "allowAll") && strcmp(p, "denyAll") && strcmp(p, "byQueue")))
        snprintf(reason, len, "Invalid value for redrivePermission.");
    else if (!strcmp(p, "byQueue") && (!has_arns || json_object_array_length(arns) < 1 ||
                                       json_object_array_length(arns) > 10))
        snprintf(reason, len, "sourceQueueArns must hold 1 to 10 queue ARNs for byQueue.");
    else if (strcmp(p, "byQueue") && has_arns)
        snprintf(reason, len, "sourceQueueArns may be given only with byQueue.");
    else
        ok = true;
    json_object_put(o);
    return ok;
}

bool attrs_check(queue_attr_id id, const char *value, char *reason, size_t reason_len)
{
    const attr_def *d = &defs[id];
    long n;
    char scratch[8];
    if (!reason) {
        reason = scratch;
        reason_len = sizeof scratch;
    }
    reason[0] = '\0';
    switch (d->kind) {
    case KIND_INT:
        return parse_int(value, &n) && n >= d->min && n <= d->max;
    case KIND_BOOL:
        return strcmp(value, "true") == 0 || strcmp(value, "false") == 0;
    case KIND_POLICY: {
        json_object *o = *value ? parse_object(value) : NULL;
        json_object_put(o);
        return !*value || o;
    }
    case KIND_REDRIVE:
        return !*value || redrive_reason(value, reason, reason_len);
    case KIND_ALLOW:
        return !*value || allow_reason(value, reason, reason_len);
    case KIND_STRING:
        return true;
    }
    return false;
}

bool attrs_redrive_parts(const char *value, char **dlq_arn, int *max_receive_count)
{
    json_object *o = parse_object(value), *arn, *count;
    long n = 0;
    bool ok = o && json_object_object_get_ex(o, "deadLetterTargetArn", &arn) &&
              json_object_object_get_ex(o, "maxReceiveCount", &count) && json_int(count, &n);
    if (ok) {
        *dlq_arn = strdup(json_object_get_string(arn));
        *max_receive_count = (int)n;
    }
    json_object_put(o);
    return ok;
}

bool attrs_redrive_allowed(const char *allow_policy, const char *source_arn)
{
    if (!allow_policy)
        return true;
    json_object *o = parse_object(allow_policy), *perm, *arns;
    bool allowed = true;
    if (o && json_object_object_get_ex(o, "redrivePermission", &perm)) {
        const char *p = json_object_get_string(perm);
        allowed = strcmp(p, "denyAll") != 0;
        if (strcmp(p, "byQueue") == 0) {
            allowed = false;
            if (json_object_object_get_ex(o, "sourceQueueArns", &arns))
                for (size_t i = 0; i < json_object_array_length(arns); i++)
                    if (!strcmp(json_object_get_string(json_object_array_get_idx(arns, i)),
                                source_arn))
                        allowed = true;
        }
    }
    json_object_put(o);
    return allowed;
}

void attrs_set(queue_attrs *a, queue_attr_id id, const char *value)
{
    const attr_def *d = &defs[id];
    bool unset = !value ||
                 (!*value && d->kind != KIND_STRING && d->kind != KIND_INT && d->kind != KIND_BOOL);
    free(a->values[id]);
    a->values[id] = unset ? NULL : strdup(value);
    const char *shown = attrs_value(a, id);
    long n = 0;
    if (d->kind == KIND_INT && shown)
        parse_int(shown, &n);
    switch (id) {
    case QA_DELAY_SECONDS:
        a->delay_s = (int)n;
        break;
    case QA_MAXIMUM_MESSAGE_SIZE:
        a->max_message_size = (int)n;
        break;
    case QA_MESSAGE_RETENTION_PERIOD:
        a->retention_s = (int)n;
        break;
    case QA_RECEIVE_MESSAGE_WAIT_TIME_SECONDS:
        a->wait_s = (int)n;
        break;
    case QA_VISIBILITY_TIMEOUT:
        a->visibility_s = (int)n;
        break;
    case QA_REDRIVE_POLICY:
        free(a->dlq_arn);
        a->dlq_arn = NULL;
        a->max_receive_count = 0;
        if (a->values[id])
            attrs_redrive_parts(a->values[id], &a->dlq_arn, &a->max_receive_count);
        break;
    default:
        break;
    }
}
