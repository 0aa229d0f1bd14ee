/* test_proto_json_stream.c - the streaming JSON reader held against the json-c reader: on the
 * fuzz seed corpus (one body per operation of every model) and on the bad and odd bodies of the
 * bad-input tests, decode_json accepts and refuses exactly what the json-c reader alone does,
 * with byte-identical error texts, and where the streaming reader takes a body its tree equals
 * json-c's. The bodies clients send (boto3's escapes, nulls, unknown members) are taken by the
 * streaming reader, not handed to json-c. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/buf.h"
#include "proto_fixture.h"
#include "protocol/decode_json_stream.h"

#define CORPUS_DIR TEST_DATA_DIR "/../fuzz/corpus/fuzz_proto_json"

/* Bodies beside the corpus: what test_bad_input.py sends, and forms at the edges of what the
 * streaming reader takes. Each is "Operation\nbody". */
static const char *const odd_bodies[] = {
    "PutRecord\n{\"StreamName\": \"target\", \"PartitionKey\": \"a\", \"Data\": \"",
    "PutRecord\n{\"StreamName\": \"target\"} trailing",
    "PutRecord\n\xff\xfe{}",
    "PutRecord\n{\"StreamName\": \"t\", \"PartitionKey\": \"\xf6\xac\x8b\x92\", \"Data\": \"\"}",
    "PutRecord\n{\"StreamName\": \"t\", \"PartitionKey\": \"\xc0\xaf\", \"Data\": \"\"}",
    "PutRecord\n{\"StreamName\": \"t\", \"PartitionKey\": \"\xed\xa0\x80\", \"Data\": \"\"}",
    "PutRecord\n\"just a string\"",
    "PutRecord\n[]",
    "PutRecord\n42",
    "PutRecord\nnull",
    "PutRecord\n   ",
    "CreateStream\n{\"StreamName\": \"half\", \"ShardCount\": 1",
    "CreateStream\n{\"StreamName\": true, \"ShardCount\": 1}",
    "CreateStream\n{\"StreamName\": 23, \"ShardCount\": 1}",
    "CreateStream\n{\"StreamName\": -2147483648, \"ShardCount\": 1}",
    "CreateStream\n{\"StreamName\": 34.56, \"ShardCount\": 1}",
    "CreateStream\n{\"StreamName\": [], \"ShardCount\": 1}",
    "CreateStream\n{\"StreamName\": {}, \"ShardCount\": 1}",
    "CreateStream\n{\"StreamName\": \"typed\", \"ShardCount\": \"23\"}",
    "CreateStream\n{\"StreamName\": \"typed\", \"ShardCount\": true}",
    "CreateStream\n{\"StreamName\": \"typed\", \"ShardCount\": 99999999999999999999}",
    "CreateStream\n{\"StreamName\": \"typed\", \"ShardCount\": 999999999999999999}",
    "CreateStream\n{\"StreamName\": \"typed\", \"ShardCount\": -0}",
    "CreateStream\n{\"StreamName\": \"typed\", \"ShardCount\": 01}",
    "CreateStream\n{\"StreamName\": \"typed\", \"ShardCount\": 1e2}",
    "CreateStream\n{\"StreamName\": \"typed\", \"ShardCount\": 2.5}",
    "CreateStream\n{\"StreamName\": \"a\", \"StreamName\": \"b\"}",
    "CreateStream\n{\"StreamName\": null, \"StreamName\": \"b\"}",
    "CreateStream\n{\"StreamName\": \"a\", \"StreamName\": null}",
    "CreateStream\n{\"StreamName\": \"a\",}",
    "CreateStream\n{\"StreamName\": \"a\" \"ShardCount\": 1}",
    "CreateStream\n{\"Stream\\u004eame\": \"escaped key\"}",
    "CreateStream\n{\"StreamName\": \"tab\tinside\"}",
    "CreateStream\n{\"StreamName\": \"del\x7finside\"}",
    "CreateStream\n{\"StreamName\": \"nul\\u0000inside\"}",
    "CreateStream\n{\"StreamName\": \"pair\\ud83d\\ude00\"}",
    "CreateStream\n{\"StreamName\": \"lone\\ud83d\"}",
    "CreateStream\n{\"StreamName\": \"bad\\x\"}",
    "CreateStream\n{\"StreamName\": \"short\\u12\"}",
    "CreateStream\n{\"StreamName\": \"s\\u00e9\\n\\t\\/\\\"\\\\\\b\\f\\r\\uFFFF\\u0800\"}",
    "CreateStream\n{\"StreamName\": \"x\", \"Bogus\": [1, {\"a\": [true, false, null]}, \"\\n\"]}",
    "CreateStream\n{\"StreamName\": \"x\", \"Bogus\": [1.5]}",
    "CreateStream\n{\"StreamName\": \"x\", \"Bogus\": NaN}",
    "CreateStream\n{\"StreamName\": \"x\", \"Bogus\": tru}",
    "CreateStream\n{\"StreamName\": \"x\", \"StreamModeDetails\": null}",
    "CreateStream\n{\"StreamName\": \"x\", \"StreamModeDetails\": {\"StreamMode\": \"ON_DEMAND\"}}",
    "CreateStream\n\xef\xbb\xbf{\"StreamName\": \"bom\"}",
    "CreateStream\n{\"StreamName\": \"x\"}\x0c",
    "CreateStream\n\x0b{\"StreamName\": \"x\"}",
    "PutRecords\n{\"StreamName\": \"t\", \"Records\": true}",
    "PutRecords\n{\"StreamName\": \"t\", \"Records\": \"23\"}",
    "PutRecords\n{\"StreamName\": \"t\", \"Records\": {}}",
    "PutRecords\n{\"StreamName\": \"t\", \"Records\": [23]}",
    "PutRecords\n{\"StreamName\": \"t\", \"Records\": [[]]}",
    "PutRecords\n{\"StreamName\": \"t\", \"Records\": [null, {\"Data\": \"AAAA\"}]}",
    "PutRecords\n{\"StreamName\": \"t\", \"Records\": [{\"Data\": \"AAAA\", \"PartitionKey\": "
    "\"a\"},]}",
    "PutRecords\n{\"StreamName\": \"t\", \"Records\": [{\"Data\": \"AA\\/A\", \"PartitionKey\": "
    "\"\\u00e9\"}]}",
    "PutRecord\n{\"StreamName\": \"t\", \"PartitionKey\": \"a\", \"Data\": 23}",
    "PutRecord\n{\"StreamName\": \"t\", \"PartitionKey\": \"a\", \"Data\": \"23456\"}",
    "PutRecord\n{\"StreamName\": \"t\", \"PartitionKey\": \"a\", \"Data\": \"=+/=\"}",
    "PutRecord\n{\"StreamName\": \"t\", \"PartitionKey\": \"a\", \"Data\": \"ab!d\"}",
    "PutRecord\n{\"StreamName\": \"t\", \"PartitionKey\": \"a\", \"Data\": \"+/+=\"}",
    "PutRecord\n{\"StreamName\": \"t\", \"PartitionKey\": \"a\", \"Data\": \"\\u00e9AAA\"}",
    "GetRecords\n{\"ShardIterator\": \"x\", \"Limit\": \"10\"}",
    "GetRecords\n{\"ShardIterator\": \"x\", \"Limit\": 10000000000}",
    "GetShardIterator\n{\"StreamName\": \"s\", \"ShardId\": \"0\", \"ShardIteratorType\": "
    "\"AT_TIMESTAMP\", \"Timestamp\": 1700000000}",
    "GetShardIterator\n{\"StreamName\": \"s\", \"ShardId\": \"0\", \"ShardIteratorType\": "
    "\"AT_TIMESTAMP\", \"Timestamp\": 100000000001}",
    "GetShardIterator\n{\"StreamName\": \"s\", \"ShardId\": \"0\", \"ShardIteratorType\": "
    "\"AT_TIMESTAMP\", \"Timestamp\": 1700000000.25}",
    "AddTagsToStream\n{\"StreamName\": \"s\", \"Tags\": {\"a\": \"1\", \"b\\u00e9\": \"2\"}}",
    "AddTagsToStream\n{\"StreamName\": \"s\", \"Tags\": {\"a\": \"1\", \"a\": \"2\"}}",
    "AddTagsToStream\n{\"StreamName\": \"s\", \"Tags\": {\"a\": null}}",
    "AddTagsToStream\n{\"StreamName\": \"s\", \"Tags\": {}}",
    "AddTagsToStream\n{\"StreamName\": \"s\", \"Tags\": []}",
    "EnableEnhancedMonitoring\n{\"StreamName\": \"s\", \"ShardLevelMetrics\": [\"ALL\", null]}",
    "UpdateShardCount\n{\"StreamName\": \"s\", \"TargetShardCount\": 2, \"ScalingType\": "
    "\"UNIFORM_SCALING\"}",
    "ListStreams\n{\"Limit\": 5, \"ExclusiveStartStreamName\": \"a\"}",
    "sqs/ReceiveMessage\n{\"QueueUrl\": \"q\", \"WaitTimeSeconds\": 0}",
    "sqs/SetQueueAttributes\n{\"QueueUrl\": \"q\", \"Attributes\": {\"DelaySeconds\": \"5\"}}",
    "sqs/SendMessage\n{\"QueueUrl\": \"q\", \"MessageBody\": \"b\", \"MessageAttributes\": "
    "{\"k\": {\"DataType\": \"Binary\", \"BinaryValue\": \"AAAA\"}}}",
};

