/* esm_event.c - the event an event source mapping invokes its function with, the function's
 * answer and the failure record (see esm_event.h). The event is written with the JSON encoder;
 * the tumbling window's state, which the function returned as JSON, goes in as it came. */
#include "esm_event.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/base64.h"
#include "../common/buf.h"
#include "../common/clock.h"
#include "../protocol/encoder.h"
#include "function.h"
#include "jsonfield.h"

/* Per record, besides its data and key: its fields, names and the source's ARN and role. */
#define RECORD_OVERHEAD 1024

esm_record *esm_record_new(const kinesis_record *rec, int64_t now_ms)
{
    esm_record *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    r->offset = rec->offset;
    r->arrival_ms = rec->arrival_ms;
    r->read_ms = now_ms;
    memcpy(r->sequence_number, rec->sequence_number, sizeof r->sequence_number);
    r->partition_key = malloc(rec->partition_key_len + 1);
    r->data = malloc(rec->data_len + 1);
    if (!r->partition_key || !r->data)
        abort();
    memcpy(r->partition_key, rec->partition_key, rec->partition_key_len);
    r->partition_key[rec->partition_key_len] = '\0';
    r->partition_key_len = rec->partition_key_len;
    memcpy(r->data, rec->data, rec->data_len);
    r->data[rec->data_len] = '\0';
    r->data_len = rec->data_len;
    /* a key's characters may be escaped as \uXXXX */
    r->event_bytes = base64_encoded_len(rec->data_len) + 6 * rec->partition_key_len +
                     2 * KINESIS_SEQNO_LEN + RECORD_OVERHEAD;
    return r;
}

void esm_record_free(esm_record *r)
{
    if (!r)
        return;
    free(r->partition_key);
    free(r->data);
    free(r);
}

void esm_iso_time(int64_t ms, char out[32])
{
    fn_format_time(ms, out);
    memcpy(out + 23, "Z", 2); /* "...T10:00:00.000+0000" -> "...T10:00:00.000Z" */
}

/* --- the event ------------------------------------------------------------------------------- */

static void write_str(kenc *e, const char *key, const char *value)
{
    enc_key(e, key);
    enc_str(e, value);
}

static void write_record(kenc *e, const esm_event_source *src, const esm_record *r)
{
    char event_id[128];
    snprintf(event_id, sizeof event_id, "%s:%s", src->shard_id, r->sequence_number);
    enc_map_begin(e);
    enc_key(e, "kinesis");
    enc_map_begin(e);
    write_str(e, "kinesisSchemaVersion", "1.0");
    enc_key(e, "partitionKey");
    enc_strn(e, r->partition_key, r->partition_key_len);
    write_str(e, "sequenceNumber", r->sequence_number);
    enc_key(e, "data");
    enc_blob(e, r->data, r->data_len);
    enc_key(e, "approximateArrivalTimestamp");
    enc_timestamp_ms(e, r->arrival_ms);
    enc_map_end(e);
    write_str(e, "eventSource", "aws:kinesis");
    write_str(e, "eventVersion", "1.0");
    write_str(e, "eventID", event_id);
    write_str(e, "eventName", "aws:kinesis:record");
    write_str(e, "invokeIdentityArn", src->identity_arn);
    write_str(e, "awsRegion", src->region);
    write_str(e, "eventSourceARN", src->stream_arn);
    enc_map_end(e);
}

/* ,"key":"value" with value escaped as JSON. */
static void put_member(kbuf *out, const char *key, const char *value)
{
    kenc e;
    kbuf_printf(out, ",\"%s\":", key);
    enc_init(&e, ENC_JSON, out);
    enc_str(&e, value);
}

static void window_time(int64_t ms, char out[32])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void write_window(kbuf *out, const esm_event_source *src, const esm_window *w)
{
    char start[32], end[32];
    window_time(w->start_ms, start);
    window_time(w->end_ms, end);
    kbuf_printf(out, ",\"window\":{\"start\":\"%s\",\"end\":\"%s\"},\"state\":%s", start, end,
                w->state && w->state[0] ? w->state : "{}");
    put_member(out, "shardId", src->shard_id);
    put_member(out, "eventSourceARN", src->stream_arn);
    kbuf_printf(out, ",\"isFinalInvokeForWindow\":%s,\"isWindowTerminatedEarly\":%s",
                w->final ? "true" : "false", w->terminated_early ? "true" : "false");
}

char *esm_event_build(const esm_event_source *src, const esm_record *first, int n,
                      const esm_window *window, size_t *len)
{
    kbuf out = KBUF_INIT;
    kenc e;
    kbuf_puts(&out, "{\"Records\":");
    enc_init(&e, ENC_JSON, &out);
    enc_list_begin(&e);
    for (const esm_record *r = first; r && n-- > 0; r = r->next)
        write_record(&e, src, r);
    enc_list_end(&e);
    if (window)
        write_window(&out, src, window);
    kbuf_putc(&out, '}');
    *len = out.len;
    return out.data;
}

