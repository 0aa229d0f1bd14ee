/* esm_config.c - an event source mapping's settings: read from Create/UpdateEventSourceMapping's
 * input with the checks the model cannot make (AWS's texts where they are known, see
 * docs/lambda.md), and written back as EventSourceMappingConfiguration (see esm.h). */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esm.h"
#include "esm_filter.h"

#define MAX_FILTERS 5
#define RECORD_AGE_MIN_S 60

static const char *const state_names[] = {
    [ESM_CREATING] = "Creating",   [ESM_ENABLING] = "Enabling", [ESM_ENABLED] = "Enabled",
    [ESM_DISABLING] = "Disabling", [ESM_DISABLED] = "Disabled", [ESM_UPDATING] = "Updating",
    [ESM_DELETING] = "Deleting",
};

const char *esm_state_name(esm_state state)
{
    return state_names[state];
}

esm_config *esm_config_copy(const esm_config *c)
{
    esm_config *copy = malloc(sizeof *copy);
    if (!copy)
        abort();
    *copy = *c;
    copy->filters = c->filters ? strdup(c->filters) : NULL;
    return copy;
}

void esm_config_free(esm_config *c)
{
    if (!c)
        return;
    free(c->filters);
    free(c);
}

bool esm_config_polls(const esm_config *c)
{
    return c->enabled && c->state != ESM_DELETING && c->state != ESM_DISABLING &&
           c->state != ESM_DISABLED;
}

/* --- reading the input ---------------------------------------------------------------------- */

static bool invalid(op_call *call, const char *message)
{
    aws_error_set(call->err, 400, "InvalidParameterValueException", "%s", message);
    return false;
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* FilterCriteria.Filters as a JSON array of their patterns (NULL when there are none); false
 * with err when a pattern is not one. */
static bool read_filters(op_call *call, const kval *criteria, char **out)
{
    const kval *filters = kv_get(criteria, "Filters");
    size_t n = filters && filters->type == KV_LIST ? filters->u.list.n : 0;
    *out = NULL;
    if (n > MAX_FILTERS) {
        aws_error_set(call->err, 400, "InvalidParameterValueException",
                      "The number of filters (%zu) exceeds the limit of %d.", n, MAX_FILTERS);
        return false;
    }
    json_object *list = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        const char *pattern = kv_str(&filters->u.list.items[i], "Pattern");
        if (!pattern || !esm_filter_valid(pattern)) {
            json_object_put(list);
            return invalid(call, "Invalid filter pattern definition.");
        }
        json_object_array_add(list, json_object_new_string(pattern));
    }
    if (n)
        *out = strdup(json_object_to_json_string_ext(list, JSON_C_TO_STRING_PLAIN));
    json_object_put(list);
    return true;
}

/* Where a mapping's failures may go: a queue, or (kinesd's extension) a Kinesis stream. */
static bool read_destination(op_call *call, const kval *config, esm_config *c)
{
    if (kv_get(config, "OnSuccess"))
        return invalid(call, "Unsupported DestinationConfig parameter for given event source "
                             "mapping type.");
    const kval *on_failure = kv_get(config, "OnFailure");
    if (!on_failure)
        return true;
    const char *arn = kv_str(on_failure, "Destination");
    if (arn && arn[0] && !has_prefix(arn, "arn:aws:sqs:") &&
        !(has_prefix(arn, "arn:aws:kinesis:") && strstr(arn, ":stream/"))) {
        aws_error_set(call->err, 400, "InvalidParameterValueException",
                      "The destination ARN %s is invalid. kinesd sends the failures of event "
                      "source mappings to SQS queues and Kinesis streams.",
                      arn);
        return false;
    }
    snprintf(c->on_failure, sizeof c->on_failure, "%s", arn ? arn : "");
    return true;
}

/* StartingPosition and its timestamp (create only). */
static bool read_starting_position(op_call *call, esm_config *c)
{
    const char *position = kv_str(call->input, "StartingPosition");
    const kval *ts = kv_get(call->input, "StartingPositionTimestamp");
    if (!position)
        return invalid(call, "1 validation error detected: Value null at 'startingPosition' "
                             "failed to satisfy constraint: Member must not be null.");
    bool at_timestamp = strcmp(position, "AT_TIMESTAMP") == 0;
    if (ts && !at_timestamp)
        return invalid(call, "Timestamp only valid with StartingPosition AT_TIMESTAMP");
    if (at_timestamp && !ts)
        return invalid(call, "StartingPositionTimestamp must be specified with StartingPosition "
                             "AT_TIMESTAMP");
    snprintf(c->starting_position, sizeof c->starting_position, "%s", position);
    c->starting_ts_ms = ts ? ts->u.i : 0;
    return true;
}