/* Bodies clients send that the streaming reader itself must take. */
static const char *const taken_bodies[] = {
    "PutRecords\n{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"aGVsbG8=\",\"PartitionKey\":"
    "\"k\\u00e9\\\"\"},{\"Data\":\"\",\"PartitionKey\":\"k2\",\"ExplicitHashKey\":\"1\"}]}",
    "PutRecord\n{\"StreamName\": \"s\", \"Data\": \"AA\\/A\", \"PartitionKey\": \"k\", "
    "\"Unknown\": {\"x\": [1, -2, true, null]}}",
    "CreateStream\n { \"StreamName\" : \"s\" , \"ShardCount\" : 3 , \"StreamModeDetails\" : null }"
    " \r\n",
    "GetRecords\n{\"ShardIterator\":\"AAAA\",\"Limit\":10000}",
    "AddTagsToStream\n{\"StreamName\": \"s\", \"Tags\": {\"a\": \"1\", \"b\": \"\"}}",
    "EnableEnhancedMonitoring\n{\"StreamName\": \"s\", \"ShardLevelMetrics\": [\"ALL\"]}",
};

/* The operation "Name" (Kinesis) or "service/Name" names (as the fuzz inputs do). */
static const model_op *find_op(const char *name, size_t len)
{
    const char *slash = memchr(name, '/', len);
    char op[128];
    if (!slash) {
        snprintf(op, sizeof op, "%.*s", (int)len, name);
        return model_find_op(model_get(MODEL_KINESIS), op);
    }
    snprintf(op, sizeof op, "%.*s", (int)(len - (size_t)(slash + 1 - name)), slash + 1);
    for (int id = 0; id < MODEL_COUNT; id++) {
        const service_model *m = model_get((model_id)id);
        const char *service = model_signing_name(m);
        if (service && strlen(service) == (size_t)(slash - name) &&
            strncmp(service, name, (size_t)(slash - name)) == 0)
            return model_find_op(m, op);
    }
    return NULL;
}

