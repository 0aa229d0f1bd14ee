/* test_kinesis_records.c - the record operations end to end below HTTP: PutRecord, PutRecords,
 * GetShardIterator and GetRecords called with decoded inputs against a real registry and store
 * in a temporary data directory; outputs are read back as JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "common/clock.h"
#include "core/config.h"
#include "kinesis/iterator.h"
#include "kinesis/ops.h"
#include "kinesis/records.h"
#include "kinesis/registry_edit.h"
#include "records_fixture.h"

#define ACCOUNT "000000000000"
#define REGION "us-east-1"
#define MIB (1024 * 1024)
#define MAX_HASH "340282366920938463463374607431768211455"

static int64_t fake_now; /* 0: the real clock */

/* ---- inputs: JSON text -> kval, Data as raw bytes, Timestamp as epoch ms --------------------- */

static void to_kval(json_object *j, const char *key, arena *a, kval *out)
{
    switch (json_object_get_type(j)) {
    case json_type_string:
        out->type = key && strcmp(key, "Data") == 0 ? KV_BLOB : KV_STRING;
        out->u.s.len = (size_t)json_object_get_string_len(j);
        out->u.s.ptr = arena_strndup(a, json_object_get_string(j), out->u.s.len);
        break;
    case json_type_int:
        out->type = key && strcmp(key, "Timestamp") == 0 ? KV_TIMESTAMP : KV_INT;
        out->u.i = json_object_get_int64(j);
        break;
    case json_type_array:
        out->type = KV_LIST;
        out->u.list.n = json_object_array_length(j);
        out->u.list.items = arena_alloc(a, sizeof(kval) * (out->u.list.n + 1));
        for (size_t i = 0; i < out->u.list.n; i++)
            to_kval(json_object_array_get_idx(j, i), NULL, a, &out->u.list.items[i]);
        break;
    case json_type_object: {
        out->type = KV_MAP;
        size_t n = (size_t)json_object_object_length(j), i = 0;
        out->u.map.keys = arena_alloc(a, sizeof(char *) * (n + 1));
        out->u.map.vals = arena_alloc(a, sizeof(kval) * (n + 1));
        json_object_object_foreach(j, k, v)
        {
            out->u.map.keys[i] = arena_strdup(a, k);
            to_kval(v, k, a, &out->u.map.vals[i++]);
        }
        out->u.map.n = n;
        break;
    }
    default:
        fail_msg("unsupported input");
    }
}

/* ---- running an operation -------------------------------------------------------------------- */

typedef struct result {
    json_object *out; /* NULL on error */
    aws_error err;
} result;

static void wait_durable(uint64_t ticket)
{
    for (int i = 0; i < 5000 && durable < ticket; i++)
        usleep(1000);
    assert_true(durable >= ticket);
}

static result run(op_handler handler, const char *input_fmt, ...)
{
    kbuf input = KBUF_INIT;
    va_list ap;
    va_start(ap, input_fmt);
    kbuf_vprintf(&input, input_fmt, ap);
    va_end(ap);
    json_object *j = json_tokener_parse(input.data);
    assert_non_null(j);
    kbuf_free(&input);

    arena a;
    arena_init(&a);
    kval in;
    to_kval(j, NULL, &a, &in);
    json_object_put(j);
    kbuf body = KBUF_INIT;
    kenc enc;
    enc_init(&enc, ENC_JSON, &body);
    result r = {0};
    aws_error_init(&r.err);
    op_call call = {.operation = "test",
                    .account = ACCOUNT,
                    .region = REGION,
                    .input = &in,
                    .arena = &a,
                    .now_ms = fake_now ? fake_now : clock_now_ms(),
                    .out = &enc,
                    .err = &r.err};
    handler(&call);
    if (!r.err.status) {
        wait_durable(call.commit_ticket);
        r.out = json_tokener_parse(body.data);
        assert_non_null(r.out);
    }
    kbuf_free(&body);
    arena_free(&a);
    return r;
}

static void done(result *r)
{
    json_object_put(r->out);
    aws_error_free(&r->err);
}

static void assert_error(result r, const char *type, const char *message)
{
    assert_null(r.out);
    assert_string_equal(r.err.type, type);
    if (message)
        assert_string_equal(r.err.message.data, message);
    done(&r);
}

