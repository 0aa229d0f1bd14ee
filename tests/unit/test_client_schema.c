/* test_client_schema.c - kines_schema beyond the official suite (which ships drafts 4, 6 and 7
 * only): the 2019-09 and 2020-12 keywords, the errors a person reads, lengths in code points,
 * numbers, the regex dialect, formats, $ref across the files of a schema directory, compile
 * errors, hostile input, and one compiled schema shared by several threads. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "kines/schema.h"

static kines_schema *compile_with(const char *schema, const kines_schema_options *o)
{
    kines_error err;
    kines_schema *s = kines_schema_compile(schema, strlen(schema), o, &err);
    if (!s)
        print_error("compile failed: %s\n", err.message);
    assert_non_null(s);
    return s;
}

static bool valid_with(const char *schema, const char *instance, const kines_schema_options *o)
{
    kines_schema *s = compile_with(schema, o);
    bool ok = kines_schema_validate(s, instance, strlen(instance), NULL);
    kines_schema_result r;
    assert_int_equal(kines_schema_validate(s, instance, strlen(instance), &r), ok);
    assert_int_equal(r.error_count == 0, ok); /* errors exactly when invalid */
    kines_schema_result_free(&r);
    kines_schema_free(s);
    return ok;
}

static bool valid(const char *schema, const char *instance)
{
    return valid_with(schema, instance, NULL);
}

/* The compile error of a schema that must not compile. */
static void compile_error(const char *schema, const char *expected_part)
{
    kines_error err;
    kines_schema *s = kines_schema_compile(schema, strlen(schema), NULL, &err);
    assert_null(s);
    assert_int_equal(err.status, KINES_ERR_INVALID);
    if (!strstr(err.message, expected_part))
        fail_msg("\"%s\" does not contain \"%s\"", err.message, expected_part);
}

/* Validates and renders every error, one line each, into lines. */
static size_t errors_of(const char *schema, const char *instance, char *lines, size_t size)
{
    kines_schema *s = compile_with(schema, NULL);
    kines_schema_result r;
    assert_false(kines_schema_validate(s, instance, strlen(instance), &r));
    size_t used = 0;
    lines[0] = '\0';
    for (size_t i = 0; i < r.error_count; i++) {
        used += (size_t)kines_schema_error_format(&r.errors[i], lines + used, size - used);
        used += (size_t)snprintf(lines + used, size - used, "\n");
    }
    size_t n = r.error_count;
    kines_schema_result_free(&r);
    kines_schema_free(s);
    return n;
}

static void assert_contains(const char *text, const char *part)
{
    if (!strstr(text, part))
        fail_msg("expected \"%s\" in:\n%s", part, text);
}

/* ---- drafts -----------------------------------------------------------------------------------
 */

/* A document of many numbers: the parser's node table grows while a number is being added (the
 * table moved under a pointer taken before the growth: found by ASan with a stream contract). */
static void test_many_numbers(void **state)
{
    (void)state;
    char schema[4096] = "{\"enum\": [", instance[16];
    size_t used = strlen(schema);
    for (int i = 0; i < 300; i++)
        used += (size_t)snprintf(schema + used, sizeof schema - used, "%s%d", i ? ", " : "", i);
    snprintf(schema + used, sizeof schema - used, "]}");
    for (int i = 0; i < 300; i += 37) {
        snprintf(instance, sizeof instance, "%d", i);
        assert_true(valid(schema, instance));
    }
    assert_false(valid(schema, "300"));
}

