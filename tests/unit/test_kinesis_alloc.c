/* test_kinesis_alloc.c - no heap allocation per record on the PutRecords and GetRecords paths: a
 * counting allocator (this executable's malloc, calloc and realloc, counting the calls made on
 * the test's own thread, then handing them to glibc) around the path below HTTP - the JSON body
 * decoded and validated against the model, the handler run (routing, the shard log append, the
 * answer written) - for requests of 50 and of 500 records, PutRecords also in CBOR 1.1 (as the
 * Java SDK sends it: indefinite maps and list, byte strings). What the larger request allocates
 * beyond the smaller one grows with the logarithm of its size (arena blocks and answer buffers
 * that double), not with its records. Skipped under AddressSanitizer, which owns malloc there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/clock.h"
#include "core/config.h"
#include "kinesis/iterator.h"
#include "kinesis/kinesis.h"
#include "kinesis/ops.h"
#include "kinesis/registry_edit.h"
#include "records_fixture.h"
#include "protocol/decode.h"
#include "protocol/encoder.h"
#include "protocol/validate.h"

#define ACCOUNT "000000000000"
#define REGION "us-east-1"
#define SMALL 50
#define LARGE 500
/* Allocations the 450 more records may add: log-growth of buffers only. */
#define MAX_EXTRA_ALLOCATIONS 24

#ifndef __SANITIZE_ADDRESS__
static _Thread_local long allocations; /* malloc, calloc and realloc calls of this thread */

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t count, size_t n);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);

void *malloc(size_t n)
{
    allocations++;
    return __libc_malloc(n);
}

void *calloc(size_t count, size_t n)
{
    allocations++;
    return __libc_calloc(count, n);
}

void *realloc(void *p, size_t n)
{
    allocations++;
    return __libc_realloc(p, n);
}

void free(void *p)
{
    __libc_free(p);
}
#endif

/* The allocations this thread made so far (0 under AddressSanitizer: not counted). */
static long allocations_so_far(void)
{
#ifdef __SANITIZE_ADDRESS__
    return 0;
#else
    return allocations;
#endif
}

/* Runs one operation as the dispatcher does below HTTP (decode, validate, handler) with a body
 * and answer in `format` (JSON or CBOR), and returns how many allocations it made; the answer is
 * left in *answer. */
static long run_counted(const char *operation, enc_format format, const char *body, size_t len,
                        kbuf *answer)
{
    const model_op *op = model_find_op(model_get(MODEL_KINESIS), operation);
    kbuf_reset(answer);
    long before = allocations_so_far();
    arena a;
    arena_init(&a);
    aws_error err;
    aws_error_init(&err);
    kenc enc;
    enc_init(&enc, format, answer);
    kval *input = format == ENC_CBOR ? decode_cbor(op, body, len, &a, &err)
                                     : decode_json(op, body, len, &a, &err);
    assert_non_null(input);
    assert_true(validate_input(op, input, &err));
    op_call call = {.operation = operation,
                    .account = ACCOUNT,
                    .region = REGION,
                    .input = input,
                    .arena = &a,
                    .now_ms = clock_now_ms(),
                    .out = &enc,
                    .err = &err};
    const op_entry *entry = kinesis_find_op(operation);
    assert_non_null(entry);
    entry->handler(&call);
    if (err.status)
        fail_msg("%s: %s: %s", operation, err.type, err.message.data);
    arena_free(&a);
    aws_error_free(&err);
    long made = allocations_so_far() - before;
    for (int i = 0; i < 5000 && durable < call.commit_ticket; i++)
        usleep(1000);
    assert_true(durable >= call.commit_ticket);
    return made;
}

/* A PutRecords body of n records of 100 bytes, all for shard 0 (one partition key). */
static void put_records_body(kbuf *body, int n)
{
    kbuf_reset(body);
    kbuf_puts(body, "{\"StreamName\":\"alloc\",\"Records\":[");
    for (int i = 0; i < n; i++)
        kbuf_printf(body, "%s{\"Data\":\"%0136d\",\"PartitionKey\":\"key\"}", i ? "," : "", i);
    kbuf_puts(body, "]}");
}

/* The same records (102 bytes each) for `stream` in CBOR 1.1, through the encoder. */
static void put_records_cbor_body(kbuf *body, const char *stream, int n)
{
    char data[137];
    kenc e;
    kbuf_reset(body);
    enc_init(&e, ENC_CBOR, body);
    enc_map_begin(&e);
    enc_key(&e, "StreamName");
    enc_str(&e, stream);
    enc_key(&e, "Records");
    enc_list_begin(&e);
    for (int i = 0; i < n; i++) {
        snprintf(data, sizeof data, "%0102d", i);
        enc_map_begin(&e);
        enc_key(&e, "Data");
        enc_blob(&e, data, 102);
        enc_key(&e, "PartitionKey");
        enc_str(&e, "key");
        enc_map_end(&e);
    }
    enc_list_end(&e);
    enc_map_end(&e);
}