static const char *str(json_object *j, const char *key)
{
    json_object *v;
    assert_true(json_object_object_get_ex(j, key, &v));
    return json_object_get_string(v);
}

static json_object *member(json_object *j, const char *key)
{
    json_object *v = NULL;
    json_object_object_get_ex(j, key, &v);
    return v;
}

/* ---- fixture --------------------------------------------------------------------------------- */

static stream *create_stream_sized(const char *name, int shards, int max_record_kib)
{
    stream_request req = {.shard_count = shards, .max_record_kib = max_record_kib};
    stream *s = registry_create_stream(ACCOUNT, REGION, name, &req, clock_now_ms());
    assert_non_null(s);
    return s;
}

static stream *create_stream(const char *name, int shards)
{
    return create_stream_sized(name, shards, 0);
}

static void delete_stream(const char *name)
{
    stream *s = registry_find(ACCOUNT, REGION, name);
    assert_non_null(s);
    assert_int_equal(stream_delete(s), 0);
}

static int setup(void **state)
{
    (void)state;
    return records_fixture_open("kinesd-records");
}

static int teardown(void **state)
{
    (void)state;
    return records_fixture_close();
}

/* An iterator for the shard, or fails the test. Caller frees. */
static char *iterator(const char *stream_name, const char *shard_id, const char *extra)
{
    result r = run(op_get_shard_iterator, "{\"StreamName\":\"%s\",\"ShardId\":\"%s\",%s}",
                   stream_name, shard_id, extra);
    assert_non_null(r.out);
    char *it = strdup(str(r.out, "ShardIterator"));
    assert_true(strlen(it) <= ITERATOR_MAX_LEN);
    done(&r);
    return it;
}

static result get_records(const char *it, int limit)
{
    if (limit)
        return run(op_get_records, "{\"ShardIterator\":\"%s\",\"Limit\":%d}", it, limit);
    return run(op_get_records, "{\"ShardIterator\":\"%s\"}", it);
}

static json_object *records_of(result r)
{
    json_object *recs = member(r.out, "Records");
    assert_non_null(recs);
    return recs;
}

/* ---- tests ----------------------------------------------------------------------------------- */

static void test_put_then_get(void **state)
{
    (void)state;
    create_stream("one", 1);
    result put = run(op_put_record, "{\"StreamName\":\"one\",\"Data\":\"hello\","
                                    "\"PartitionKey\":\"k\"}");
    assert_non_null(put.out);
    assert_string_equal(str(put.out, "ShardId"), "shardId-000000000000");
    const char *seq = str(put.out, "SequenceNumber");
    assert_int_equal(strlen(seq), SEQNO_LEN);
    assert_null(member(put.out, "EncryptionType"));

    char *it = iterator("one", "shardId-000000000000", "\"ShardIteratorType\":\"TRIM_HORIZON\"");
    result got = get_records(it, 0);
    json_object *recs = records_of(got);
    assert_int_equal(json_object_array_length(recs), 1);
    json_object *rec = json_object_array_get_idx(recs, 0);
    assert_string_equal(str(rec, "SequenceNumber"), seq);
    assert_string_equal(str(rec, "Data"), "aGVsbG8="); /* base64 of "hello" */
    assert_string_equal(str(rec, "PartitionKey"), "k");
    assert_non_null(member(rec, "ApproximateArrivalTimestamp"));
    assert_non_null(member(got.out, "NextShardIterator"));
    assert_int_equal(json_object_get_int64(member(got.out, "MillisBehindLatest")), 0);
    assert_null(member(got.out, "ChildShards"));

    /* the next iterator continues after the record */
    result next = get_records(str(got.out, "NextShardIterator"), 0);
    assert_int_equal(json_object_array_length(records_of(next)), 0);
    done(&next);
    done(&got);
    done(&put);
    free(it);
    delete_stream("one");
}

