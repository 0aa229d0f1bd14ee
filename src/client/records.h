/* records.h - record limits shared by the calls and the producer, and the data calls' request
 * builders (records.c). */
#ifndef KINES_CLIENT_RECORDS_H
#define KINES_CLIENT_RECORDS_H

#include <stddef.h>

#include <json-c/json.h>

#include "kines/kines.h"

/* Rejects what Kinesis would reject (key of 1..256 characters, data + key within 1 MiB) with
 * KINES_ERR_INVALID naming record `index`; returns 0 or -1. */
int record_check(const kines_put_entry *e, size_t index, kines_error *err);

/* Requests (new objects the caller owns) naming the stream by stream (StreamName and/or
 * StreamARN). request_put_record with stream NULL is one entry of PutRecords' Records. */
json_object *request_put_record(const kines_stream_ref *stream, const kines_put_entry *e);
json_object *request_put_records(const kines_stream_ref *stream, const kines_put_entry *entries,
                                 size_t count);
json_object *request_get_shard_iterator(const kines_stream_ref *stream, const char *shard_id,
                                        const kines_position *from);

#endif