/* --- the answer ------------------------------------------------------------------------------ */

/* The index of the record with this sequence number among the n from first on; -1 if none. */
static int index_of(const esm_record *first, int n, const char *sequence_number)
{
    int i = 0;
    for (const esm_record *r = first; r && i < n; r = r->next, i++)
        if (strcmp(r->sequence_number, sequence_number) == 0)
            return i;
    return -1;
}

/* batchItemFailures: the lowest failed index into *failed_at (-1 when none failed); false when
 * the list is not valid (a missing, empty or unknown itemIdentifier). */
static bool read_item_failures(json_object *answer, const esm_record *first, int n, int *failed_at)
{
    json_object *list = NULL;
    *failed_at = -1;
    if (json_object_get_type(answer) != json_type_object ||
        !json_object_object_get_ex(answer, "batchItemFailures", &list) ||
        json_object_get_type(list) == json_type_null)
        return true;
    if (json_object_get_type(list) != json_type_array)
        return false;
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *item = json_object_array_get_idx(list, i), *id = NULL;
        if (!json_object_object_get_ex(item, "itemIdentifier", &id) ||
            json_object_get_type(id) != json_type_string)
            return false;
        int at = index_of(first, n, json_object_get_string(id));
        if (at < 0)
            return false;
        if (*failed_at < 0 || at < *failed_at)
            *failed_at = at;
    }
    return true;
}

static char *read_state(json_object *answer)
{
    json_object *state = NULL;
    if (json_object_get_type(answer) != json_type_object ||
        !json_object_object_get_ex(answer, "state", &state) ||
        json_object_get_type(state) != json_type_object)
        return strdup("{}");
    return strdup(json_object_to_json_string_ext(state, JSON_C_TO_STRING_PLAIN));
}

void esm_answer_read(const char *body, size_t len, bool function_ok, bool report_failures,
                     bool windows, const esm_record *first, int n, esm_answer *out)
{
    *out = (esm_answer){.ok = function_ok, .failed_at = -1};
    if (!function_ok || (!report_failures && !windows))
        return;
    bool parsed = true;
    json_object *answer = len ? jf_parse(body, len, &parsed) : NULL;
    if (windows)
        out->state = read_state(answer);
    if (report_failures) {
        int failed_at;
        if (!parsed || !read_item_failures(answer, first, n, &failed_at))
            out->ok = false;
        else if (failed_at >= 0)
            out->ok = false, out->failed_at = failed_at;
    }
    json_object_put(answer);
}

/* --- the failure record ---------------------------------------------------------------------- */

static void add_str(json_object *o, const char *key, const char *value)
{
    json_object_object_add(o, key, json_object_new_string(value));
}

static json_object *batch_info(const esm_failure *f)
{
    const esm_record *last = f->first;
    for (int i = 1; i < f->n && last->next; i++)
        last = last->next;
    char first_at[32], last_at[32];
    esm_iso_time(f->first->arrival_ms, first_at);
    esm_iso_time(last->arrival_ms, last_at);
    json_object *info = json_object_new_object();
    add_str(info, "shardId", f->shard_id);
    add_str(info, "startSequenceNumber", f->first->sequence_number);
    add_str(info, "endSequenceNumber", last->sequence_number);
    add_str(info, "approximateArrivalOfFirstRecord", first_at);
    add_str(info, "approximateArrivalOfLastRecord", last_at);
    json_object_object_add(info, "batchSize", json_object_new_int(f->n));
    add_str(info, "streamArn", f->stream_arn);
    return info;
}

char *esm_failure_record(const esm_failure *f)
{
    json_object *o = json_object_new_object(), *req = json_object_new_object();
    add_str(req, "requestId", f->request_id);
    add_str(req, "functionArn", f->function_arn);
    add_str(req, "condition", f->condition);
    json_object_object_add(req, "approximateInvokeCount", json_object_new_int(f->invoke_count));
    json_object_object_add(o, "requestContext", req);
    if (f->executed_version) {
        json_object *resp = json_object_new_object();
        json_object_object_add(resp, "statusCode", json_object_new_int(200));
        add_str(resp, "executedVersion", f->executed_version);
        if (f->function_error)
            add_str(resp, "functionError", "Unhandled");
        json_object_object_add(o, "responseContext", resp);
    }
    char now[32];
    esm_iso_time(clock_now_ms(), now);
    add_str(o, "version", "1.0");
    add_str(o, "timestamp", now);
    json_object_object_add(o, "KinesisBatchInfo", batch_info(f));
    char *text = strdup(
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return text;
}