static long put_records_as(enc_format format, int n, kbuf *answer)
{
    kbuf body = KBUF_INIT;
    if (format == ENC_CBOR)
        put_records_cbor_body(&body, "alloc-cbor", n);
    else
        put_records_body(&body, n);
    long made = run_counted("PutRecords", format, body.data, body.len, answer);
    kbuf_free(&body);
    return made;
}

/* Creates the stream the test writes to; skips the test under AddressSanitizer. */
static void open_stream(const char *name)
{
#ifdef __SANITIZE_ADDRESS__
    skip();
#endif
    stream_request req = {.shard_count = 1};
    assert_non_null(registry_create_stream(ACCOUNT, REGION, name, &req, clock_now_ms()));
}

/* The allocations of a PutRecords of SMALL and of LARGE records in `format`, once what each
 * thread makes once is made; the LARGE answer is left in *answer. */
static void count_puts(enc_format format, kbuf *answer, long *small, long *large)
{
    put_records_as(format, LARGE, answer);
    put_records_as(format, SMALL, answer);
    *small = put_records_as(format, SMALL, answer);
    *large = put_records_as(format, LARGE, answer);
}

/* GetRecords of `limit` records from the start of shard 0. */
static long get_records(int limit, kbuf *answer)
{
    kbuf body = KBUF_INIT;
    kbuf_printf(&body, "{\"StreamName\":\"alloc\",\"ShardId\":\"shardId-000000000000\","
                       "\"ShardIteratorType\":\"TRIM_HORIZON\"}");
    run_counted("GetShardIterator", ENC_JSON, body.data, body.len, answer);
    const char *it = strstr(answer->data, "\"ShardIterator\":\"");
    assert_non_null(it);
    it += strlen("\"ShardIterator\":\"");
    kbuf_reset(&body);
    kbuf_printf(&body, "{\"ShardIterator\":\"%.*s\",\"Limit\":%d}", (int)strcspn(it, "\""), it,
                limit);
    long made = run_counted("GetRecords", ENC_JSON, body.data, body.len, answer);
    kbuf_free(&body);
    return made;
}

/* Occurrences of needle in the answer (a CBOR answer may hold NULs). */
static size_t count_of(const kbuf *answer, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = answer->data, *end = answer->data + answer->len;
         (p = memmem(p, (size_t)(end - p), needle, len)); p++)
        n++;
    return n;
}

static void no_allocation_per_record(void **state)
{
    (void)state;
    open_stream("alloc");
    kbuf answer = KBUF_INIT;
    long small_put, large_put;
    count_puts(ENC_JSON, &answer, &small_put, &large_put);
    assert_int_equal(count_of(&answer, "\"SequenceNumber\""), LARGE);
    get_records(LARGE, &answer);
    long small_get = get_records(SMALL, &answer), large_get = get_records(LARGE, &answer);
    assert_int_equal(count_of(&answer, "\"SequenceNumber\""), LARGE);
    printf("allocations: PutRecords %d records %ld, %d records %ld; GetRecords %d records %ld, "
           "%d records %ld\n",
           SMALL, small_put, LARGE, large_put, SMALL, small_get, LARGE, large_get);
    assert_true(large_put - small_put <= MAX_EXTRA_ALLOCATIONS);
    assert_true(large_get - small_get <= MAX_EXTRA_ALLOCATIONS);
    kbuf_free(&answer);
}

/* PutRecords in CBOR 1.1 (its own reader, the answer in CBOR): none per record either. */
static void no_allocation_per_cbor_record(void **state)
{
    (void)state;
    open_stream("alloc-cbor");
    kbuf answer = KBUF_INIT;
    long small_put, large_put;
    count_puts(ENC_CBOR, &answer, &small_put, &large_put);
    assert_int_equal(count_of(&answer, "\x6eSequenceNumber"), LARGE); /* text(14) key */
    printf("allocations: CBOR PutRecords %d records %ld, %d records %ld\n", SMALL, small_put, LARGE,
           large_put);
    assert_true(large_put - small_put <= MAX_EXTRA_ALLOCATIONS);
    kbuf_free(&answer);
}

static int setup(void **state)
{
    (void)state;
    return records_fixture_open("kinesd-alloc");
}

static int teardown(void **state)
{
    (void)state;
    int rc = records_fixture_close();
    model_unload();
    return rc;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_allocation_per_record),
        cmocka_unit_test(no_allocation_per_cbor_record),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