/* The numbers the model bounds; MaximumRecordAgeInSeconds also has a gap (0..59). */
static bool read_numbers(op_call *call, esm_config *c)
{
    int64_t n;
    if (kv_int(call->input, "BatchSize", &n))
        c->batch_size = (int)n;
    if (kv_int(call->input, "MaximumBatchingWindowInSeconds", &n))
        c->window_s = (int)n;
    if (kv_int(call->input, "ParallelizationFactor", &n))
        c->parallelization = (int)n;
    if (kv_int(call->input, "MaximumRetryAttempts", &n))
        c->max_retries = (int)n;
    if (kv_int(call->input, "TumblingWindowInSeconds", &n))
        c->tumbling_s = (int)n;
    if (kv_int(call->input, "MaximumRecordAgeInSeconds", &n)) {
        if (n != -1 && n < RECORD_AGE_MIN_S) {
            aws_error_set(call->err, 400, "InvalidParameterValueException",
                          "MaximumRecordAgeInSeconds must be -1 or between %d and 604800.",
                          RECORD_AGE_MIN_S);
            return false;
        }
        c->max_record_age_s = (int)n;
    }
    return true;
}

static void read_response_types(op_call *call, esm_config *c)
{
    const kval *types = kv_get(call->input, "FunctionResponseTypes");
    if (!types || types->type != KV_LIST)
        return;
    c->report_item_failures = false;
    for (size_t i = 0; i < types->u.list.n; i++)
        if (types->u.list.items[i].type == KV_STRING &&
            strcmp(types->u.list.items[i].u.s.ptr, "ReportBatchItemFailures") == 0)
            c->report_item_failures = true;
}

void esm_config_defaults(esm_config *c)
{
    memset(c, 0, sizeof *c);
    c->batch_size = ESM_DEFAULT_BATCH;
    c->parallelization = 1;
    c->max_retries = -1;
    c->max_record_age_s = -1;
    c->enabled = true;
}

bool esm_config_read(op_call *call, esm_config *c, bool creating)
{
    if (creating && !read_starting_position(call, c))
        return false;
    if (!read_numbers(call, c))
        return false;
    read_response_types(call, c);
    c->bisect = kv_bool(call->input, "BisectBatchOnFunctionError", c->bisect);
    c->enabled = kv_bool(call->input, "Enabled", c->enabled);
    const kval *criteria = kv_get(call->input, "FilterCriteria");
    if (criteria) {
        char *filters;
        if (!read_filters(call, criteria, &filters))
            return false;
        free(c->filters);
        c->filters = filters;
    }
    const kval *destination = kv_get(call->input, "DestinationConfig");
    return !destination || read_destination(call, destination, c);
}

/* --- writing the configuration -------------------------------------------------------------- */

static void write_filters(kenc *e, const char *filters)
{
    json_object *list = json_tokener_parse(filters);
    enc_key(e, "FilterCriteria");
    enc_map_begin(e);
    enc_key(e, "Filters");
    enc_list_begin(e);
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        enc_map_begin(e);
        enc_key(e, "Pattern");
        enc_str(e, json_object_get_string(json_object_array_get_idx(list, i)));
        enc_map_end(e);
    }
    enc_list_end(e);
    enc_map_end(e);
    json_object_put(list);
}

static void write_int(kenc *e, const char *key, int64_t value)
{
    enc_key(e, key);
    enc_int(e, value);
}

static void write_str(kenc *e, const char *key, const char *value)
{
    enc_key(e, key);
    enc_str(e, value);
}

void esm_config_write(kenc *e, const esm_config *c, const char *last_result)
{
    char arn[ESM_ARN_MAX];
    snprintf(arn, sizeof arn, "arn:aws:lambda:%s:%s:event-source-mapping:%s", c->region, c->account,
             c->uuid);
    enc_map_begin(e);
    write_str(e, "UUID", c->uuid);
    write_str(e, "StartingPosition", c->starting_position);
    if (strcmp(c->starting_position, "AT_TIMESTAMP") == 0) {
        enc_key(e, "StartingPositionTimestamp");
        enc_timestamp_ms(e, c->starting_ts_ms);
    }
    write_int(e, "BatchSize", c->batch_size);
    write_int(e, "MaximumBatchingWindowInSeconds", c->window_s);
    write_int(e, "ParallelizationFactor", c->parallelization);
    write_str(e, "EventSourceArn", c->source_arn);
    if (c->filters)
        write_filters(e, c->filters);
    write_str(e, "FunctionArn", c->function_arn);
    enc_key(e, "LastModified");
    enc_timestamp_ms(e, c->last_modified_ms);
    write_str(e, "LastProcessingResult", last_result);
    write_str(e, "State", esm_state_name(c->state));
    write_str(e, "StateTransitionReason", "User action");
    enc_key(e, "DestinationConfig");
    enc_map_begin(e);
    enc_key(e, "OnFailure");
    enc_map_begin(e);
    if (c->on_failure[0])
        write_str(e, "Destination", c->on_failure);
    enc_map_end(e);
    enc_map_end(e);
    write_int(e, "MaximumRecordAgeInSeconds", c->max_record_age_s);
    enc_key(e, "BisectBatchOnFunctionError");
    enc_bool(e, c->bisect);
    write_int(e, "MaximumRetryAttempts", c->max_retries);
    write_int(e, "TumblingWindowInSeconds", c->tumbling_s);
    enc_key(e, "FunctionResponseTypes");
    enc_list_begin(e);
    if (c->report_item_failures)
        enc_str(e, "ReportBatchItemFailures");
    enc_list_end(e);
    write_str(e, "EventSourceMappingArn", arn);
    enc_map_end(e);
}