static void test_draft_from_schema_keyword(void **state)
{
    (void)state;
    static const struct {
        const char *schema;
        kines_schema_draft draft;
    } cases[] = {
        {"{\"$schema\": \"http://json-schema.org/draft-04/schema#\"}", KINES_SCHEMA_DRAFT_4},
        {"{\"$schema\": \"http://json-schema.org/draft-06/schema#\"}", KINES_SCHEMA_DRAFT_6},
        {"{\"$schema\": \"http://json-schema.org/draft-07/schema\"}", KINES_SCHEMA_DRAFT_7},
        {"{\"$schema\": \"https://json-schema.org/draft/2019-09/schema\"}",
         KINES_SCHEMA_DRAFT_2019_09},
        {"{\"$schema\": \"https://json-schema.org/draft/2020-12/schema\"}",
         KINES_SCHEMA_DRAFT_2020_12},
        {"{}", KINES_SCHEMA_DRAFT_2020_12},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        kines_schema *s = compile_with(cases[i].schema, NULL);
        assert_int_equal(kines_schema_draft_of(s), cases[i].draft);
        kines_schema_free(s);
    }
    kines_schema_options seven = {.draft = KINES_SCHEMA_DRAFT_7};
    kines_schema *s = compile_with("{}", &seven);
    assert_int_equal(kines_schema_draft_of(s), KINES_SCHEMA_DRAFT_7);
    kines_schema_free(s);
    assert_int_equal(kines_schema_draft_parse("2019-09"), KINES_SCHEMA_DRAFT_2019_09);
    assert_int_equal(kines_schema_draft_parse("4"), KINES_SCHEMA_DRAFT_4);
    assert_int_equal(kines_schema_draft_parse("draft-07"), KINES_SCHEMA_DRAFT_7);
    assert_int_equal(kines_schema_draft_parse("5"), KINES_SCHEMA_DRAFT_DEFAULT);
    compile_error("{\"$schema\": \"http://json-schema.org/draft-03/schema#\"}",
                  "unsupported $schema");
}

static void test_draft_differences(void **state)
{
    (void)state;
    kines_schema_options d4 = {.draft = KINES_SCHEMA_DRAFT_4};
    /* 1.0 is an integer from draft 6 on, not in draft 4 */
    assert_true(valid("{\"type\": \"integer\"}", "1.0"));
    assert_false(valid_with("{\"type\": \"integer\"}", "1.0", &d4));
    /* draft 4's boolean exclusiveMaximum, draft 6's numeric one */
    assert_false(valid_with("{\"maximum\": 5, \"exclusiveMaximum\": true}", "5", &d4));
    assert_false(valid("{\"exclusiveMaximum\": 5}", "5"));
    assert_true(valid("{\"exclusiveMaximum\": 5}", "4.99"));
    /* before 2019-09 $ref replaces its siblings; from 2019-09 both apply */
    const char *ref_and_sibling = "{\"$defs\": {\"s\": {\"type\": \"string\"}}, "
                                  "\"definitions\": {\"s\": {\"type\": \"string\"}}, "
                                  "\"properties\": {\"a\": {\"$ref\": \"#/definitions/s\", "
                                  "\"maxLength\": 2}}}";
    kines_schema_options d7 = {.draft = KINES_SCHEMA_DRAFT_7};
    assert_true(valid_with(ref_and_sibling, "{\"a\": \"long\"}", &d7));
    assert_false(valid(ref_and_sibling, "{\"a\": \"long\"}"));
}

/* ---- 2019-09 and 2020-12 keywords --------------------------------------------------------------
 */

static void test_prefix_items_and_items(void **state)
{
    (void)state;
    const char *s = "{\"prefixItems\": [{\"type\": \"string\"}, {\"type\": \"integer\"}], "
                    "\"items\": false}";
    assert_true(valid(s, "[\"a\", 1]"));
    assert_true(valid(s, "[\"a\"]"));
    assert_false(valid(s, "[\"a\", 1, null]"));
    assert_false(valid(s, "[1, 1]"));
    const char *d2019 = "{\"$schema\": \"https://json-schema.org/draft/2019-09/schema\", "
                        "\"items\": [{\"type\": \"string\"}], \"additionalItems\": "
                        "{\"type\": \"integer\"}}";
    assert_true(valid(d2019, "[\"a\", 1, 2]"));
    assert_false(valid(d2019, "[\"a\", \"b\"]"));
}

