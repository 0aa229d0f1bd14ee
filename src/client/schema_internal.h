/* schema_internal.h - a compiled schema: one snode per (sub)schema, keywords checked and
 * converted at compile time (regexes compiled, $refs resolved to the snode they name, draft
 * differences folded), so that validation only walks snodes and the instance. Shared by
 * schema_compile.c (which builds them) and schema_validate.c (which reads them, from any number
 * of threads). */
#ifndef KINES_CLIENT_SCHEMA_INTERNAL_H
#define KINES_CLIENT_SCHEMA_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "schema_alloc.h"
#include "kines/schema.h"
#include "schema_format.h"
#include "schema_json.h"
#include "schema_regex.h"

/* Bits of snode.types. */
enum {
    T_NULL = 1 << 0,
    T_BOOLEAN = 1 << 1,
    T_OBJECT = 1 << 2,
    T_ARRAY = 1 << 3,
    T_NUMBER = 1 << 4,
    T_STRING = 1 << 5,
    T_INTEGER = 1 << 6,
};

typedef struct snode snode;

/* Subschemas in schema order (allOf, anyOf, oneOf, prefixItems / array-form items). */
typedef struct slist {
    snode **items;
    size_t count;
} slist;

/* A list of property names (required, a dependentRequired entry). */
typedef struct snames {
    const jval **names; /* string nodes of the schema document */
    size_t count;
} snames;

/* properties: a member name and its schema. */
typedef struct sprop {
    const jval *name;
    snode *schema;
} sprop;

/* patternProperties: a regex and its schema. */
typedef struct spattern {
    const jval *source;
    sregex *re;
    snode *schema;
} spattern;

/* dependentRequired / dependentSchemas (or draft 4-7 "dependencies"): when the property `name`
 * is present, these properties are required or this schema applies. */
typedef struct sdep {
    const jval *name;
    snames required;
    snode *schema;
    const char *keyword; /* for error paths: "dependencies", "dependentRequired", ... */
} sdep;

/* A schema with a "$dynamicAnchor" that a "$dynamicRef" may land on, in its resource. */
typedef struct sdynamic {
    const char *resource; /* the base URI of the resource it is in */
    snode *schema;
} sdynamic;

#define SCHEMA_ABSENT (-1) /* an absent count keyword (minLength, maxItems, ...) */

struct snode {
    const char *location; /* "#/properties/a", "other.json#/$defs/b", "urn:x#" */
    uint16_t draft;       /* kines_schema_draft of the resource it is in */
    int8_t boolean;       /* -1: a schema object; 0 / 1: the schema false / true */
    bool unevaluated;     /* has unevaluatedProperties or unevaluatedItems */

    const char *resource;  /* when it starts a schema resource (a document, an $id): its base URI */
    bool recursive_anchor; /* 2019-09 "$recursiveAnchor": true */

    snode *ref;               /* $ref, or where $dynamicRef/$recursiveRef lead statically */
    const char *ref_keyword;  /* "$ref", "$dynamicRef", "$recursiveRef" */
    bool recursive_ref;       /* $recursiveRef: the outermost "$recursiveAnchor" resource wins */
    const char *dynamic_name; /* $dynamicRef to a "$dynamicAnchor": the anchor's name */
    sdynamic *dynamic;        /* every schema with that "$dynamicAnchor", by resource */
    size_t dynamic_count;
    uint8_t types;           /* T_* bits; 0 when there is no "type" */
    const jval *enum_values; /* an array */
    const jval *const_value;

    const jval *minimum, *maximum, *exclusive_minimum, *exclusive_maximum, *multiple_of;
    const char *exclusive_minimum_keyword; /* "exclusiveMinimum"; "minimum" for draft 4's
                                              boolean form */
    const char *exclusive_maximum_keyword;

    int64_t min_length, max_length; /* code points */
    sregex *pattern;
    const jval *pattern_source;
    format_fn format;
    const jval *format_name;
    bool content_base64; /* draft 7 "contentEncoding": "base64", asserted with assert_format */
    bool content_json;   /* draft 7 "contentMediaType": "application/json", likewise */

