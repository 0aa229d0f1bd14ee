/* schema_compile.c - from schema JSON to snodes, keyword by keyword (a table says which drafts
 * know each keyword and how its value is checked and stored), and the public compile calls.
 * Every subschema is compiled once (a memo by schema node), which also ties $ref cycles. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "options.h"
#include "schema_internal.h"
#include "schema_uri.h"

/* ---- the memo: snode by schema node ------------------------------------------------------------
 */

struct memo_slot {
    const jval *key; /* the schema node; NULL for a free slot */
    snode *node;     /* compiled from it (possibly still being filled: a $ref cycle) */
};

static size_t memo_index(const jval *key, size_t cap)
{
    return (size_t)((((uintptr_t)key >> 4) * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
}

static snode *memo_get(const kines_schema *s, const jval *key)
{
    if (!s->memo_cap)
        return NULL;
    for (size_t i = memo_index(key, s->memo_cap);; i = (i + 1) & (s->memo_cap - 1)) {
        if (!s->memo[i].key)
            return NULL;
        if (s->memo[i].key == key)
            return s->memo[i].node;
    }
}

static void memo_insert(struct memo_slot *slots, size_t cap, const jval *key, snode *node)
{
    size_t i = memo_index(key, cap);
    while (slots[i].key)
        i = (i + 1) & (cap - 1);
    slots[i] = (struct memo_slot){key, node};
}

static void memo_put(kines_schema *s, const jval *key, snode *node)
{
    if (2 * (s->memo_count + 1) > s->memo_cap) {
        size_t cap = s->memo_cap ? 2 * s->memo_cap : 64;
        struct memo_slot *slots = calloc(cap, sizeof *slots);
        if (!slots)
            abort();
        for (size_t i = 0; i < s->memo_cap; i++)
            if (s->memo[i].key)
                memo_insert(slots, cap, s->memo[i].key, s->memo[i].node);
        free(s->memo);
        s->memo = slots;
        s->memo_cap = cap;
    }
    memo_insert(s->memo, s->memo_cap, key, node);
    s->memo_count++;
}

void *schema_fail(kines_schema *s, const char *where, const char *fmt, ...)
{
    if (s->failed)
        return NULL;
    char message[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (*where)
        kines_fail(s->err, KINES_ERR_INVALID, "%s: %s", where, message);
    else
        kines_fail(s->err, KINES_ERR_INVALID, "%s", message);
    s->failed = true;
    return NULL;
}

/* ---- keywords
 * ------------------------------------------------------------------------------------ */

/* The schema object being compiled. */
typedef struct cctx {
    kines_schema *s;      /* the schema being compiled */
    snode *n;             /* the snode being filled */
    const char *base;     /* base URI in effect in it */
    const char *location; /* its location, for errors and its subschemas' locations */
    uint16_t draft;       /* the draft in effect in it */
    bool exclusive_minimum_flag, exclusive_maximum_flag; /* draft 4 booleans */
    const jval *additional_items;                        /* kept until array-form items is known */
} cctx;

typedef struct keyword keyword;
typedef int (*keyword_fn)(cctx *c, const keyword *kw, const jval *v);

struct keyword {
    const char *name;   /* as written in schemas */
    uint16_t from, to;  /* the drafts that know it */
    keyword_fn compile; /* checks the value and stores it into the snode */
    size_t offset;      /* where in the snode it goes, for the generic ones */
};

static char *location_of(cctx *c, const char *kw)
{
    char *loc = schema_alloc(&c->s->mem, strlen(c->location) + strlen(kw) + 2);
    sprintf(loc, "%s/%s", c->location, kw);
    return loc;
}

static int bad(cctx *c, const char *kw, const char *what)
{
    schema_fail(c->s, location_of(c, kw), "%s", what);
    return -1;
}

/* Compiles the subschema v of keyword kw (under key or at index when one is given). */
static snode *child(cctx *c, const jval *v, const char *kw, const jval *key, long index)
{
    char *loc = location_of(c, kw);
    if (key)
        loc = pointer_append(&c->s->mem, loc, key->text, key->len);
    if (index >= 0) {
        char number[24];
        snprintf(number, sizeof number, "%ld", index);
        loc = pointer_append(&c->s->mem, loc, number, strlen(number));
    }
    return schema_compile_node(c->s, v, c->base, loc, c->draft);
}

static void *field(snode *n, const keyword *kw)
{
    return (char *)n + kw->offset;
}

static int kw_schema(cctx *c, const keyword *kw, const jval *v)
{
    snode *sub = child(c, v, kw->name, NULL, -1);
    *(snode **)field(c->n, kw) = sub;
    return sub ? 0 : -1;
}

static int kw_list(cctx *c, const keyword *kw, const jval *v)
{
    if (v->kind != J_ARRAY || v->len == 0)
        return bad(c, kw->name, "must be a non-empty array of schemas");
    slist *list = field(c->n, kw);
    list->items = schema_alloc(&c->s->mem, v->len * sizeof *list->items);
    list->count = v->len;
    long i = 0;
    for (const jval *x = v + 1; x < jval_next(v); x = jval_next(x), i++)
        if (!(list->items[i] = child(c, x, kw->name, NULL, i)))
            return -1;
    return 0;
}

static int kw_number(cctx *c, const keyword *kw, const jval *v)
{
    if (v->kind != J_NUMBER)
        return bad(c, kw->name, "must be a number");
    *(const jval **)field(c->n, kw) = v;
    return 0;
}

static int kw_count(cctx *c, const keyword *kw, const jval *v)
{
    if (!jval_is_integer(v, c->draft == KINES_SCHEMA_DRAFT_4) || v->num < 0)
        return bad(c, kw->name, "must be a non-negative integer");
    *(int64_t *)field(c->n, kw) = v->num > (double)INT64_MAX ? INT64_MAX : (int64_t)v->num;
    return 0;
}

static int kw_exclusive_flag(cctx *c, const keyword *kw, const jval *v)
{
    if (v->kind != J_TRUE && v->kind != J_FALSE)
        return bad(c, kw->name, "must be a boolean in draft 4");
    bool *flag = strcmp(kw->name, "exclusiveMinimum") == 0 ? &c->exclusive_minimum_flag
                                                           : &c->exclusive_maximum_flag;
    *flag = v->kind == J_TRUE;
    return 0;
}

static int kw_multiple_of(cctx *c, const keyword *kw, const jval *v)
{
    if (v->kind != J_NUMBER || v->num <= 0)
        return bad(c, kw->name, "must be a number greater than 0");
    c->n->multiple_of = v;
    return 0;
}

static int kw_type(cctx *c, const keyword *kw, const jval *v)
{
    static const char *const names[] = {"null",   "boolean", "object", "array",
                                        "number", "string",  "integer"};
    const jval *one = v, *end = jval_next(v);
    if (v->kind == J_ARRAY)
        one = v + 1;
    for (; one < end; one = jval_next(one)) {
        size_t i = 0;
        while (i < 7 && !jval_str_is(one, names[i]))
            i++;
        if (i == 7)
            return bad(c, kw->name,
                       "must name JSON types (null, boolean, object, array, number, "
                       "string, integer)");
        c->n->types |= (uint8_t)(1u << i);
    }
    return 0;
}

static int kw_enum(cctx *c, const keyword *kw, const jval *v)
{
    if (v->kind != J_ARRAY)
        return bad(c, kw->name, "must be an array");
    c->n->enum_values = v;
    return 0;
}

static int kw_const(cctx *c, const keyword *kw, const jval *v)
{
    (void)kw;
    c->n->const_value = v;
    return 0;
}

static sregex *regex(cctx *c, const char *kw, const jval *source)
{
    char why[160];
    if (source->kind != J_STRING) {
        bad(c, kw, "must be a regular expression (a string)");
        return NULL;
    }
    sregex *re = sregex_compile(source->text, source->len, why, sizeof why);
    if (!re) {
        schema_fail(c->s, location_of(c, kw), "bad regular expression /%.*s/: %s", (int)source->len,
                    source->text, why);
        return NULL;
    }
    kines_schema *s = c->s;
    if (s->regex_count == s->regex_cap) {
        s->regex_cap = s->regex_cap ? 2 * s->regex_cap : 8;
        s->regexes = realloc(s->regexes, s->regex_cap * sizeof *s->regexes);
        if (!s->regexes)
            abort();
    }
    s->regexes[s->regex_count++] = re;
    return re;
}

static int kw_pattern(cctx *c, const keyword *kw, const jval *v)
{
    c->n->pattern_source = v;
    return (c->n->pattern = regex(c, kw->name, v)) ? 0 : -1;
}

static int kw_format(cctx *c, const keyword *kw, const jval *v)
{
    if (v->kind != J_STRING)
        return bad(c, kw->name, "must be a string");
    c->n->format_name = v;
    if (c->s->assert_format)
        c->n->format = format_checker(v->text, v->len);
    return 0;
}

static int kw_recursive_anchor(cctx *c, const keyword *kw, const jval *v)
{
    if (v->kind != J_TRUE && v->kind != J_FALSE)
        return bad(c, kw->name, "must be a boolean");
    c->n->recursive_anchor = v->kind == J_TRUE;
    return 0;
}

/* Draft 7's content keywords, asserted only with assert_format (the draft allows it; later
 * drafts make them annotations): base64 and JSON are checked, other values pass. */
static int kw_content(cctx *c, const keyword *kw, const jval *v)
{
    if (v->kind != J_STRING)
        return bad(c, kw->name, "must be a string");
    bool *flag =
        strcmp(kw->name, "contentEncoding") == 0 ? &c->n->content_base64 : &c->n->content_json;
    const char *asserted = flag == &c->n->content_base64 ? "base64" : "application/json";
    *flag = c->s->assert_format && jval_str_is(v, asserted);
    return 0;
}

static int kw_unique_items(cctx *c, const keyword *kw, const jval *v)
{
    if (v->kind != J_TRUE && v->kind != J_FALSE)
        return bad(c, kw->name, "must be a boolean");
    c->n->unique_items = v->kind == J_TRUE;
    return 0;
}

static const keyword list_prefix = {"prefixItems", 0, 0, kw_list, offsetof(snode, prefix)};
static const keyword list_items = {"items", 0, 0, kw_list, offsetof(snode, prefix)};

/* "items": a schema for every item (after prefixItems in 2020-12), or before 2020-12 an array
 * of schemas, one per position. */
static int kw_items(cctx *c, const keyword *kw, const jval *v)
{
    if (v->kind == J_ARRAY) {
        c->n->prefix_keyword = "items";
        return kw_list(c, &list_items, v);
    }
    c->n->items_keyword = kw->name;
    return (c->n->items = child(c, v, kw->name, NULL, -1)) ? 0 : -1;
}

static int kw_prefix_items(cctx *c, const keyword *kw, const jval *v)
{
    (void)kw;
    c->n->prefix_keyword = "prefixItems";
    return kw_list(c, &list_prefix, v);
}

static int kw_additional_items(cctx *c, const keyword *kw, const jval *v)
{
    (void)kw;
    c->additional_items = v; /* applies only beside array-form items: see finish_node */
    return 0;
}

static int kw_properties(cctx *c, const keyword *kw, const jval *v)
{
    if (v->kind != J_OBJECT)
        return bad(c, kw->name, "must be an object of schemas");
    snode *n = c->n;
    n->properties = schema_alloc(&c->s->mem, (v->len + 1) * sizeof *n->properties);
    n->property_count = v->len;
    size_t i = 0;
    for (const jval *k = v + 1; k < jval_next(v); k = jval_next(k + 1), i++) {
        n->properties[i].name = k;
        if (!(n->properties[i].schema = child(c, k + 1, kw->name, k, -1)))
            return -1;
    }
    return 0;
}

static int kw_pattern_properties(cctx *c, const keyword *kw, const jval *v)
{
    if (v->kind != J_OBJECT)
        return bad(c, kw->name, "must be an object of schemas");
    snode *n = c->n;
    n->pattern_properties = schema_alloc(&c->s->mem, (v->len + 1) * sizeof *n->pattern_properties);
    n->pattern_count = v->len;
    size_t i = 0;
    for (const jval *k = v + 1; k < jval_next(v); k = jval_next(k + 1), i++) {
        spattern *p = &n->pattern_properties[i];
        p->source = k;
        if (!(p->re = regex(c, kw->name, k)) || !(p->schema = child(c, k + 1, kw->name, k, -1)))
            return -1;
    }
    return 0;
}

/* A list of property names, checked to be strings. */
static int names_of(cctx *c, const char *kw, const jval *v, snames *out)
{
    if (v->kind != J_ARRAY)
        return bad(c, kw, "must be an array of property names");
    out->names = schema_alloc(&c->s->mem, (v->len + 1) * sizeof *out->names);
    out->count = v->len;
    size_t i = 0;
    for (const jval *x = v + 1; x < jval_next(v); x = jval_next(x)) {
        if (x->kind != J_STRING)
            return bad(c, kw, "must be an array of property names");
        out->names[i++] = x;
    }
    return 0;
}

static int kw_required(cctx *c, const keyword *kw, const jval *v)
{
    return names_of(c, kw->name, v, &c->n->required);
}

/* "dependencies" (names or a schema per property), "dependentRequired" (names),
 * "dependentSchemas" (a schema). */
static int kw_dependencies(cctx *c, const keyword *kw, const jval *v)
{
    if (v->kind != J_OBJECT)
        return bad(c, kw->name, "must be an object");
    snode *n = c->n;
    sdep *all = schema_alloc(&c->s->mem, (n->dependency_count + v->len + 1) * sizeof *all);
    if (n->dependency_count)
        memcpy(all, n->dependencies, n->dependency_count * sizeof *all);
    n->dependencies = all;
    bool names = strcmp(kw->name, "dependentRequired") == 0;
    bool schemas = strcmp(kw->name, "dependentSchemas") == 0;
    for (const jval *k = v + 1; k < jval_next(v); k = jval_next(k + 1)) {
        sdep *d = &all[n->dependency_count++];
        d->name = k;
        d->keyword = kw->name;
        const jval *value = k + 1;
        if (names || (!schemas && value->kind == J_ARRAY)) {
            char *loc = pointer_append(&c->s->mem, kw->name, k->text, k->len);
            if (names_of(c, loc, value, &d->required) != 0)
                return -1;
        } else if (!(d->schema = child(c, value, kw->name, k, -1))) {
            return -1;
        }
    }
    return 0;
}

static int kw_ref(cctx *c, const keyword *kw, const jval *v)
{
    if (v->kind != J_STRING)
        return bad(c, kw->name, "must be a URI reference (a string)");
    if (c->n->ref)
        return 0; /* "$ref" beside a "$dynamicRef": the first one stands */
    char *ref = schema_strndup(&c->s->mem, v->text, v->len);
    snode *n = c->n;
    kines_schema *s = c->s;
    const char *dynamic_name = NULL;
    n->ref_keyword = kw->name;
    n->ref = schema_resolve_ref(s, c->base, ref, location_of(c, kw->name), &dynamic_name);
    if (strcmp(kw->name, "$recursiveRef") == 0)
        n->recursive_ref = true;
    if (dynamic_name && strcmp(kw->name, "$dynamicRef") == 0) {
        n->dynamic_name = dynamic_name;
        s->dynamic_refs = realloc(s->dynamic_refs, (s->dynamic_ref_count + 1) * sizeof(snode *));
        if (!s->dynamic_refs)
            abort();
        s->dynamic_refs[s->dynamic_ref_count++] = n;
    }
    return n->ref ? 0 : -1;
}

#define D4 KINES_SCHEMA_DRAFT_4
#define D6 KINES_SCHEMA_DRAFT_6
#define D7 KINES_SCHEMA_DRAFT_7
#define D2019 KINES_SCHEMA_DRAFT_2019_09
#define D2020 KINES_SCHEMA_DRAFT_2020_12
#define AT(f) offsetof(snode, f)

static const keyword keywords[] = {
    {"$ref", D4, D2020, kw_ref, 0},
    {"$recursiveRef", D2019, D2019, kw_ref, 0},
    {"$recursiveAnchor", D2019, D2019, kw_recursive_anchor, 0},
    {"$dynamicRef", D2020, D2020, kw_ref, 0},
    {"type", D4, D2020, kw_type, 0},
    {"enum", D4, D2020, kw_enum, 0},
    {"const", D6, D2020, kw_const, 0},
    {"minimum", D4, D2020, kw_number, AT(minimum)},
    {"maximum", D4, D2020, kw_number, AT(maximum)},
    {"exclusiveMinimum", D4, D4, kw_exclusive_flag, 0},
    {"exclusiveMaximum", D4, D4, kw_exclusive_flag, 0},
    {"exclusiveMinimum", D6, D2020, kw_number, AT(exclusive_minimum)},
    {"exclusiveMaximum", D6, D2020, kw_number, AT(exclusive_maximum)},
    {"multipleOf", D4, D2020, kw_multiple_of, 0},
    {"minLength", D4, D2020, kw_count, AT(min_length)},
    {"maxLength", D4, D2020, kw_count, AT(max_length)},
    {"pattern", D4, D2020, kw_pattern, 0},
    {"format", D4, D2020, kw_format, 0},
    {"contentEncoding", D7, D7, kw_content, 0},
    {"contentMediaType", D7, D7, kw_content, 0},
    {"minItems", D4, D2020, kw_count, AT(min_items)},
    {"maxItems", D4, D2020, kw_count, AT(max_items)},
    {"uniqueItems", D4, D2020, kw_unique_items, 0},
    {"items", D4, D2020, kw_items, 0},
    {"additionalItems", D4, D2019, kw_additional_items, 0},
    {"prefixItems", D2020, D2020, kw_prefix_items, 0},
    {"contains", D6, D2020, kw_schema, AT(contains)},
    {"minContains", D2019, D2020, kw_count, AT(min_contains)},
    {"maxContains", D2019, D2020, kw_count, AT(max_contains)},
    {"unevaluatedItems", D2019, D2020, kw_schema, AT(unevaluated_items)},
    {"minProperties", D4, D2020, kw_count, AT(min_properties)},
    {"maxProperties", D4, D2020, kw_count, AT(max_properties)},
    {"properties", D4, D2020, kw_properties, 0},
    {"patternProperties", D4, D2020, kw_pattern_properties, 0},
    {"additionalProperties", D4, D2020, kw_schema, AT(additional_properties)},
    {"propertyNames", D6, D2020, kw_schema, AT(property_names)},
    {"unevaluatedProperties", D2019, D2020, kw_schema, AT(unevaluated_properties)},
    {"required", D4, D2020, kw_required, 0},
    {"dependencies", D4, D2020, kw_dependencies, 0},
    {"dependentRequired", D2019, D2020, kw_dependencies, 0},
    {"dependentSchemas", D2019, D2020, kw_dependencies, 0},
    {"allOf", D4, D2020, kw_list, AT(all_of)},
    {"anyOf", D4, D2020, kw_list, AT(any_of)},
    {"oneOf", D4, D2020, kw_list, AT(one_of)},
    {"not", D4, D2020, kw_schema, AT(not_schema)},
    {"if", D7, D2020, kw_schema, AT(if_schema)},
    {"then", D7, D2020, kw_schema, AT(then_schema)},
    {"else", D7, D2020, kw_schema, AT(else_schema)},
};

static const keyword *keyword_for(const jval *name, uint16_t draft)
{
    for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
        if (draft >= keywords[i].from && draft <= keywords[i].to &&
            jval_str_is(name, keywords[i].name))
            return &keywords[i];
    return NULL;
}

/* What depends on several keywords: draft 4's boolean exclusive bounds, additionalItems. */
static int finish_node(cctx *c)
{
    snode *n = c->n;
    n->exclusive_minimum_keyword = "exclusiveMinimum";
    n->exclusive_maximum_keyword = "exclusiveMaximum";
    if (c->exclusive_minimum_flag && n->minimum) {
        n->exclusive_minimum = n->minimum;
        n->exclusive_minimum_keyword = "minimum";
        n->minimum = NULL;
    }
    if (c->exclusive_maximum_flag && n->maximum) {
        n->exclusive_maximum = n->maximum;
        n->exclusive_maximum_keyword = "maximum";
        n->maximum = NULL;
    }
    if (c->additional_items && n->prefix_keyword && strcmp(n->prefix_keyword, "items") == 0) {
        n->items_keyword = "additionalItems";
        if (!(n->items = child(c, c->additional_items, "additionalItems", NULL, -1)))
            return -1;
    }
    n->unevaluated = n->unevaluated_items || n->unevaluated_properties;
    return 0;
}

snode *schema_compile_node(kines_schema *s, const jval *v, const char *base, const char *location,
                           uint16_t draft)
{
    if (s->failed)
        return NULL;
    snode *n = memo_get(s, v);
    if (n)
        return n;
    n = schema_alloc(&s->mem, sizeof *n);
    memo_put(s, v, n);
    n->location = location;
    n->draft = draft;
    n->boolean = -1;
    n->min_length = n->max_length = n->min_items = n->max_items = SCHEMA_ABSENT;
    n->min_properties = n->max_properties = n->max_contains = SCHEMA_ABSENT;
    n->min_contains = 1;
    if (v->kind == J_TRUE || v->kind == J_FALSE) {
        n->boolean = v->kind == J_TRUE;
        return n;
    }
    if (v->kind != J_OBJECT)
        return schema_fail(s, location, "a schema must be an object or a boolean");
    if (schema_id(v, draft)) {
        base = schema_base_inside(s, v, base, draft);
        n->draft = draft = schema_draft_of(v, draft);
        n->resource = base;
    } else if (schema_is_document(s, v)) {
        n->resource = base;
    }
    if (!draft)
        return schema_fail(s, location,
                           "unsupported $schema (drafts 4, 6, 7, 2019-09 and "
                           "2020-12 are)");
    cctx c = {s, n, base, location, draft, false, false, NULL};
    bool ref_only = draft < D2019 && jval_member(v, "$ref", 4);
    for (const jval *k = v + 1; k < jval_next(v); k = jval_next(k + 1)) {
        if (ref_only && !jval_str_is(k, "$ref"))
            continue; /* before 2019-09, $ref replaces the keywords beside it */
        const keyword *kw = keyword_for(k, draft);
        if (kw && kw->compile(&c, kw, k + 1) != 0)
            return NULL;
    }
    return finish_node(&c) == 0 && !s->failed ? n : NULL;
}

/* ---- the public calls
 * ------------------------------------------------------------------------------ */

static bool known_draft(kines_schema_draft d)
{
    return d == D4 || d == D6 || d == D7 || d == D2019 || d == D2020;
}

static void set_schema_dir(kines_schema *s, const char *dir)
{
    char *abs = realpath(dir, NULL);
    if (!abs) {
        schema_fail(s, dir, "cannot open the schema directory");
        return;
    }
    s->schema_dir = schema_strdup(&s->mem, abs);
    free(abs);
}

static kines_schema *schema_new(const kines_schema_options *given, kines_error *err)
{
    kines_schema_options read;
    options_read(&read, sizeof read, given, OPTIONS_V1_SIZE(kines_schema_options, mapping_count));
    const kines_schema_options *o = given ? &read : NULL;
    kines_schema *s = calloc(1, sizeof *s);
    if (!s)
        abort(); /* the schema module does not survive out of memory yet (schema_alloc.h) */
    arena_init(&s->mem);
    s->err = err;
    s->default_draft = o && o->draft ? o->draft : KINES_SCHEMA_DRAFT_2020_12;
    if (!known_draft(s->default_draft))
        schema_fail(s, "options", "unknown draft %d", (int)s->default_draft);
    s->assert_format = o && o->assert_format;
    if (o && o->schema_dir)
        set_schema_dir(s, o->schema_dir);
    s->mapping_count = o ? o->mapping_count : 0;
    s->mappings = schema_alloc(&s->mem, (s->mapping_count + 1) * sizeof *s->mappings);
    for (size_t i = 0; i < s->mapping_count; i++) {
        s->mappings[i].uri_prefix = schema_strdup(&s->mem, o->mappings[i].uri_prefix);
        s->mappings[i].dir = schema_strdup(&s->mem, o->mappings[i].dir);
    }
    return s;
}

/* Compiles the root of doc; frees s and returns NULL when anything failed. */
static kines_schema *finish(kines_schema *s, const sdoc *doc)
{
    if (doc && !s->failed) {
        uint16_t draft = schema_draft_of(doc->json.nodes, (uint16_t)s->default_draft);
        s->root = schema_compile_node(s, doc->json.nodes, doc->uri, "#", draft);
        schema_link_dynamic(s);
    }
    if (s->failed || !s->root) {
        kines_schema_free(s);
        return NULL;
    }
    s->draft = (kines_schema_draft)s->root->draft;
    s->err = NULL;
    free(s->memo);
    s->memo = NULL;
    s->memo_cap = s->memo_count = 0;
    return s;
}

kines_schema *kines_schema_compile(const char *json, size_t len, const kines_schema_options *opts,
                                   kines_error *err)
{
    kines_schema *s = schema_new(opts, err);
    char *text = malloc(len + 1);
    if (!text)
        abort();
    memcpy(text, json, len);
    text[len] = '\0';
    char *uri = "";
    if (s->schema_dir) { /* relative $refs name files of the schema directory */
        uri = schema_alloc(&s->mem, strlen(s->schema_dir) + 9);
        sprintf(uri, "file://%s/", s->schema_dir);
    }
    const sdoc *doc = s->failed ? NULL : schema_add_doc(s, text, len, uri, "", false);
    if (s->failed && !doc && s->doc_count == 0)
        free(text);
    return finish(s, doc);
}

kines_schema *kines_schema_compile_file(const char *path, const kines_schema_options *opts,
                                        kines_error *err)
{
    char *abs = realpath(path, NULL);
    size_t len;
    char *text = abs ? schema_read_file(abs, &len) : NULL;
    if (!text) {
        free(abs);
        kines_fail(err, KINES_ERR_INVALID, "cannot read: %s", strerror(errno));
        return NULL;
    }
    kines_schema *s = schema_new(opts, err);
    if (!s->schema_dir && !s->failed) {
        *strrchr(abs, '/') = '\0';
        set_schema_dir(s, *abs ? abs : "/");
        abs[strlen(abs)] = '/';
    }
    char *uri = schema_alloc(&s->mem, strlen(abs) + 8);
    sprintf(uri, "file://%s", abs);
    free(abs);
    const sdoc *doc = s->failed ? NULL : schema_add_doc(s, text, len, uri, "", false);
    if (!doc && s->doc_count == 0)
        free(text);
    return finish(s, doc);
}

void kines_schema_free(kines_schema *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->doc_count; i++) {
        jdoc_free(&s->docs[i]->json);
        free(s->docs[i]->text);
    }
    for (size_t i = 0; i < s->regex_count; i++)
        sregex_free(s->regexes[i]);
    free(s->docs);
    free(s->resources);
    free(s->regexes);
    free(s->dynamic_refs);
    free(s->memo);
    arena_free(&s->mem);
    free(s);
}

kines_schema_draft kines_schema_draft_of(const kines_schema *s)
{
    return s->draft;
}
