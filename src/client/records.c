/* records.c - the data calls: PutRecord, PutRecords, GetShardIterator, GetRecords (the stream
 * named by name, or by name or ARN in the _ref variants), and their request builders. */
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/oom.h"
#include "error.h"
#include "json.h"
#include "kines/kines.h"
#include "mem.h"
#include "ops_shapes.h"
#include "records.h"

/* Rejects, before sending, what Kinesis would reject: key length, record size. */
int record_check(const kines_put_entry *e, size_t index, kines_error *err)
{
    size_t key_len = e->partition_key ? strlen(e->partition_key) : 0;
    if (key_len == 0 || key_len > KINES_MAX_PARTITION_KEY)
        return kines_fail(err, KINES_ERR_INVALID,
                          "record %zu: partition key must be 1 to %d characters", index,
                          KINES_MAX_PARTITION_KEY);
    if (e->len + key_len > KINES_MAX_RECORD_BYTES)
        return kines_fail(err, KINES_ERR_INVALID,
                          "record %zu: %zu bytes of data and key exceed the 1 MiB record limit",
                          index, e->len + key_len);
    return 0;
}

json_object *request_put_record(const kines_stream_ref *stream, const kines_put_entry *e)
{
    json_object *j = stream ? request_for_stream(stream) : json_object_new_object();
    char *b64 = j ? malloc(base64_encoded_len(e->len) + 1) : NULL;
    if (!b64) {
        oom_failed(); /* json_call refuses to send the request */
        return j;
    }
    base64_encode(e->data, e->len, b64);
    json_object_object_add(j, "Data",
                           json_object_new_string_len(b64, (int)base64_encoded_len(e->len)));
    free(b64);
    json_add_str(j, "PartitionKey", e->partition_key);
    json_add_str(j, "ExplicitHashKey", e->explicit_hash_key);
    return j;
}

json_object *request_put_records(const kines_stream_ref *stream, const kines_put_entry *entries,
                                 size_t count)
{
    json_object *req = request_for_stream(stream), *records = json_object_new_array();
    for (size_t i = 0; i < count; i++)
        json_object_array_add(records, request_put_record(NULL, &entries[i]));
    json_object_object_add(req, "Records", records);
    return req;
}

static void read_put_result(struct kines_mem *m, json_object *j, kines_put_result *r)
{
    r->shard_id = kines_mem_strdup(m, json_str(j, "ShardId"));
    r->sequence_number = kines_mem_strdup(m, json_str(j, "SequenceNumber"));
    r->error_code = kines_mem_strdup(m, json_str(j, "ErrorCode"));
    r->error_message = kines_mem_strdup(m, json_str(j, "ErrorMessage"));
}

int kines_put_record_ref(kines_client *c, const kines_stream_ref *stream,
                         const kines_put_entry *entry, kines_put_results *out, kines_error *err)
{
    memset(out, 0, sizeof *out);
    if (record_check(entry, 0, err) != 0)
        return -1;
    json_object *resp = NULL;
    int rc = json_call(c, "PutRecord", request_put_record(stream, entry), &resp, err);
    if (rc == 0) {
        out->mem = kines_mem_new();
        out->results = kines_mem_alloc(out->mem, sizeof *out->results);
        out->count = out->results ? 1 : 0;
        if (out->results)
            read_put_result(out->mem, resp, out->results);
    }
    json_object_put(resp);
    return kines_check_memory(err, rc);
}

int kines_put_record(kines_client *c, const char *stream, const kines_put_entry *entry,
                     kines_put_results *out, kines_error *err)
{
    return kines_put_record_ref(c, &(kines_stream_ref){.name = stream}, entry, out, err);
}

static int check_batch(const kines_put_entry *entries, size_t count, kines_error *err)
{
    if (count == 0 || count > KINES_MAX_BATCH_RECORDS)
        return kines_fail(err, KINES_ERR_INVALID, "PutRecords takes 1 to %d records, not %zu",
                          KINES_MAX_BATCH_RECORDS, count);
    for (size_t i = 0; i < count; i++)
        if (record_check(&entries[i], i, err) != 0)
            return -1;
    return 0;
}

int kines_put_records_ref(kines_client *c, const kines_stream_ref *stream,
                          const kines_put_entry *entries, size_t count, kines_put_results *out,
                          kines_error *err)
{
    memset(out, 0, sizeof *out);
    if (check_batch(entries, count, err) != 0)
        return -1;
    json_object *resp = NULL;
    int rc = json_call(c, "PutRecords", request_put_records(stream, entries, count), &resp, err);
    json_object *results = json_field(resp, "Records");
    if (rc == 0 && (!results || json_object_array_length(results) != count))
        rc = kines_fail(err, KINES_ERR_PROTOCOL, "PutRecords answered %zu results for %zu records",
                        results ? json_object_array_length(results) : 0, count);
    if (rc == 0) {
        out->mem = kines_mem_new();
        out->results = kines_mem_alloc(out->mem, count * sizeof *out->results);
        out->count = out->results ? count : 0;
        for (size_t i = 0; i < out->count; i++) {
            read_put_result(out->mem, json_object_array_get_idx(results, i), &out->results[i]);
            out->failed_count += out->results[i].error_code != NULL;
        }
    }
    json_object_put(resp);
    return kines_check_memory(err, rc);
}