static void test_put_records_order_and_routing(void **state)
{
    (void)state;
    create_stream("many", 3);
    char input[8192] = "{\"StreamName\":\"many\",\"Records\":[";
    for (int i = 0; i < 60; i++)
        snprintf(input + strlen(input), sizeof(input) - strlen(input),
                 "%s{\"Data\":\"d%d\",\"PartitionKey\":\"key-%d\"}", i ? "," : "", i, i % 7);
    strcat(input, "]}");
    result put = run(op_put_records, "%s", input);
    assert_non_null(put.out);
    assert_int_equal(json_object_get_int(member(put.out, "FailedRecordCount")), 0);
    json_object *res = member(put.out, "Records");
    assert_int_equal(json_object_array_length(res), 60);

    registry_read_lock();
    stream *s = registry_find(ACCOUNT, REGION, "many");
    char last_seq[3][SEQNO_LEN + 1] = {"", "", ""};
    for (int i = 0; i < 60; i++) {
        json_object *r = json_object_array_get_idx(res, (size_t)i);
        char key[16];
        snprintf(key, sizeof(key), "key-%d", i % 7);
        shard *want = stream_route(s, u128_md5(key, strlen(key)));
        assert_string_equal(str(r, "ShardId"), want->id);
        const char *seq = str(r, "SequenceNumber");
        assert_true(strcmp(seq, last_seq[want->index]) > 0); /* increasing within a shard */
        strcpy(last_seq[want->index], seq);
    }
    registry_unlock();

    /* each shard returns its records in request order */
    int seen = 0;
    for (int sh = 0; sh < 3; sh++) {
        char id[24];
        snprintf(id, sizeof(id), "shardId-%012d", sh);
        char *it = iterator("many", id, "\"ShardIteratorType\":\"TRIM_HORIZON\"");
        result got = get_records(it, 0);
        json_object *recs = records_of(got);
        int prev = -1;
        for (size_t i = 0; i < json_object_array_length(recs); i++) {
            json_object *rec = json_object_array_get_idx(recs, i);
            int n = -1;
            for (int k = 0; k < 60; k++)
                if (strcmp(str(json_object_array_get_idx(res, (size_t)k), "SequenceNumber"),
                           str(rec, "SequenceNumber")) == 0)
                    n = k;
            assert_true(n > prev);
            prev = n;
            seen++;
        }
        done(&got);
        free(it);
    }
    assert_int_equal(seen, 60);
    done(&put);
    delete_stream("many");
}

static void test_explicit_hash_key(void **state)
{
    (void)state;
    create_stream("ehk", 2);
    result r = run(op_put_record, "{\"StreamName\":\"ehk\",\"Data\":\"x\",\"PartitionKey\":\"k\","
                                  "\"ExplicitHashKey\":\"" MAX_HASH "\"}");
    assert_string_equal(str(r.out, "ShardId"), "shardId-000000000001");
    done(&r);
    r = run(op_put_record, "{\"StreamName\":\"ehk\",\"Data\":\"x\",\"PartitionKey\":\"k\","
                           "\"ExplicitHashKey\":\"0\"}");
    assert_string_equal(str(r.out, "ShardId"), "shardId-000000000000");
    done(&r);
    assert_error(run(op_put_records, "{\"StreamName\":\"ehk\",\"Records\":[{\"Data\":\"x\","
                                     "\"PartitionKey\":\"k\",\"ExplicitHashKey\":"
                                     "\"340282366920938463463374607431768211456\"}]}"),
                 "InvalidArgumentException",
                 "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
                 "Specified value was 340282366920938463463374607431768211456");
    delete_stream("ehk");
}

/* A record of `size` bytes of data. */
static char *big_data(size_t size)
{
    char *d = malloc(size + 1);
    memset(d, 'a', size);
    d[size] = '\0';
    return d;
}

static void test_size_limits(void **state)
{
    (void)state;
    create_stream("big", 1);
    char *d = big_data(MIB);
    assert_error(run(op_put_record,
                     "{\"StreamName\":\"big\",\"Data\":\"%s\",\"PartitionKey\":"
                     "\"k\"}",
                     d),
                 "ValidationException",
                 "1 validation error detected: Value at 'data' failed to satisfy constraint: "
                 "Member must have length less than or equal to 1048576");
    d[MIB - 1] = '\0'; /* with the one-byte key: exactly the default limit */
    result r = run(op_put_record,
                   "{\"StreamName\":\"big\",\"Data\":\"%s\",\"PartitionKey\":"
                   "\"k\"}",
                   d);
    assert_non_null(r.out);
    done(&r);

    /* six records of 900 KiB: each fits, together they exceed 5 MiB */
    d[900 * 1024] = '\0';
    kbuf input = KBUF_INIT;
    kbuf_puts(&input, "{\"StreamName\":\"big\",\"Records\":[");
    for (int i = 0; i < 6; i++)
        kbuf_printf(&input, "%s{\"Data\":\"%s\",\"PartitionKey\":\"k\"}", i ? "," : "", d);
    kbuf_puts(&input, "]}");
    assert_error(run(op_put_records, "%s", input.data), "InvalidArgumentException",
                 "Records size exceeds 5 MB limit");
    kbuf_free(&input);
    free(d);
    delete_stream("big");
}