static void test_contains_counts(void **state)
{
    (void)state;
    const char *s = "{\"contains\": {\"const\": 1}, \"minContains\": 2, \"maxContains\": 3}";
    assert_false(valid(s, "[1, 2]"));
    assert_true(valid(s, "[1, 1, 2]"));
    assert_false(valid(s, "[1, 1, 1, 1]"));
    assert_true(valid("{\"contains\": {\"const\": 1}, \"minContains\": 0}", "[]"));
}

static void test_dependent_required_and_schemas(void **state)
{
    (void)state;
    const char *s = "{\"dependentRequired\": {\"card\": [\"billing\"]}, "
                    "\"dependentSchemas\": {\"card\": {\"properties\": {\"card\": "
                    "{\"type\": \"string\"}}}}}";
    assert_true(valid(s, "{}"));
    assert_true(valid(s, "{\"card\": \"4111\", \"billing\": \"x\"}"));
    assert_false(valid(s, "{\"card\": \"4111\"}"));
    assert_false(valid(s, "{\"card\": 4111, \"billing\": \"x\"}"));
}

static void test_unevaluated_properties(void **state)
{
    (void)state;
    const char *s =
        "{\"properties\": {\"kind\": {\"type\": \"string\"}}, "
        "\"allOf\": [{\"properties\": {\"a\": true}}], "
        "\"anyOf\": [{\"properties\": {\"b\": {\"type\": \"integer\"}}, \"required\": [\"b\"]}, "
        "{\"properties\": {\"c\": true}, \"required\": [\"c\"]}], "
        "\"if\": {\"properties\": {\"kind\": {\"const\": \"x\"}}}, "
        "\"then\": {\"properties\": {\"x\": true}}, \"else\": {\"properties\": {\"y\": true}}, "
        "\"unevaluatedProperties\": false}";
    assert_true(valid(s, "{\"kind\": \"x\", \"a\": 1, \"b\": 2, \"x\": 0}"));
    assert_true(valid(s, "{\"kind\": \"z\", \"c\": 1, \"y\": 0}"));
    assert_false(valid(s, "{\"kind\": \"z\", \"c\": 1, \"x\": 0}"));      /* then did not apply */
    assert_false(valid(s, "{\"kind\": \"x\", \"c\": 1, \"b\": \"no\"}")); /* failed branch */
    assert_false(valid(s, "{\"kind\": \"x\", \"c\": 1, \"other\": 1}"));
    /* through $ref, and nested objects keep their own evaluation */
    const char *ref = "{\"$defs\": {\"base\": {\"properties\": {\"id\": true}}}, "
                      "\"$ref\": \"#/$defs/base\", \"properties\": {\"in\": {\"type\": "
                      "\"object\"}}, \"unevaluatedProperties\": false}";
    assert_true(valid(ref, "{\"id\": 1, \"in\": {\"deep\": 1}}"));
    assert_false(valid(ref, "{\"id\": 1, \"out\": 1}"));
}

static void test_unevaluated_items(void **state)
{
    (void)state;
    const char *s = "{\"prefixItems\": [{\"type\": \"string\"}], "
                    "\"contains\": {\"type\": \"integer\"}, \"unevaluatedItems\": false}";
    assert_true(valid(s, "[\"a\", 1, 2]"));
    assert_false(valid(s, "[\"a\", 1, true]"));
    const char *any = "{\"anyOf\": [{\"prefixItems\": [true, true]}], \"unevaluatedItems\": "
                      "{\"type\": \"null\"}}";
    assert_true(valid(any, "[1, 2, null]"));
    assert_false(valid(any, "[1, 2, 3]"));
}