static const model_shape *input_shape(const model_op *op)
{
    static const model_shape no_input = {.name = "", .type = SHAPE_STRUCTURE};
    return model_op_input(op) ? model_op_input(op) : &no_input;
}

/* Runs "Operation\nbody" through decode_json and through the json-c reader alone, and checks
 * that they agree; returns whether the streaming reader took it (-1: no such operation). */
static int compare_readers(const char *input, size_t size)
{
    const char *newline = memchr(input, '\n', size);
    assert_non_null(newline);
    const model_op *op = find_op(input, (size_t)(newline - input));
    if (!op)
        return -1;
    const char *body = newline + 1;
    size_t len = size - (size_t)(body - input);
    arena a;
    arena_init(&a);
    aws_error both, dom_only;
    aws_error_init(&both);
    aws_error_init(&dom_only);
    kval *got = decode_json(op, body, len, &a, &both);
    kval *want = decode_json_dom(input_shape(op), body, len, &a, &dom_only);
    kval *streamed = len ? decode_json_stream(input_shape(op), body, len, &a) : NULL;
    if ((got == NULL) != (want == NULL))
        fail_msg("accept/refuse differs on %.*s", (int)size, input);
    if (want && !kv_equal(got, want))
        fail_msg("trees differ on %.*s", (int)size, input);
    if (streamed && !(want && kv_equal(streamed, want)))
        fail_msg("the streaming reader took %.*s differently", (int)size, input);
    assert_int_equal(both.status, dom_only.status);
    if (both.status)
        assert_string_equal(both.type, dom_only.type);
    assert_int_equal(both.message.len, dom_only.message.len);
    if (both.message.len)
        assert_memory_equal(both.message.data, dom_only.message.data, both.message.len);
    aws_error_free(&both);
    aws_error_free(&dom_only);
    arena_free(&a);
    return streamed != NULL;
}