/* A stream with MaxRecordSizeInKiB 2048 takes records up to 2 MiB. */
static void test_stream_record_size(void **state)
{
    (void)state;
    create_stream_sized("bigger", 1, 2048);
    char *d = big_data(2 * MIB - 1);
    result r = run(op_put_records,
                   "{\"StreamName\":\"bigger\",\"Records\":[{\"Data\":\"%s\",\"PartitionKey\":"
                   "\"k\"}]}",
                   d);
    assert_non_null(r.out);
    done(&r);
    assert_error(run(op_put_records,
                     "{\"StreamName\":\"bigger\",\"Records\":[{\"Data\":\"x\",\"PartitionKey\":"
                     "\"k\"},{\"Data\":\"%s\",\"PartitionKey\":\"kk\"}]}",
                     d),
                 "ValidationException",
                 "1 validation error detected: Value at 'records.2.member.data' failed to satisfy "
                 "constraint: Member must have length less than or equal to 2097152");
    free(d);
    delete_stream("bigger");
}

static void test_stream_state(void **state)
{
    (void)state;
    assert_error(run(op_put_record, "{\"StreamName\":\"nope\",\"Data\":\"x\",\"PartitionKey\":"
                                    "\"k\"}"),
                 "ResourceNotFoundException", "Stream nope under account 000000000000 not found.");
    stream *s = create_stream("creating", 1);
    s->status = STREAM_CREATING; /* the test is the only thread */
    assert_error(run(op_put_records, "{\"StreamName\":\"creating\",\"Records\":[{\"Data\":\"x\","
                                     "\"PartitionKey\":\"k\"}]}"),
                 "ResourceNotFoundException",
                 "Stream creating under account 000000000000 not found.");
    s->status = STREAM_UPDATING;
    result r = run(op_put_record, "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:000000000000:"
                                  "stream/creating\",\"Data\":\"x\",\"PartitionKey\":\"k\"}");
    assert_non_null(r.out);
    done(&r);
    delete_stream("creating");
}

static void test_iterator_types(void **state)
{
    (void)state;
    create_stream("types", 1);
    const char *shard = "shardId-000000000000";
    char seqs[3][SEQNO_LEN + 1];
    int64_t arrival[3];
    for (int i = 0; i < 3; i++) {
        fake_now = 1764140000000LL + i * 1000;
        result r = run(op_put_record,
                       "{\"StreamName\":\"types\",\"Data\":\"r%d\","
                       "\"PartitionKey\":\"k\"}",
                       i);
        strcpy(seqs[i], str(r.out, "SequenceNumber"));
        arrival[i] = fake_now;
        done(&r);
    }
    fake_now = 0;
    char extra[256];
    const struct {
        const char *type;
        int seq; /* -1: none */
        int first_record;
    } cases[] = {
        {"AT_SEQUENCE_NUMBER", 1, 1},    {"AFTER_SEQUENCE_NUMBER", 1, 2},
        {"AFTER_SEQUENCE_NUMBER", 2, 3}, {"LATEST", -1, 3},
        {"TRIM_HORIZON", -1, 0},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        if (cases[c].seq >= 0)
            snprintf(extra, sizeof(extra),
                     "\"ShardIteratorType\":\"%s\",\"StartingSequenceNumber\":\"%s\"",
                     cases[c].type, seqs[cases[c].seq]);
        else
            snprintf(extra, sizeof(extra), "\"ShardIteratorType\":\"%s\"", cases[c].type);
        char *it = iterator("types", shard, extra);
        result got = get_records(it, 0);
        json_object *recs = records_of(got);
        assert_int_equal(json_object_array_length(recs), 3 - cases[c].first_record);
        if (cases[c].first_record < 3)
            assert_string_equal(str(json_object_array_get_idx(recs, 0), "SequenceNumber"),
                                seqs[cases[c].first_record]);
        done(&got);
        free(it);
    }

    /* AT_TIMESTAMP: the first record that arrived at or after the time */
    snprintf(extra, sizeof(extra), "\"ShardIteratorType\":\"AT_TIMESTAMP\",\"Timestamp\":%lld",
             (long long)arrival[1] - 500);
    char *it = iterator("types", shard, extra);
    result got = get_records(it, 1);
    json_object *recs = records_of(got);
    assert_int_equal(json_object_array_length(recs), 1);
    assert_string_equal(str(json_object_array_get_idx(recs, 0), "SequenceNumber"), seqs[1]);
    assert_true(json_object_get_int64(member(got.out, "MillisBehindLatest")) > 0); /* Limit 1 */
    done(&got);
    free(it);
    delete_stream("types");
}