static void test_anchors_and_defs(void **state)
{
    (void)state;
    const char *s = "{\"$id\": \"https://example.com/root.json\", "
                    "\"$defs\": {\"id\": {\"$anchor\": \"ident\", \"type\": \"string\", "
                    "\"minLength\": 3}}, \"properties\": {\"a\": {\"$ref\": \"#ident\"}, "
                    "\"b\": {\"$ref\": \"root.json#/$defs/id\"}, "
                    "\"c\": {\"$dynamicRef\": \"#ident\"}}}";
    assert_true(valid(s, "{\"a\": \"abc\", \"b\": \"abcd\", \"c\": \"xyz\"}"));
    assert_false(valid(s, "{\"a\": \"ab\"}"));
    assert_false(valid(s, "{\"b\": 5}"));
    assert_false(valid(s, "{\"c\": \"x\"}"));
}

/* A tree whose children are whatever schema extends it: "strict-tree" forbids unknown members at
 * every level only if the children's reference is resolved dynamically. */
static void test_dynamic_and_recursive_refs(void **state)
{
    (void)state;
    const char *d2020 =
        "{\"$id\": \"https://example.com/strict-tree\", \"$dynamicAnchor\": \"node\", "
        "\"$ref\": \"tree\", \"unevaluatedProperties\": false, \"$defs\": {\"tree\": "
        "{\"$id\": \"https://example.com/tree\", \"$dynamicAnchor\": \"node\", \"type\": "
        "\"object\", \"properties\": {\"data\": true, \"children\": {\"type\": \"array\", "
        "\"items\": {\"$dynamicRef\": \"#node\"}}}}}}";
    assert_true(valid(d2020, "{\"children\": [{\"data\": 1}]}"));
    assert_false(valid(d2020, "{\"children\": [{\"daat\": 1}]}"));
    const char *d2019 =
        "{\"$schema\": \"https://json-schema.org/draft/2019-09/schema\", \"$id\": "
        "\"https://example.com/strict-tree\", \"$recursiveAnchor\": true, \"$ref\": \"tree\", "
        "\"unevaluatedProperties\": false, \"$defs\": {\"tree\": {\"$id\": "
        "\"https://example.com/tree\", \"$recursiveAnchor\": true, \"type\": \"object\", "
        "\"properties\": {\"data\": true, \"children\": {\"type\": \"array\", \"items\": "
        "{\"$recursiveRef\": \"#\"}}}}}}";
    assert_true(valid(d2019, "{\"children\": [{\"data\": 1}]}"));
    assert_false(valid(d2019, "{\"children\": [{\"daat\": 1}]}"));
    /* the tree alone: its children may have any members */
    const char *tree = "{\"$id\": \"https://example.com/tree\", \"$dynamicAnchor\": \"node\", "
                       "\"properties\": {\"children\": {\"items\": {\"$dynamicRef\": "
                       "\"#node\"}}}}";
    assert_true(valid(tree, "{\"children\": [{\"daat\": 1}]}"));
}

/* ---- errors -------------------------------------------------------------------------------------
 */

static const char event_schema[] =
    "{\"type\": \"object\", \"required\": [\"kind\", \"payload\", \"timestamp\"], "
    "\"properties\": {\"kind\": {\"enum\": [\"queued\", \"delivered\"]}, "
    "\"timestamp\": {\"type\": \"string\", \"format\": \"date-time\"}, "
    "\"payload\": {\"type\": \"object\", \"required\": [\"sender\", \"recipient\"], "
    "\"properties\": {\"sender\": {\"type\": \"string\", \"minLength\": 3}, "
    "\"recipient\": {\"type\": \"string\"}}, \"additionalProperties\": false}}}";

static void test_every_error_with_paths(void **state)
{
    (void)state;
    char lines[4096];
    size_t n = errors_of(event_schema,
                         "{\"kind\": \"sent\", \"payload\": {\"sender\": \"ab\", \"cc\": 1}}",
                         lines, sizeof lines);
    assert_int_equal(n, 5);
    assert_contains(lines, "/timestamp: required property missing (schema #/required)");
    assert_contains(lines, "/kind: must be one of \"queued\", \"delivered\" (schema "
                           "#/properties/kind/enum)");
    assert_contains(lines, "/payload/recipient: required property missing (schema "
                           "#/properties/payload/required)");
    assert_contains(lines, "/payload/sender: shorter than 3 characters (schema "
                           "#/properties/payload/properties/sender/minLength)");
    assert_contains(lines, "/payload/cc: property not allowed (schema "
                           "#/properties/payload/additionalProperties)");
    n = errors_of("{\"type\": [\"string\", \"null\"]}", "[1]", lines, sizeof lines);
    assert_int_equal(n, 1);
    assert_contains(lines, "/: expected null or string, got array (schema #/type)");
}

