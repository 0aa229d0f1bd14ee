/* schema_loop.c - the schema-validate figure: a draft-07 schema of an activity event (an enum
 * discriminator, required fields, patterns, formats asserted, a $ref'd definition, a nested
 * workflow context, additionalProperties false) compiled once, then a 1 KB event validated
 * --records times on one thread (no server involved). Every validation must say valid. */
#include <stdio.h>
#include <string.h>

#include "bench_libkines.h"
#include "common/clock.h"
#include "kines/schema.h"

static const char event_schema[] =
    "{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"type\": \"object\","
    " \"required\": [\"kind\", \"messageId\", \"experienceId\", \"timestamp\", \"payload\","
    "  \"customContext\"],"
    " \"additionalProperties\": false,"
    " \"definitions\": {\"id\": {\"type\": \"string\", \"pattern\": \"^[0-9a-f-]{36}$\"}},"
    " \"properties\": {"
    "  \"kind\": {\"enum\": [\"queued\", \"validation-failed\", \"sent-to-gateway\","
    "   \"rejected-by-gateway\", \"delivered\", \"bounced\", \"opened\"]},"
    "  \"messageId\": {\"$ref\": \"#/definitions/id\"},"
    "  \"experienceId\": {\"$ref\": \"#/definitions/id\"},"
    "  \"parentMessageId\": {\"$ref\": \"#/definitions/id\"},"
    "  \"timestamp\": {\"type\": \"string\", \"format\": \"date-time\"},"
    "  \"payload\": {\"type\": \"object\", \"required\": [\"kind\", \"sender\", \"recipient\","
    "   \"body\"], \"properties\": {\"kind\": {\"enum\": [\"email\", \"sms\"]},"
    "   \"sender\": {\"type\": \"string\", \"format\": \"email\"},"
    "   \"recipient\": {\"type\": \"string\", \"format\": \"email\"},"
    "   \"subject\": {\"type\": \"string\", \"maxLength\": 200},"
    "   \"body\": {\"type\": \"string\", \"maxLength\": 10000},"
    "   \"replyTo\": {\"type\": \"string\"}}, \"additionalProperties\": false},"
    "  \"errors\": {\"type\": \"array\", \"items\": {\"type\": \"object\", \"required\":"
    "   [\"errorMessage\"], \"properties\": {\"errorMessage\": {\"type\": \"string\"},"
    "   \"errorCode\": {\"type\": \"string\"}}}},"
    "  \"workflowContext\": {\"type\": \"object\", \"properties\": {"
    "   \"experienceContext\": {\"type\": \"object\", \"required\": [\"experienceId\"]},"
    "   \"flowContext\": {\"type\": \"object\", \"required\": [\"flowId\", \"flowName\"],"
    "    \"properties\": {\"flowId\": {\"type\": \"string\"}, \"flowName\": {\"type\": \"string\"},"
    "    \"flowVersion\": {\"type\": \"integer\", \"minimum\": 1}}},"
    "   \"nodeContext\": {\"type\": \"object\", \"properties\": {\"nodename\": {\"type\": "
    "    \"string\"}}}}},"
    "  \"customContext\": {\"type\": \"object\"}}}";

static const char event[] =
    "{\"kind\": \"delivered\", \"messageId\": \"5f0c6a4e-2b1d-4c8e-9f3a-7d6e5c4b3a21\","
    " \"experienceId\": \"0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b\","
    " \"parentMessageId\": \"1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d\","
    " \"timestamp\": \"2026-11-26T07:00:00.123Z\","
    " \"payload\": {\"kind\": \"email\", \"sender\": \"notifications@example.com\","
    "  \"recipient\": \"jane.doe@example.org\", \"subject\": \"Your order has shipped\","
    "  \"body\": \"Hello Jane, your order 12345 has shipped and should arrive within three"
    " business days. Track it from your account page. Thank you for shopping with us; reply to"
    " this message if anything is not as expected.\", \"replyTo\": \"support@example.com\"},"
    " \"errors\": [],"
    " \"workflowContext\": {\"experienceContext\": {\"experienceId\":"
    "  \"0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b\"}, \"flowContext\": {\"flowId\": \"flow-17\","
    "  \"flowName\": \"order-shipped\", \"flowVersion\": 3}, \"nodeContext\": {\"nodename\":"
    "  \"send-email\"}},"
    " \"customContext\": {\"tenant\": \"acme\", \"region\": \"eu-west-1\", \"campaign\":"
    "  \"autumn-2026\", \"orderId\": 12345, \"items\": [\"sku-1\", \"sku-2\", \"sku-3\"],"
    "  \"priority\": \"normal\", \"locale\": \"en-GB\"}}";

int schema_loop(long records, long max_seconds, loop_result *out)
{
    kines_schema_options o = {.assert_format = true};
    kines_error err;
    kines_schema *s = kines_schema_compile(event_schema, strlen(event_schema), &o, &err);
    if (!s) {
        fprintf(stderr, "kinesd-bench-libkines: %s\n", err.message);
        return -1;
    }
    int64_t start = clock_mono_ns(), deadline = start + max_seconds * 1000000000LL;
    for (long i = 0; i < records && (i % 1024 || clock_mono_ns() < deadline); i++) {
        if (kines_schema_validate(s, event, sizeof event - 1, NULL))
            out->written++;
        else
            out->failed++;
    }
    out->seconds = (double)(clock_mono_ns() - start) / 1e9;
    kines_schema_free(s);
    return 0;
}

size_t schema_event_bytes(void)
{
    return sizeof event - 1;
}