static void test_iterator_errors(void **state)
{
    (void)state;
    create_stream("errs", 2);
    const char *base = "{\"StreamName\":\"errs\",\"ShardId\":\"shardId-000000000001\",";
    char seq0[SEQNO_LEN + 1];
    result r = run(op_put_record, "{\"StreamName\":\"errs\",\"Data\":\"x\",\"PartitionKey\":\"k\","
                                  "\"ExplicitHashKey\":\"0\"}");
    strcpy(seq0, str(r.out, "SequenceNumber"));
    done(&r);

    assert_error(run(op_get_shard_iterator, "{\"StreamName\":\"errs\",\"ShardId\":"
                                            "\"shardId-000000000009\",\"ShardIteratorType\":"
                                            "\"LATEST\"}"),
                 "ResourceNotFoundException",
                 "Shard shardId-000000000009 in stream errs under account 000000000000 does not "
                 "exist");
    assert_error(
        run(op_get_shard_iterator, "%s\"ShardIteratorType\":\"AT_SEQUENCE_NUMBER\"}", base),
        "InvalidArgumentException",
        "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
        "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
        "StartingSequenceNumber. Request specified AT_SEQUENCE_NUMBER and no "
        "StartingSequenceNumber.");
    assert_error(run(op_get_shard_iterator,
                     "%s\"ShardIteratorType\":\"LATEST\",\"StartingSequenceNumber\":\"%s\"}", base,
                     seq0),
                 "InvalidArgumentException",
                 "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
                 "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                 "StartingSequenceNumber. Request specified LATEST and also a "
                 "StartingSequenceNumber.");
    assert_error(run(op_get_shard_iterator,
                     "%s\"ShardIteratorType\":\"AT_SEQUENCE_NUMBER\",\"StartingSequenceNumber\":"
                     "\"%s\"}",
                     base, seq0),
                 "InvalidArgumentException",
                 "Invalid StartingSequenceNumber. It encodes shardId-000000000000, while it was "
                 "used in a call to a shard with shardId-000000000001");
    assert_error(run(op_get_shard_iterator,
                     "%s\"ShardIteratorType\":\"AT_SEQUENCE_NUMBER\",\"StartingSequenceNumber\":"
                     "\"12345\"}",
                     base),
                 "InvalidArgumentException",
                 "StartingSequenceNumber 12345 used in GetShardIterator on shard "
                 "shardId-000000000001 in stream errs under account 000000000000 is invalid.");
    char foreign[SEQNO_LEN + 1];
    seqno_format(42, 1, 0, foreign);
    r = run(op_get_shard_iterator,
            "%s\"ShardIteratorType\":\"AT_SEQUENCE_NUMBER\",\"StartingSequenceNumber\":\"%s\"}",
            base, foreign);
    assert_string_equal(r.err.type, "InvalidArgumentException");
    assert_non_null(strstr(r.err.message.data, "is invalid because it did not come from this "
                                               "stream."));
    done(&r);
    assert_error(run(op_get_shard_iterator, "%s\"ShardIteratorType\":\"AT_TIMESTAMP\"}", base),
                 "InvalidArgumentException",
                 "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
                 "Current request has no timestamp parameter.");
    fake_now = 1000000;
    assert_error(run(op_get_shard_iterator,
                     "%s\"ShardIteratorType\":\"AT_TIMESTAMP\",\"Timestamp\":2000000}", base),
                 "InvalidArgumentException",
                 "The timestampInMillis parameter cannot be greater than the "
                 "currentTimestampInMillis. timestampInMillis: 2000000, currentTimestampInMillis: "
                 "1000000");
    fake_now = 0;
    delete_stream("errs");
}