static void test_one_of_reports_the_closest_alternative(void **state)
{
    (void)state;
    const char *s = "{\"oneOf\": ["
                    "{\"properties\": {\"kind\": {\"const\": \"email\"}, \"subject\": "
                    "{\"type\": \"string\"}}, \"required\": [\"kind\", \"subject\"]},"
                    "{\"properties\": {\"kind\": {\"const\": \"sms\"}, \"body\": "
                    "{\"type\": \"string\", \"maxLength\": 160}}, \"required\": [\"kind\"]}]}";
    char lines[4096];
    size_t n = errors_of(s, "{\"kind\": \"sms\", \"body\": 7}", lines, sizeof lines);
    assert_int_equal(n, 2);
    assert_contains(lines, "/: matches none of the 2 alternatives of oneOf (schema #/oneOf)");
    assert_contains(lines, "/body: expected string, got number (schema "
                           "#/oneOf/1/properties/body/type)");
    n = errors_of("{\"oneOf\": [{\"type\": \"integer\"}, {\"minimum\": 0}]}", "5", lines,
                  sizeof lines);
    assert_int_equal(n, 1);
    assert_contains(lines, "matches alternatives 0 and 1 of oneOf, not exactly one");
}

static void test_not_json_and_limits(void **state)
{
    (void)state;
    kines_schema *s = compile_with("{}", NULL);
    kines_schema_result r;
    assert_false(kines_schema_validate(s, "{\"a\": }", 7, &r));
    assert_int_equal(r.error_count, 1);
    assert_string_equal(r.errors[0].message, "not JSON: unexpected character at byte 6");
    kines_schema_result_free(&r);
    assert_false(kines_schema_validate(s, "{} {}", 5, NULL));
    assert_false(kines_schema_validate(s, "\"\xff\"", 3, NULL)); /* not UTF-8 */
    assert_false(kines_schema_validate(s, "[1,]", 4, NULL));
    char deep[1200];
    memset(deep, '[', 600);
    memset(deep + 600, ']', 600);
    assert_false(kines_schema_validate(s, deep, sizeof deep, NULL));
    kines_schema_free(s);
    /* a $ref loop that never reaches a value ends in an error, not a crash */
    kines_schema *loop = compile_with("{\"$defs\": {\"a\": {\"$ref\": \"#/$defs/b\"}, "
                                      "\"b\": {\"$ref\": \"#/$defs/a\"}}, \"$ref\": "
                                      "\"#/$defs/a\"}",
                                      NULL);
    assert_false(kines_schema_validate(loop, "1", 1, &r));
    assert_contains(r.errors[0].message, "nested too deeply");
    kines_schema_result_free(&r);
    kines_schema_free(loop);
    /* more errors than the limit: the first ones, and truncated */
    kines_schema *many = compile_with("{\"items\": {\"type\": \"string\"}}", NULL);
    char array[1024] = "[0";
    for (int i = 1; i < 150; i++)
        strcat(array, ",0");
    strcat(array, "]");
    assert_false(kines_schema_validate(many, array, strlen(array), &r));
    assert_int_equal(r.error_count, KINES_SCHEMA_MAX_ERRORS);
    assert_true(r.truncated);
    kines_schema_result_free(&r);
    kines_schema_free(many);
}