    int64_t min_items, max_items;
    bool unique_items;
    slist prefix;               /* prefixItems, or array-form items */
    const char *prefix_keyword; /* "prefixItems" or "items" */
    snode *items;               /* the items after the prefix */
    const char *items_keyword;  /* "items" or "additionalItems" */
    snode *contains;
    int64_t min_contains, max_contains; /* min 1 unless minContains */
    snode *unevaluated_items;

    int64_t min_properties, max_properties;
    sprop *properties;
    size_t property_count;
    spattern *pattern_properties;
    size_t pattern_count;
    snode *additional_properties;
    snode *property_names;
    snames required;
    sdep *dependencies;
    size_t dependency_count;
    snode *unevaluated_properties;

    slist all_of, any_of, one_of;
    snode *not_schema, *if_schema, *then_schema, *else_schema;
};

/* A document that schemas were read from. */
typedef struct sdoc {
    char *text; /* the JSON text (the nodes point into it) */
    jdoc json;
    const char *uri;     /* where it was read from: file:, a mapped URI, or "" for the text given */
    const char *display; /* how errors name it: "" for the root document, else a file name or URI */
} sdoc;

/* Something a URI can name: a resource (an $id, a document) or an anchor ("URI#name"). */
typedef struct sresource {
    const char *uri; /* absolute, without fragment for resources, "uri#name" for anchors */
    const jval *node;
    const char *base; /* the base URI outside node (its own $id applies when compiled) */
    uint16_t draft;
    const sdoc *doc;
    bool dynamic; /* a "$dynamicAnchor" */
} sresource;

struct kines_schema {
    arena mem; /* snodes, strings, lists */
    snode *root;
    kines_schema_draft draft; /* of the root */
    kines_schema_draft default_draft;
    bool assert_format;
    char *schema_dir; /* absolute, no trailing slash; NULL when none */
    bool dir_scanned;
    kines_schema_mapping *mappings;
    size_t mapping_count;
    sdoc **docs;
    size_t doc_count;
    sresource *resources;
    size_t resource_count, resource_cap;
    sregex **regexes; /* to free */
    size_t regex_count, regex_cap;
    snode **dynamic_refs; /* snodes whose dynamic_name needs its candidates */
    size_t dynamic_ref_count;
    struct memo_slot *memo; /* compiled snode by schema node */
    size_t memo_count, memo_cap;
    kines_error *err; /* during compilation */
    bool failed;      /* compilation failed (err holds the first reason) */
};

/* schema_resolve.c: documents, the URIs they define, and $ref targets. */

/* A file's contents (caller frees), or NULL when it cannot be read. */
char *schema_read_file(const char *path, size_t *len);
/* Adds a document (text is taken over) and indexes its $ids and anchors; NULL (failed) when it
 * is not JSON, unless quiet (then it is only skipped). */
const sdoc *schema_add_doc(kines_schema *s, char *text, size_t len, const char *uri,
                           const char *display, bool quiet);
/* The snode a $ref (its value `ref`, against base) names; NULL (failed) when it cannot. When it
 * names a "$dynamicAnchor", *dynamic_name (may be NULL) is set to the anchor's name. */
snode *schema_resolve_ref(kines_schema *s, const char *base, const char *ref, const char *from,
                          const char **dynamic_name);
/* Gives every $dynamicRef snode the schemas its anchor name may land on. */
void schema_link_dynamic(kines_schema *s);
/* Whether v is the root of a loaded document. */
bool schema_is_document(const kines_schema *s, const jval *v);
/* A schema object's "$id" ("id" in draft 4), ignored beside "$ref" before 2019-09; or NULL. */
const jval *schema_id(const jval *v, uint16_t draft);
/* The base URI inside schema object v, given the one outside it. */
const char *schema_base_inside(kines_schema *s, const jval *v, const char *outer, uint16_t draft);
/* The draft a schema object's "$schema" names, `draft` without one, 0 for an unknown one. */
uint16_t schema_draft_of(const jval *v, uint16_t draft);

/* schema_compile.c */
snode *schema_compile_node(kines_schema *s, const jval *v, const char *base, const char *location,
                           uint16_t draft);
/* Records the first compilation error ("WHERE: MESSAGE"); returns NULL. */
void *schema_fail(kines_schema *s, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