static void test_get_records_errors(void **state)
{
    (void)state;
    create_stream("gone", 1);
    char *it = iterator("gone", "shardId-000000000000", "\"ShardIteratorType\":\"LATEST\"");

    fake_now = clock_now_ms() + ITERATOR_TTL_MS + 1000;
    result r = get_records(it, 0);
    assert_string_equal(r.err.type, "ExpiredIteratorException");
    done(&r);
    fake_now = 0;

    char *bad = strdup(it);
    bad[10] = bad[10] == 'A' ? 'B' : 'A';
    assert_error(get_records(bad, 0), "InvalidArgumentException", "Invalid ShardIterator.");
    free(bad);

    /* an iterator only works for the stream it was issued for */
    assert_error(run(op_get_records,
                     "{\"ShardIterator\":\"%s\",\"StreamARN\":\"arn:aws:kinesis:us-east-1:"
                     "000000000000:stream/other\"}",
                     it),
                 "InvalidArgumentException",
                 "StreamARN arn:aws:kinesis:us-east-1:000000000000:stream/other does not match the "
                 "stream of the shard iterator (arn:aws:kinesis:us-east-1:000000000000:stream/"
                 "gone).");
    result ok = run(op_get_records,
                    "{\"ShardIterator\":\"%s\",\"StreamARN\":\"arn:aws:kinesis:us-east-1:"
                    "000000000000:stream/gone\"}",
                    it);
    assert_non_null(ok.out);
    done(&ok);

    /* re-created under the same name: the old iterator names a stream that is gone */
    delete_stream("gone");
    create_stream("gone", 1);
    assert_error(get_records(it, 0), "ResourceNotFoundException",
                 "Shard shardId-000000000000 in stream gone under account 000000000000 does not "
                 "exist");
    free(it);
    delete_stream("gone");
}

static void test_closed_shard_and_children(void **state)
{
    (void)state;
    stream *s = create_stream("split", 1);
    result r = run(op_put_record, "{\"StreamName\":\"split\",\"Data\":\"p\",\"PartitionKey\":"
                                  "\"k\"}");
    char parent_seq[SEQNO_LEN + 1];
    strcpy(parent_seq, str(r.out, "SequenceNumber"));
    done(&r);
    char *it = iterator("split", "shardId-000000000000", "\"ShardIteratorType\":\"TRIM_HORIZON\"");

    reshard rs;
    reshard_begin(&rs, s);
    assert_true(reshard_split(&rs, reshard_shard(&rs, 0), U128_MAX / 2 + 1, clock_now_ms()));
    assert_int_equal(reshard_commit(&rs, clock_now_ms()), 0);

    r = run(op_put_record, "{\"StreamName\":\"split\",\"Data\":\"c\",\"PartitionKey\":\"k\"}");
    assert_true(strcmp(str(r.out, "SequenceNumber"), parent_seq) > 0); /* child after parent */
    assert_string_not_equal(str(r.out, "ShardId"), "shardId-000000000000");
    done(&r);

    result got = get_records(it, 0);
    assert_int_equal(json_object_array_length(records_of(got)), 1);
    assert_null(member(got.out, "NextShardIterator"));
    json_object *children = member(got.out, "ChildShards");
    assert_non_null(children);
    assert_int_equal(json_object_array_length(children), 2);
    json_object *c1 = json_object_array_get_idx(children, 1);
    assert_string_equal(str(c1, "ShardId"), "shardId-000000000002");
    json_object *parents = member(c1, "ParentShards");
    assert_int_equal(json_object_array_length(parents), 1);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(parents, 0)),
                        "shardId-000000000000");
    json_object *range = member(c1, "HashKeyRange");
    assert_string_equal(str(range, "StartingHashKey"), "170141183460469231731687303715884105728");
    assert_string_equal(str(range, "EndingHashKey"), MAX_HASH);
    done(&got);
    free(it);
    delete_stream("split");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_then_get),
        cmocka_unit_test(test_put_records_order_and_routing),
        cmocka_unit_test(test_explicit_hash_key),
        cmocka_unit_test(test_size_limits),
        cmocka_unit_test(test_stream_record_size),
        cmocka_unit_test(test_stream_state),
        cmocka_unit_test(test_iterator_types),
        cmocka_unit_test(test_iterator_errors),
        cmocka_unit_test(test_get_records_errors),
        cmocka_unit_test(test_closed_shard_and_children),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
