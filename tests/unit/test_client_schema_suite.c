/* test_client_schema_suite.c - the official JSON-Schema-Test-Suite (Debian package
 * json-schema-test-suite) against kines_schema: every file of drafts 4, 6 and 7 (required; any
 * failure not in expected_failures fails the test) and their optional/ files (reported only),
 * with http://localhost:1234/ mapped to the suite's remotes/ folder and the drafts' meta-schemas
 * (from python3-jsonschema, which the package depends on) as the schema directory, so nothing is
 * fetched. Prints one summary line per draft. The optional files run with format assertion on
 * (their format tests expect it), the required ones with it off, as the suite intends. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "kines/schema.h"

#define DEFAULT_SUITE "/usr/share/json-schema-test-suite"
#define DEFAULT_METASCHEMAS "/usr/lib/python3/dist-packages/jsonschema/schemas"

/* Required cases that cannot be met, as "FILE | GROUP | TEST", each with its reason. */
static const char *const expected_failures[] = {
    NULL,
};

typedef struct tally {
    int passed, failed; /* test cases */
} tally;

typedef struct suite_run {
    const char *suite, *metaschemas; /* the folders */
    kines_schema_draft draft;        /* the draft of the folder run */
    bool optional;      /* the file is under optional/: failures are reported, not fatal */
    bool assert_format; /* the optional files */
    tally required, optional_tally; /* the required files, the optional/ ones */
    int unexpected;                 /* required failures not in expected_failures */
} suite_run;

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

static bool expected(const char *file, const char *group, const char *test)
{
    char key[1024];
    snprintf(key, sizeof key, "%s | %s | %s", file, group, test);
    for (size_t i = 0; expected_failures[i]; i++)
        if (strcmp(expected_failures[i], key) == 0)
            return true;
    return false;
}

static const char *plain(json_object *o)
{
    return json_object_to_json_string_ext(o,
                                          JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void record(suite_run *r, const char *file, const char *group, const char *test, bool ok,
                   const char *why)
{
    tally *t = r->optional ? &r->optional_tally : &r->required;
    if (ok) {
        t->passed++;
        return;
    }
    t->failed++;
    bool known = r->optional || expected(file, group, test);
    if (!known)
        r->unexpected++;
    printf("  %s %s | %s | %s%s%s\n",
           r->optional ? "optional-fail"
           : known     ? "expected-fail"
                       : "FAIL",
           file, group, test, why ? ": " : "", why ? why : "");
}

static void run_group(suite_run *r, const char *file, json_object *group)
{
    json_object *schema, *tests, *description;
    json_object_object_get_ex(group, "schema", &schema);
    json_object_object_get_ex(group, "tests", &tests);
    json_object_object_get_ex(group, "description", &description);
    const char *group_name = json_object_get_string(description);
    kines_schema_mapping remotes = {"http://localhost:1234/", NULL};
    char remotes_dir[512];
    snprintf(remotes_dir, sizeof remotes_dir, "%s/remotes", r->suite);
    remotes.dir = remotes_dir;
    kines_schema_options o = {.draft = r->draft,
                              .assert_format = r->assert_format,
                              .schema_dir = r->metaschemas,
                              .mappings = &remotes,
                              .mapping_count = 1};
    kines_error err;
    const char *text = plain(schema);
    kines_schema *s = kines_schema_compile(text, strlen(text), &o, &err);
    for (size_t i = 0; i < json_object_array_length(tests); i++) {
        json_object *t = json_object_array_get_idx(tests, i), *data, *valid, *name;
        json_object_object_get_ex(t, "data", &data);
        json_object_object_get_ex(t, "valid", &valid);
        json_object_object_get_ex(t, "description", &name);
        const char *instance = plain(data);
        if (!s) {
            record(r, file, group_name, json_object_get_string(name), false, err.message);
            continue;
        }
        bool got = kines_schema_validate(s, instance, strlen(instance), NULL);
        record(r, file, group_name, json_object_get_string(name),
               got == json_object_get_boolean(valid), got ? "valid" : "invalid");
    }
    kines_schema_free(s);
}

static void run_file(suite_run *r, const char *dir, const char *relative)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, relative);
    json_object *groups = json_object_from_file(path);
    assert_non_null(groups);
    for (size_t i = 0; i < json_object_array_length(groups); i++)
        run_group(r, relative, json_object_array_get_idx(groups, i));
    json_object_put(groups);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every *.json file of dir/sub, in name order. */
static void run_folder(suite_run *r, const char *dir, const char *sub)
{
    char folder[1024];
    snprintf(folder, sizeof folder, "%s/%s", dir, sub);
    struct dirent **names;
    int n = scandir(folder, &names, NULL, by_name);
    for (int i = 0; i < n; i++) {
        size_t len = strlen(names[i]->d_name);
        if (len > 5 && strcmp(names[i]->d_name + len - 5, ".json") == 0) {
            char relative[512];
            snprintf(relative, sizeof relative, "%s%s", sub, names[i]->d_name);
            run_file(r, dir, relative);
        }
        free(names[i]);
    }
    if (n >= 0)
        free(names);
}

static void run_draft(const char *folder, kines_schema_draft draft)
{
    suite_run r = {.suite = env_or("JSON_SCHEMA_TEST_SUITE", DEFAULT_SUITE),
                   .metaschemas = env_or("JSON_SCHEMA_METASCHEMAS", DEFAULT_METASCHEMAS),
                   .draft = draft};
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tests/%s", r.suite, folder);
    DIR *probe = opendir(dir);
    if (!probe) {
        printf("%s: %s not found (install json-schema-test-suite: scripts/install-deps)\n", folder,
               dir);
        fail();
    }
    closedir(probe);
    run_folder(&r, dir, "");
    r.optional = r.assert_format = true;
    run_folder(&r, dir, "optional/");
    run_folder(&r, dir, "optional/format/");
    printf("%s: required %d/%d passed (%d expected failures), optional %d/%d passed\n", folder,
           r.required.passed, r.required.passed + r.required.failed,
           r.required.failed - r.unexpected, r.optional_tally.passed,
           r.optional_tally.passed + r.optional_tally.failed);
    assert_int_equal(r.unexpected, 0);
}

static void test_draft4(void **state)
{
    (void)state;
    run_draft("draft4", KINES_SCHEMA_DRAFT_4);
}

static void test_draft6(void **state)
{
    (void)state;
    run_draft("draft6", KINES_SCHEMA_DRAFT_6);
}

static void test_draft7(void **state)
{
    (void)state;
    run_draft("draft7", KINES_SCHEMA_DRAFT_7);
}

/* ---- the 2019-09 and 2020-12 meta-schemas --------------------------------------------------- */

static void write_json(const char *dir, const char *name, json_object *value)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(json_object_to_file_ext(path, value, JSON_C_TO_STRING_PLAIN), 0);
}

