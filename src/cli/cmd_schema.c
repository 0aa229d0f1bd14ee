/* cmd_schema.c - `kinesctl schema validate SCHEMA INSTANCE...`: JSON documents (or JSON lines)
 * checked against a JSON Schema, every error on stderr; and the schema loading that the --schema
 * option of put and dispatch shares. */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common/buf.h"
#include "kines/schema.h"
#include "output.h"

static const char help[] =
    "usage: kinesctl schema validate SCHEMA INSTANCE... [--draft 4|6|7|2019-09|2020-12]\n"
    "                                [--assert-format] [--jsonl]\n"
    "\n"
    "Checks each INSTANCE file (\"-\" is standard input) against the JSON Schema in the file\n"
    "SCHEMA and prints every error on stderr as INSTANCE: PATH: WHAT FAILED (schema WHERE), then "
    "a\n"
    "summary. The schema's \"$schema\" chooses the draft; --draft is for schemas without one\n"
    "(default 2020-12). $refs to other files are resolved in SCHEMA's folder (by relative path\n"
    "or by \"$id\"). --assert-format makes \"format\" (date-time, email, uuid, ...) an assertion.\n"
    "--jsonl checks every non-empty line of each INSTANCE as a document of its own (errors name\n"
    "FILE:LINE). See docs/schema.md.\n"
    "\n"
    "exit codes: 0 every instance is valid, 8 some instance is not (or a file is not readable,\n"
    "or the schema is not a usable schema), 2 bad command line.\n"
    "\n"
    "examples:\n"
    "  kinesctl schema validate envelope.schema.json event.json\n"
    "  kinesctl schema validate --draft 7 --assert-format events.json events.jsonl --jsonl\n";

kines_schema *cli_schema(const cli_ctx *ctx, const cli_args *a, const char *path, int *exit_code)
{
    kines_schema_options o = {.assert_format = args_has(a, "assert-format")};
    const char *draft = args_value(a, "draft");
    if (draft && !(o.draft = kines_schema_draft_parse(draft))) {
        cli_error(ctx, "--draft must be 4, 6, 7, 2019-09 or 2020-12, not '%s'", draft);
        *exit_code = EXIT_USAGE;
        return NULL;
    }
    kines_error err;
    kines_schema *s = kines_schema_compile_file(path, &o, &err);
    if (!s) {
        cli_error(ctx, "schema %s: %s", path, err.message);
        *exit_code = EXIT_BAD_INPUT;
    }
    return s;
}

bool cli_schema_option(const cli_ctx *ctx, const cli_args *a, kines_schema **schema, int *exit_code)
{
    const char *path = args_value(a, "schema");
    *schema = path ? cli_schema(ctx, a, path, exit_code) : NULL;
    return !path || *schema;
}

/* What was validated, for the summary. */
typedef struct tally {
    long valid, invalid;    /* instances so far */
    json_object *instances; /* --output json: one object per instance */
} tally;

static json_object *errors_json(const kines_schema_result *r)
{
    json_object *list = json_object_new_array();
    for (size_t i = 0; i < r->error_count; i++) {
        const kines_schema_error *e = &r->errors[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "InstancePath", json_object_new_string(e->instance_path));
        json_object_object_add(o, "SchemaPath", json_object_new_string(e->schema_path));
        json_object_object_add(o, "Keyword", json_object_new_string(e->keyword));
        json_object_object_add(o, "Message", json_object_new_string(e->message));
        json_object_array_add(list, o);
    }
    return list;
}

/* Validates one document named `name`; its errors go to stderr. */
static void validate_one(const cli_ctx *ctx, const kines_schema *s, const char *name,
                         const char *text, size_t len, tally *t)
{
    kines_schema_result r;
    bool valid = kines_schema_validate(s, text, len, &r);
    char line[2048];
    for (size_t i = 0; i < r.error_count; i++) {
        kines_schema_error_format(&r.errors[i], line, sizeof line);
        cli_error(ctx, "%s: %s", name, line);
    }
    if (r.truncated)
        cli_error(ctx, "%s: more errors than the %d shown", name, KINES_SCHEMA_MAX_ERRORS);
    if (t->instances) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "Instance", json_object_new_string(name));
        json_object_object_add(o, "Valid", json_object_new_boolean(valid));
        json_object_object_add(o, "Errors", errors_json(&r));
        json_object_array_add(t->instances, o);
    }
    kines_schema_result_free(&r);
    if (valid)
        t->valid++;
    else
        t->invalid++;
}

static bool read_all(const char *path, kbuf *out)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return false;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        kbuf_append(out, chunk, n);
    bool ok = !ferror(f);
    if (f != stdin)
        fclose(f);
    return ok;
}

/* Each non-blank line of text as a document "PATH:LINE". */
static void validate_lines(const cli_ctx *ctx, const kines_schema *s, const char *path,
                           const kbuf *text, tally *t)
{
    const char *p = text->data ? text->data : "", *end = p + text->len;
    for (long number = 1; p < end; number++) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((eol ? eol : end) - p);
        if (len > 0 && p[len - 1] == '\r')
            len--;
        if (strspn(p, " \t") < len) {
            char name[1024];
            snprintf(name, sizeof name, "%s:%ld", path, number);
            validate_one(ctx, s, name, p, len, t);
        }
        p = eol ? eol + 1 : end;
    }
}

static void print_summary(const cli_ctx *ctx, tally *t)
{
    if (t->instances) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "Valid", json_object_new_int64(t->valid));
        json_object_object_add(o, "Invalid", json_object_new_int64(t->invalid));
        json_object_object_add(o, "Instances", t->instances);
        output_json(ctx, o);
        return;
    }
    printf("%ld valid, %ld invalid\n", t->valid, t->invalid);
}

int cmd_schema(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(ctx, "schema", argc - 1, argv + 1, "draft", "assert-format jsonl", help, &a);
    if (rc >= 0)
        return rc;
    if (a.positional_count < 3 || strcmp(a.positional[0], "validate") != 0) {
        cli_error(ctx, "schema validate takes a SCHEMA file and INSTANCE files. See `kinesctl "
                       "schema --help`.");
        return EXIT_USAGE;
    }
    kines_schema *s = cli_schema(ctx, &a, a.positional[1], &rc);
    if (!s)
        return rc;
    tally t = {0, 0, ctx->json ? json_object_new_array() : NULL};
    for (int i = 2; i < a.positional_count; i++) {
        const char *path = a.positional[i];
        kbuf text = KBUF_INIT;
        if (!read_all(path, &text)) {
            cli_error(ctx, "%s: cannot read: %s", path, strerror(errno));
            t.invalid++;
        } else if (args_has(&a, "jsonl")) {
            validate_lines(ctx, s, path, &text, &t);
        } else {
            validate_one(ctx, s, path, text.data ? text.data : "", text.len, &t);
        }
        kbuf_free(&text);
    }
    print_summary(ctx, &t);
    kines_schema_free(s);
    return t.invalid ? EXIT_BAD_INPUT : EXIT_OK;
}
