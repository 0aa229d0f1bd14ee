/* records_out.c - --from parsing and record printing for get and tail (see records_out.h). */
#include "records_out.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "output.h"

static bool all_digits(const char *s)
{
    return *s && strspn(s, "0123456789") == strlen(s);
}

/* "2026-11-26T07:00:00Z", "2026-11-26T07:00:00.250Z" or "2026-11-26 07:00:00" (UTC). */
static bool parse_iso8601(const char *s, double *out)
{
    struct tm tm = {0};
    const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!rest)
        rest = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
    if (!rest)
        return false;
    double fraction = 0;
    if (*rest == '.') {
        char *end;
        fraction = strtod(rest, &end);
        rest = end;
    }
    if (*rest == 'Z')
        rest++;
    if (*rest)
        return false;
    *out = (double)timegm(&tm) + fraction;
    return true;
}

static bool parse_epoch(const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    return end != s && !*end && *out >= 0;
}

bool parse_position(const cli_ctx *ctx, const char *text, kines_position *out)
{
    *out = (kines_position){KINES_TRIM_HORIZON, NULL, 0};
    if (!text || strcasecmp(text, "trim-horizon") == 0 || strcasecmp(text, "trim_horizon") == 0)
        return true;
    if (strcasecmp(text, "latest") == 0) {
        out->type = KINES_LATEST;
        return true;
    }
    if (strncmp(text, "at:", 3) == 0 && all_digits(text + 3)) {
        *out = (kines_position){KINES_AT_SEQUENCE_NUMBER, text + 3, 0};
        return true;
    }
    if (strncmp(text, "after:", 6) == 0 && all_digits(text + 6)) {
        *out = (kines_position){KINES_AFTER_SEQUENCE_NUMBER, text + 6, 0};
        return true;
    }
    if (all_digits(text) && strlen(text) >= 20) {
        *out = (kines_position){KINES_AT_SEQUENCE_NUMBER, text, 0};
        return true;
    }
    if (parse_iso8601(text, &out->timestamp) || parse_epoch(text, &out->timestamp)) {
        out->type = KINES_AT_TIMESTAMP;
        return true;
    }
    cli_error(ctx,
              "--from must be trim-horizon, latest, a sequence number (at:SEQ, after:SEQ) "
              "or a time (2026-01-31T12:00:00Z or epoch seconds), not '%s'",
              text);
    return false;
}

bool parse_format(const cli_ctx *ctx, const char *text, record_format *out)
{
    static const char *const names[] = {"pretty", "raw", "json", "jsonl"};
    if (!text) {
        *out = ctx->json ? FORMAT_JSONL : ctx->stdout_tty ? FORMAT_PRETTY : FORMAT_RAW;
        return true;
    }
    for (int i = 0; i < 4; i++)
        if (strcmp(text, names[i]) == 0) {
            *out = (record_format)i;
            return true;
        }
    cli_error(ctx, "--format must be raw, json, jsonl or pretty, not '%s'", text);
    return false;
}

static json_object *record_json(const kines_consumer_record *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "ShardId", json_object_new_string(r->shard_id));
    json_object_object_add(o, "SequenceNumber", json_object_new_string(r->sequence_number));
    if (r->aggregated)
        json_object_object_add(o, "SubSequenceNumber",
                               json_object_new_int64((int64_t)r->sub_sequence_number));
    json_object_object_add(o, "PartitionKey", json_object_new_string(r->partition_key));
    json_object_object_add(o, "ApproximateArrivalTimestamp",
                           json_object_new_double(r->arrival_timestamp));
    json_object_object_add(o, "Data", output_data_json(r->data, r->len));
    return o;
}

void print_record(const cli_ctx *ctx, record_format f, const kines_consumer_record *r)
{
    switch (f) {
    case FORMAT_RAW:
        fwrite(r->data, 1, r->len, stdout);
        fputc('\n', stdout);
        break;
    case FORMAT_PRETTY: {
        json_object *data = output_data_json(r->data, r->len);
        if (json_object_is_type(data, json_type_string))
            printf("%s\n", json_object_get_string(data));
        else
            output_json(ctx, json_object_get(data));
        json_object_put(data);
        break;
    }
    case FORMAT_JSON:
    case FORMAT_JSONL: {
        int flags = f == FORMAT_JSON ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                                     : JSON_C_TO_STRING_PLAIN;
        json_object *o = record_json(r);
        puts(json_object_to_json_string_ext(o, flags | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        break;
    }
    }
}