static void test_work_is_bounded(void **state)
{
    (void)state;
    /* two alternatives that both descend: naive work doubles with every level of nesting */
    kines_schema *s = compile_with(
        "{\"$defs\": {\"t\": {\"anyOf\": [{\"type\": \"array\", \"items\": {\"$ref\": "
        "\"#/$defs/t\"}}, {\"type\": \"array\", \"minItems\": 1, \"items\": {\"$ref\": "
        "\"#/$defs/t\"}}]}}, \"not\": {\"$ref\": \"#/$defs/t\"}}",
        NULL);
    char doc[200];
    memset(doc, '[', 90);
    memcpy(doc + 90, "true", 4);
    memset(doc + 94, ']', 90);
    kines_schema_result r;
    assert_false(kines_schema_validate(s, doc, 184, NULL)); /* "not" does not turn it valid */
    assert_false(kines_schema_validate(s, doc, 184, &r));
    assert_contains(r.errors[r.error_count - 1].message, "validation stopped after");
    kines_schema_result_free(&r);
    kines_schema_free(s);
}

static void test_compile_errors(void **state)
{
    (void)state;
    compile_error("{\"type\": ", "not JSON: unexpected end at byte 9");
    compile_error("{\"properties\": {\"a\": {\"type\": \"text\"}}}", "#/properties/a/type");
    compile_error("{\"pattern\": \"(\"}", "#/pattern: bad regular expression");
    compile_error("{\"pattern\": \"\\\\Z\"}", "is not ECMAScript");
    compile_error("{\"$ref\": \"#/$defs/missing\"}", "nothing at \"/$defs/missing\"");
    compile_error("{\"$ref\": \"other.json\"}", "no schema is known as \"other.json\"");
    compile_error("{\"minLength\": -1}", "#/minLength: must be a non-negative integer");
    compile_error("{\"allOf\": []}", "#/allOf: must be a non-empty array");
    compile_error("[]", "a schema must be an object or a boolean");
    kines_schema_options five = {.draft = 5};
    kines_error err;
    assert_null(kines_schema_compile("{}", 2, &five, &err));
    assert_string_equal(err.message, "options: unknown draft 5");
    kines_schema_options nowhere = {.schema_dir = "/nonexistent/schemas"};
    assert_null(kines_schema_compile("{}", 2, &nowhere, &err));
    assert_string_equal(err.message, "/nonexistent/schemas: cannot open the schema directory");
    assert_null(kines_schema_compile_file("/nonexistent/schema.json", NULL, &err));
    assert_string_equal(err.message, "cannot read: No such file or directory");
}

/* ---- values
 * ----------------------------------------------------------------------------------------- */

static void test_lengths_count_code_points(void **state)
{
    (void)state;
    const char *s = "{\"minLength\": 2, \"maxLength\": 2}";
    assert_true(valid(s, "\"\xc3\xa9\xc3\xa9\""));      /* éé: 4 bytes */
    assert_true(valid(s, "\"\xf0\x9f\x98\x80x\""));     /* an emoji and x */
    assert_true(valid(s, "\"\\u00e9\\ud83d\\ude00\"")); /* escaped: é and a surrogate pair */
    assert_false(valid(s, "\"\xc3\xa9\""));
}

static void test_numbers(void **state)
{
    (void)state;
    assert_true(valid("{\"multipleOf\": 0.0001}", "0.0075"));
    assert_false(valid("{\"multipleOf\": 0.0001}", "0.00751"));
    assert_true(valid("{\"multipleOf\": 0.01}", "19.99"));
    assert_false(valid("{\"multipleOf\": 0.123456789}", "1e308"));
    assert_true(valid("{\"multipleOf\": 2}", "1e300"));
    assert_true(valid("{\"maximum\": 18446744073709551615}", "18446744073709551600"));
    assert_true(valid("{\"type\": \"integer\"}", "123456789012345678901234567890"));
    assert_true(valid("{\"const\": 1}", "1.0"));
    assert_true(valid("{\"enum\": [{\"a\": [1, 2]}]}", "{\"a\": [1.0, 2e0]}"));
    assert_true(valid("{\"uniqueItems\": true}", "[{\"a\": 1, \"b\": 2}, {\"b\": 2, \"a\": 2}]"));
    assert_false(valid("{\"uniqueItems\": true}", "[{\"a\": 1, \"b\": 2}, {\"b\": 2, \"a\": 1}]"));
    assert_false(valid("{\"uniqueItems\": true}", "[0, false, 0.0]"));
}