static void agrees_with_json_c_on_the_seed_corpus(void **state)
{
    (void)state;
    DIR *dir = opendir(CORPUS_DIR);
    assert_non_null(dir);
    int compared = 0, taken = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, e->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        kbuf input = KBUF_INIT;
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
            kbuf_append(&input, chunk, n);
        fclose(f);
        int took =
            memchr(input.data, '\n', input.len) ? compare_readers(input.data, input.len) : -1;
        compared += took >= 0;
        taken += took > 0;
        kbuf_free(&input);
    }
    closedir(dir);
    printf("seed corpus: %d bodies compared, %d taken by the streaming reader\n", compared, taken);
    assert_true(compared > 100);
    assert_true(taken > compared / 2);
}

static void agrees_with_json_c_on_bad_and_odd_bodies(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof odd_bodies / sizeof odd_bodies[0]; i++)
        assert_int_not_equal(compare_readers(odd_bodies[i], strlen(odd_bodies[i])), -1);
}

static void takes_what_clients_send(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof taken_bodies / sizeof taken_bodies[0]; i++)
        if (compare_readers(taken_bodies[i], strlen(taken_bodies[i])) != 1)
            fail_msg("not taken by the streaming reader: %s", taken_bodies[i]);
}

/* Nesting past the streaming reader's depth goes to json-c, which decides. */
static void leaves_deep_nesting_to_json_c(void **state)
{
    (void)state;
    kbuf input = KBUF_INIT;
    for (int depth = JSON_STREAM_MAX_DEPTH - 2; depth < 70; depth += 4) {
        kbuf_reset(&input);
        kbuf_puts(&input, "CreateStream\n{\"StreamName\":\"s\",\"Bogus\":");
        for (int i = 0; i < depth; i++)
            kbuf_putc(&input, '[');
        for (int i = 0; i < depth; i++)
            kbuf_putc(&input, ']');
        kbuf_putc(&input, '}');
        int took = compare_readers(input.data, input.len);
        assert_int_equal(took, depth < JSON_STREAM_MAX_DEPTH);
    }
    kbuf_free(&input);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(agrees_with_json_c_on_the_seed_corpus),
        cmocka_unit_test(agrees_with_json_c_on_bad_and_odd_bodies),
        cmocka_unit_test(takes_what_clients_send),
        cmocka_unit_test(leaves_deep_nesting_to_json_c),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