/* A folder with the meta-schemas of 2019-09 and 2020-12 and their vocabularies, one file each
 * (python3-jsonschema keeps the vocabularies in one file, keyed by URI). */
static void metaschema_folder(char *dir)
{
    const char *from = env_or("JSON_SCHEMA_METASCHEMAS", DEFAULT_METASCHEMAS);
    char path[1024];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/vocabularies.json", from);
    json_object *vocabularies = json_object_from_file(path);
    assert_non_null(vocabularies);
    int i = 0;
    json_object_object_foreach(vocabularies, uri, schema)
    {
        char name[64];
        (void)uri;
        snprintf(name, sizeof name, "vocabulary-%d.json", i++);
        write_json(dir, name, schema);
    }
    json_object_put(vocabularies);
    static const char *const drafts[] = {"draft2019-09.json", "draft2020-12.json"};
    for (size_t d = 0; d < 2; d++) {
        snprintf(path, sizeof path, "%s/%s", from, drafts[d]);
        json_object *meta = json_object_from_file(path);
        assert_non_null(meta);
        write_json(dir, drafts[d], meta);
        json_object_put(meta);
    }
}

static bool meta_valid(const char *dir, const char *meta_uri, const char *schema)
{
    char ref[256];
    snprintf(ref, sizeof ref, "{\"$ref\": \"%s\"}", meta_uri);
    kines_schema_options o = {.schema_dir = dir};
    kines_error err;
    kines_schema *meta = kines_schema_compile(ref, strlen(ref), &o, &err);
    if (!meta)
        fail_msg("%s", err.message);
    bool valid = kines_schema_validate(meta, schema, strlen(schema), NULL);
    kines_schema_free(meta);
    return valid;
}

/* The meta-schemas of 2019-09 ($recursiveRef) and 2020-12 ($dynamicRef) reach the keywords of
 * every vocabulary only when those references are resolved dynamically: a "minLength" under
 * "properties" is checked by the validation vocabulary, which the applicator vocabulary reaches
 * only through the dynamic reference back to the whole meta-schema. */
static void test_metaschemas_2019_09_and_2020_12(void **state)
{
    (void)state;
    char dir[] = "/tmp/kines-metaschemas-XXXXXX";
    metaschema_folder(dir);
    static const char *const metas[] = {"https://json-schema.org/draft/2019-09/schema",
                                        "https://json-schema.org/draft/2020-12/schema"};
    for (size_t i = 0; i < 2; i++) {
        assert_true(meta_valid(dir, metas[i],
                               "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": "
                               "\"string\", \"minLength\": 1}}, \"$defs\": {\"x\": "
                               "{\"items\": {\"enum\": [1, 2]}}}}"));
        assert_false(meta_valid(dir, metas[i], "{\"type\": \"strin\"}"));
        assert_false(meta_valid(dir, metas[i], "{\"properties\": {\"a\": {\"minLength\": -1}}}"));
        assert_false(meta_valid(dir, metas[i], "{\"$defs\": {\"x\": {\"items\": {\"enum\": 5}}}}"));
    }
    printf("meta-schemas 2019-09 and 2020-12: valid and invalid schemas told apart\n");
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_draft4),
        cmocka_unit_test(test_draft6),
        cmocka_unit_test(test_draft7),
        cmocka_unit_test(test_metaschemas_2019_09_and_2020_12),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