static void test_ecmascript_regex_dialect(void **state)
{
    (void)state;
    assert_true(valid("{\"pattern\": \"^\\\\s$\"}", "\"\\u00a0\"")); /* \s: Unicode spaces */
    assert_true(valid("{\"pattern\": \"^\\\\S$\"}", "\"a\""));
    assert_false(valid("{\"pattern\": \"^\\\\d$\"}", "\"\\u0661\"")); /* \d: ASCII only */
    assert_false(valid("{\"pattern\": \"^abc$\"}", "\"abc\\n\""));    /* $ only at the end */
    assert_true(valid("{\"pattern\": \"^\\\\u0041$\"}", "\"A\""));
    assert_true(valid("{\"pattern\": \"^.$\"}", "\"\xf0\x9f\x98\x80\"")); /* one code point */
    assert_true(valid("{\"pattern\": \"b\"}", "\"abc\""));                /* not anchored */
    assert_true(valid("{\"patternProperties\": {\"^x-\": {\"type\": \"integer\"}}}",
                      "{\"x-a\": 1, \"y\": \"s\"}"));
}

static void test_formats(void **state)
{
    (void)state;
    kines_schema_options on = {.assert_format = true};
    static const struct {
        const char *format, *good, *bad;
    } cases[] = {
        {"date-time", "\"2026-11-26T07:00:00.123Z\"", "\"2026-11-26 07:00:00\""},
        {"date", "\"2024-02-29\"", "\"2023-02-29\""},
        {"time", "\"23:59:60+01:00\"", "\"24:00:00Z\""},
        {"email", "\"a.b@example.com\"", "\"a..b@example.com\""},
        {"uuid", "\"123e4567-e89b-12d3-a456-426614174000\"",
         "\"123e4567e89b12d3a456426614174000\""},
        {"ipv4", "\"192.168.0.1\"", "\"256.1.1.1\""},
        {"ipv6", "\"::1\"", "\"1::2::3\""},
        {"uri", "\"https://example.com/a?b#c\"", "\"/relative\""},
        {"duration", "\"P1DT2H\"", "\"PT\""},
        {"hostname", "\"example.com\"", "\"-bad.example\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char schema[128];
        snprintf(schema, sizeof schema, "{\"format\": \"%s\"}", cases[i].format);
        if (!valid_with(schema, cases[i].good, &on))
            fail_msg("%s: %s should be valid", cases[i].format, cases[i].good);
        if (valid_with(schema, cases[i].bad, &on))
            fail_msg("%s: %s should be invalid", cases[i].format, cases[i].bad);
        assert_true(valid(schema, cases[i].bad)); /* an annotation unless asked */
    }
    assert_true(valid_with("{\"format\": \"unknown-format\"}", "\"x\"", &on));
    assert_true(valid_with("{\"format\": \"date\"}", "5", &on)); /* only strings */
}

/* ---- $ref across files
 * ----------------------------------------------------------------------------- */

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_refs_across_a_schema_directory(void **state)
{
    (void)state;
    char dir[] = "/tmp/kines-schema-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sub[600];
    snprintf(sub, sizeof sub, "%s/common", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    write_file(dir, "event.json",
               "{\"$schema\": \"http://json-schema.org/draft-04/schema#\", "
               "\"properties\": {\"id\": {\"$ref\": \"common/ids.json#/definitions/uuid\"}, "
               "\"source\": {\"$ref\": \"https://schemas.example.com/source.json\"}}}");
    write_file(sub, "ids.json",
               "{\"definitions\": {\"uuid\": {\"type\": \"string\", \"pattern\": "
               "\"^[0-9a-f-]{36}$\"}}}");
    write_file(sub, "source.json",
               "{\"$id\": \"https://schemas.example.com/source.json\", \"required\": "
               "[\"userId\"]}");
    char path[600];
    snprintf(path, sizeof path, "%s/event.json", dir);
    kines_error err;
    kines_schema *s = kines_schema_compile_file(path, NULL, &err);
    if (!s)
        fail_msg("%s", err.message);
    assert_int_equal(kines_schema_draft_of(s), KINES_SCHEMA_DRAFT_4);
    const char *good = "{\"id\": \"123e4567-e89b-12d3-a456-426614174000\", \"source\": "
                       "{\"userId\": null}}";
    assert_true(kines_schema_validate(s, good, strlen(good), NULL));
    kines_schema_result r;
    const char *bad = "{\"id\": \"x\", \"source\": {}}";
    assert_false(kines_schema_validate(s, bad, strlen(bad), &r));
    assert_int_equal(r.error_count, 2);
    assert_string_equal(r.errors[0].schema_path, "common/ids.json#/definitions/uuid/pattern");
    assert_string_equal(r.errors[1].schema_path,
                        "common/source.json#/required"); /* the file, found by its $id */
    assert_string_equal(r.errors[1].instance_path, "/source/userId");
    kines_schema_result_free(&r);
    kines_schema_free(s);
    /* a file outside the schema directory is never read */
    write_file(dir, "outside.json", "{\"$ref\": \"../../etc/passwd\"}");
    snprintf(path, sizeof path, "%s/outside.json", dir);
    assert_null(kines_schema_compile_file(path, NULL, &err));
    assert_non_null(strstr(err.message, "no schema is known"));
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- threads
 * ------------------------------------------------------------------------------------------ */

typedef struct worker {
    const kines_schema *s; /* shared by every worker */
    int wrong;             /* answers that were not the expected ones */
} worker;

static void *validate_many(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 2000; i++) {
        char doc[256];
        bool good = i % 3 != 0;
        snprintf(doc, sizeof doc,
                 "{\"kind\": \"queued\", \"timestamp\": \"2026-01-01T00:00:00Z\", \"payload\": "
                 "{\"sender\": \"%s\", \"recipient\": \"r%d\"}}",
                 good ? "someone" : "x", i);
        kines_schema_result r;
        bool ok = kines_schema_validate(w->s, doc, strlen(doc), i % 2 ? &r : NULL);
        if (i % 2) {
            w->wrong += (r.error_count == 0) != ok;
            kines_schema_result_free(&r);
        }
        w->wrong += ok != good;
    }
    return NULL;
}

static void test_one_schema_many_threads(void **state)
{
    (void)state;
    kines_schema *s = compile_with(event_schema, NULL);
    pthread_t threads[4];
    worker workers[4];
    for (int i = 0; i < 4; i++) {
        workers[i] = (worker){s, 0};
        assert_int_equal(pthread_create(&threads[i], NULL, validate_many, &workers[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(workers[i].wrong, 0);
    }
    kines_schema_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_draft_from_schema_keyword),
        cmocka_unit_test(test_draft_differences),
        cmocka_unit_test(test_prefix_items_and_items),
        cmocka_unit_test(test_contains_counts),
        cmocka_unit_test(test_dependent_required_and_schemas),
        cmocka_unit_test(test_unevaluated_properties),
        cmocka_unit_test(test_unevaluated_items),
        cmocka_unit_test(test_anchors_and_defs),
        cmocka_unit_test(test_dynamic_and_recursive_refs),
        cmocka_unit_test(test_every_error_with_paths),
        cmocka_unit_test(test_one_of_reports_the_closest_alternative),
        cmocka_unit_test(test_not_json_and_limits),
        cmocka_unit_test(test_work_is_bounded),
        cmocka_unit_test(test_compile_errors),
        cmocka_unit_test(test_lengths_count_code_points),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_ecmascript_regex_dialect),
        cmocka_unit_test(test_many_numbers),
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_refs_across_a_schema_directory),
        cmocka_unit_test(test_one_schema_many_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