int kines_put_records(kines_client *c, const char *stream, const kines_put_entry *entries,
                      size_t count, kines_put_results *out, kines_error *err)
{
    return kines_put_records_ref(c, &(kines_stream_ref){.name = stream}, entries, count, out, err);
}

void kines_put_results_free(kines_put_results *r)
{
    kines_mem_free(r->mem);
    memset(r, 0, sizeof *r);
}

/* ---- reading -------------------------------------------------------------------------------- */

static const char *const iterator_type_names[] = {
    [KINES_TRIM_HORIZON] = "TRIM_HORIZON",
    [KINES_LATEST] = "LATEST",
    [KINES_AT_SEQUENCE_NUMBER] = "AT_SEQUENCE_NUMBER",
    [KINES_AFTER_SEQUENCE_NUMBER] = "AFTER_SEQUENCE_NUMBER",
    [KINES_AT_TIMESTAMP] = "AT_TIMESTAMP",
};

json_object *request_get_shard_iterator(const kines_stream_ref *stream, const char *shard_id,
                                        const kines_position *from)
{
    json_object *req = request_for_stream(stream);
    json_add_str(req, "ShardId", shard_id);
    json_add_str(req, "ShardIteratorType", iterator_type_names[from->type]);
    if (from->type == KINES_AT_SEQUENCE_NUMBER || from->type == KINES_AFTER_SEQUENCE_NUMBER)
        json_add_str(req, "StartingSequenceNumber", from->sequence_number);
    if (from->type == KINES_AT_TIMESTAMP)
        json_object_object_add(req, "Timestamp", json_object_new_double(from->timestamp));
    return req;
}

int kines_get_shard_iterator_ref(kines_client *c, const kines_stream_ref *stream,
                                 const char *shard_id, const kines_position *from, char **iterator,
                                 kines_error *err)
{
    json_object *resp = NULL;
    int rc = json_call(c, "GetShardIterator", request_get_shard_iterator(stream, shard_id, from),
                       &resp, err);
    const char *it = json_str(resp, "ShardIterator");
    if (rc == 0 && !it)
        rc = kines_fail(err, KINES_ERR_PROTOCOL, "GetShardIterator answered no ShardIterator");
    if (rc == 0 && !(*iterator = oom_strdup(it)))
        rc = kines_out_of_memory(err);
    json_object_put(resp);
    return rc;
}

int kines_get_shard_iterator(kines_client *c, const char *stream, const char *shard_id,
                             const kines_position *from, char **iterator, kines_error *err)
{
    return kines_get_shard_iterator_ref(c, &(kines_stream_ref){.name = stream}, shard_id, from,
                                        iterator, err);
}

/* Decodes one record; returns false when its Data is not valid base64. */
static bool read_record(struct kines_mem *m, json_object *j, kines_record *r)
{
    const char *data = json_str(j, "Data");
    size_t n = data ? strlen(data) : 0;
    unsigned char *bytes = kines_mem_alloc(m, n / 4 * 3 + 1);
    r->sequence_number = kines_mem_strdup(m, json_str(j, "SequenceNumber"));
    r->partition_key = kines_mem_strdup(m, json_str(j, "PartitionKey"));
    r->arrival_timestamp = json_double(j, "ApproximateArrivalTimestamp", 0);
    r->data = bytes;
    return !bytes || base64_decode(data ? data : "", n, bytes, &r->len); /* no memory: noted */
}

int kines_get_records(kines_client *c, const char *iterator, int limit, kines_records *out,
                      kines_error *err)
{
    memset(out, 0, sizeof *out);
    json_object *req = json_object_new_object(), *resp = NULL;
    json_add_str(req, "ShardIterator", iterator);
    if (limit > 0)
        json_add_int(req, "Limit", limit);
    int rc = json_call(c, "GetRecords", req, &resp, err);
    if (rc != 0)
        return rc;
    json_object *records = json_field(resp, "Records");
    size_t n = records ? json_object_array_length(records) : 0;
    out->mem = kines_mem_new();
    out->records = kines_mem_alloc(out->mem, n * sizeof *out->records);
    out->count = out->records ? n : 0;
    for (size_t i = 0; i < out->count && rc == 0; i++)
        if (!read_record(out->mem, json_object_array_get_idx(records, i), &out->records[i]))
            rc = kines_fail(err, KINES_ERR_PROTOCOL, "GetRecords answered invalid base64 Data");
    out->next_iterator = kines_mem_strdup(out->mem, json_str(resp, "NextShardIterator"));
    out->millis_behind_latest = json_int(resp, "MillisBehindLatest", 0);
    json_object_put(resp);
    rc = kines_check_memory(err, rc);
    if (rc != 0)
        kines_records_free(out);
    return rc;
}

void kines_records_free(kines_records *r)
{
    kines_mem_free(r->mem);
    memset(r, 0, sizeof *r);
}
