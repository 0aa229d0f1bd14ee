/* schema.h - JSON Schema in libkines: compile a schema once, validate JSON documents against it.
 *
 * Drafts 4, 6, 7, 2019-09 and 2020-12; a schema's "$schema" chooses its draft, the options choose
 * for schemas without one. A compiled kines_schema is immutable: any number of threads may
 * validate against the same one at once (each validation uses only its own memory). $ref works
 * within a document (JSON pointers, "$anchor", "$id"/"id" base URIs), across the .json files of a
 * schema directory (by file name relative to the referring file, or by their "$id"), and through
 * URI prefixes mapped to directories. Nothing is ever fetched from the network.
 *
 * Errors name the value (instance_path, a JSON pointer), the keyword that failed (schema_path,
 * where it is in the schema) and what failed; a validation reports every failing keyword, not only
 * the first. docs/schema.md has the keywords, the regular-expression dialect and the formats. */
#ifndef KINES_SCHEMA_H
#define KINES_SCHEMA_H

#include "kines.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum kines_schema_draft {
    KINES_SCHEMA_DRAFT_DEFAULT = 0, /* in options: 2020-12 for schemas without "$schema" */
    KINES_SCHEMA_DRAFT_4 = 4,
    KINES_SCHEMA_DRAFT_6 = 6,
    KINES_SCHEMA_DRAFT_7 = 7,
    KINES_SCHEMA_DRAFT_2019_09 = 2019,
    KINES_SCHEMA_DRAFT_2020_12 = 2020,
} kines_schema_draft;

/* "$ref": "URI_PREFIX/a/b.json" reads DIR/a/b.json (no ".." below DIR). */
typedef struct kines_schema_mapping {
    const char *uri_prefix; /* e.g. "https://schemas.example.com/" */
    const char *dir;
} kines_schema_mapping;

typedef struct kines_schema_options {
    size_t struct_size; /* sizeof(kines_schema_options): KINES_SCHEMA_OPTIONS_INIT (kines.h) */
    kines_schema_draft draft; /* for schemas without "$schema"; DEFAULT: 2020-12 */
    bool assert_format;       /* "format" fails values not of the format (else an annotation) */
    const char *schema_dir;   /* where other schemas are: its *.json files are known by their
                                 file: URI and their "$id"; compile_file: the file's folder */
    const kines_schema_mapping *mappings; /* URI prefixes served from folders */
    size_t mapping_count;
} kines_schema_options;

#define KINES_SCHEMA_OPTIONS_INIT                                                                  \
    {                                                                                              \
        .struct_size = sizeof(kines_schema_options)                                                \
    }

typedef struct kines_schema kines_schema;

/* Compiles a schema given as JSON text (len bytes). NULL opts: the defaults. Returns NULL with
 * err (KINES_ERR_INVALID) naming the problem: not JSON, an unknown "$schema", a bad regular
 * expression, a $ref that cannot be resolved. */
kines_schema *kines_schema_compile(const char *json, size_t len, const kines_schema_options *opts,
                                   kines_error *err);
/* The same for a schema file; relative $refs are resolved against the file's location. */
kines_schema *kines_schema_compile_file(const char *path, const kines_schema_options *opts,
                                        kines_error *err);
void kines_schema_free(kines_schema *s); /* NULL is fine */

/* The draft the schema's root was compiled as. */
kines_schema_draft kines_schema_draft_of(const kines_schema *s);

typedef struct kines_schema_error {
    const char *instance_path; /* JSON pointer of the failing value; "" is the whole document */
    const char *schema_path;   /* the keyword: "#/properties/payload/required", preceded by the
                                  file or $id when it is not in the root schema's document */
    const char *keyword;       /* "required" */
    const char *message;       /* what failed: "required property missing" */
} kines_schema_error;

#define KINES_SCHEMA_MAX_ERRORS 100 /* errors kept per validation; more set `truncated` */

typedef struct kines_schema_result {
    const kines_schema_error *errors; /* in document order of the failing keywords */
    size_t error_count;
    bool truncated;
    struct kines_mem *mem;
} kines_schema_result;

/* Validates len bytes of JSON text (text that is not JSON is invalid, with one error saying
 * where). Returns true when valid. With out, it also collects every error (free it with
 * kines_schema_result_free, valid or not); with out NULL it stops at the first failure, which is
 * the fast way to ask only "valid or not". */
bool kines_schema_validate(const kines_schema *s, const void *json, size_t len,
                           kines_schema_result *out);
void kines_schema_result_free(kines_schema_result *r);

/* One line for a person: "/payload/recipient: required property missing (schema
 * #/properties/payload/required)"; "/" stands for the whole document. Returns what snprintf
 * returns. */
int kines_schema_error_format(const kines_schema_error *e, char *buf, size_t size);

/* Every error of r on one line, joined by separator (e.g. "; "), into buf; what does not fit is
 * cut with "...". Returns the length written. */
size_t kines_schema_result_format(const kines_schema_result *r, const char *separator, char *buf,
                                  size_t size);

/* The draft a "--draft" word names: "4", "6", "7", "2019-09", "2020-12" (also "draft-07" and
 * the "$schema" URIs); KINES_SCHEMA_DRAFT_DEFAULT when it names none. */
kines_schema_draft kines_schema_draft_parse(const char *name);

#ifdef __cplusplus
}
#endif

#endif
