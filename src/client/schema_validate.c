/* schema_validate.c - validation of a JSON document against compiled snodes, and the errors.
 *
 * A validation first runs without collecting errors, stopping at the first failure: a valid
 * document (the common case) costs no error formatting at all. Only when that fails, and the
 * caller asked for errors, does it run again collecting every error. anyOf and oneOf do the same
 * per alternative: when none matches, they report the alternative that came closest (its errors
 * lie deepest in the document, then fewest), after one line saying that none matched.
 *
 * unevaluatedProperties / unevaluatedItems need to know what the other keywords evaluated: a
 * schema that has them collects, for its value, a bit per member or item that any keyword or
 * in-place subschema (allOf, anyOf, oneOf, if/then/else, dependentSchemas, $ref) evaluated
 * successfully. Nothing is collected for schemas without them. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/buf.h"
#include "error.h"
#include "mem.h"
#include "schema_check.h"
#include "schema_internal.h"
#include "schema_uri.h"

#define MAX_DEPTH 1000  /* nested subschema applications: ends $ref loops */
#define STACK_NODES 512 /* instance nodes parsed without allocating */
/* Subschema applications per validation, plus this many per instance node: a bound on the work
 * that nested anyOf/oneOf can multiply (exponential in their nesting) on a hostile document. The
 * evaluation sets of unevaluated* count a step per 64 members, which bounds their memory too. */
#define BASE_STEPS 1000000
#define STEPS_PER_NODE 16

/* The members or items of one value that some keyword evaluated. */
typedef struct evalset {
    uint64_t *bits; /* bit i: member or item i was evaluated */
    uint32_t n;     /* members or items */
} evalset;

/* Where a value is in the document: its parent's path and its key or index. */
typedef struct ipath {
    const struct ipath *up;
    const char *key; /* NULL for an array index */
    uint32_t key_len;
    uint32_t index;
} ipath;

/* The dynamic scope: the schema resources entered on the way to the current schema. */
typedef struct scope {
    const snode *resource; /* an snode with `resource` set */
    const struct scope *up;
} scope;

typedef struct vctx {
    bool collect; /* record errors (else stop at the first failure) */
    kbuf errors;  /* kines_schema_error[] */
    bool truncated;
    arena *mem;       /* error strings, evaluation sets */
    void *match_data; /* PCRE2 match data of this validation */
    int depth;
    uint64_t steps, max_steps; /* subschema applications so far, and the budget */
    const scope *scope;        /* innermost first */
} vctx;

static bool v_schema(vctx *c, const snode *s, const jval *v, const ipath *p, evalset *ev);

/* ---- errors
 * -------------------------------------------------------------------------------------- */

static size_t error_count(const vctx *c)
{
    return c->errors.len / sizeof(kines_schema_error);
}

static kines_schema_error *error_at(vctx *c, size_t i)
{
    return (kines_schema_error *)c->errors.data + i;
}

static char *render_path(arena *a, const ipath *p)
{
    if (!p)
        return schema_strdup(a, "");
    char *up = render_path(a, p->up);
    if (p->key)
        return pointer_append(a, up, p->key, p->key_len);
    char index[16];
    snprintf(index, sizeof index, "%u", p->index);
    return pointer_append(a, up, index, strlen(index));
}

/* Records that keyword of s failed for the value at p; returns false. */
__attribute__((format(printf, 5, 6))) static bool fail(vctx *c, const snode *s, const char *keyword,
                                                       const ipath *p, const char *fmt, ...)
{
    if (!c->collect)
        return false;
    if (error_count(c) >= KINES_SCHEMA_MAX_ERRORS) {
        c->truncated = true;
        return false;
    }
    kines_schema_error e;
    e.instance_path = render_path(c->mem, p);
    e.keyword = keyword;
    if (*keyword) {
        char *path = schema_alloc(c->mem, strlen(s->location) + strlen(keyword) + 2);
        sprintf(path, "%s/%s", s->location, keyword);
        e.schema_path = path;
    } else {
        e.schema_path = s->location;
    }
    kbuf text = KBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    kbuf_vprintf(&text, fmt, ap);
    va_end(ap);
    e.message = schema_strndup(c->mem, text.data, text.len);
    kbuf_free(&text);
    kbuf_append(&c->errors, &e, sizeof e);
    return false;
}

/* A short rendering of a schema value for messages: its text when short, else "…". */
static void describe(kbuf *out, const jval *v)
{
    if (v->kind == J_STRING && v->len <= 40)
        kbuf_printf(out, "\"%.*s\"", (int)v->len, v->text);
    else if (v->kind == J_NUMBER)
        kbuf_printf(out, "%.*s", (int)v->len, v->text);
    else
        kbuf_puts(out, v->kind == J_NULL     ? "null"
                       : v->kind == J_TRUE   ? "true"
                       : v->kind == J_FALSE  ? "false"
                       : v->kind == J_STRING ? "a string"
                       : v->kind == J_ARRAY  ? "an array"
                                             : "an object");
}

static const char *plural(int64_t n)
{
    return n == 1 ? "" : "s";
}

static const char *kind_name(const jval *v)
{
    static const char *const names[] = {"null",   "boolean", "boolean", "number",
                                        "string", "array",   "object"};
    return names[v->kind];
}

/* ---- evaluation sets
 * ----------------------------------------------------------------------------- */

static evalset *ev_new(vctx *c, const jval *v)
{
    evalset *e = schema_alloc(c->mem, sizeof *e);
    e->n = v->len;
    e->bits = schema_alloc(c->mem, ((v->len + 63) / 64) * sizeof(uint64_t));
    c->steps += v->len / 64; /* the memory counts against the work budget too */
    return e;
}

static void ev_mark(evalset *e, uint32_t i)
{
    if (e)
        e->bits[i / 64] |= 1ull << (i % 64);
}

static bool ev_has(const evalset *e, uint32_t i)
{
    return e->bits[i / 64] >> (i % 64) & 1;
}

static void ev_merge(evalset *into, const evalset *from)
{
    if (into && from)
        for (uint32_t i = 0; i < (into->n + 63) / 64; i++)
            into->bits[i] |= from->bits[i];
}

/* A fresh set for a subschema whose annotations count only if it succeeds (NULL when the
 * caller collects none). */
static evalset *ev_tentative(vctx *c, const evalset *ev, const jval *v)
{
    return ev ? ev_new(c, v) : NULL;
}

/* ---- generic keywords
 * ------------------------------------------------------------------------------ */

static bool check_type(vctx *c, const snode *s, const jval *v, const ipath *p)
{
    static const uint8_t bit_of[] = {T_NULL,   T_BOOLEAN, T_BOOLEAN, T_NUMBER,
                                     T_STRING, T_ARRAY,   T_OBJECT};
    uint8_t bit = bit_of[v->kind];
    if ((s->types & bit) ||
        ((s->types & T_INTEGER) && jval_is_integer(v, s->draft == KINES_SCHEMA_DRAFT_4)))
        return true;
    if (!c->collect)
        return false;
    static const char *const names[] = {"null",   "boolean", "object", "array",
                                        "number", "string",  "integer"};
    kbuf want = KBUF_INIT;
    for (int i = 0; i < 7; i++)
        if (s->types & (1 << i))
            kbuf_printf(&want, "%s%s", want.len ? " or " : "", names[i]);
    fail(c, s, "type", p, "expected %s, got %s", want.data, kind_name(v));
    kbuf_free(&want);
    return false;
}

static bool check_enum(vctx *c, const snode *s, const jval *v, const ipath *p)
{
    const jval *e = s->enum_values;
    for (const jval *x = e + 1; x < jval_next(e); x = jval_next(x))
        if (jval_equal(v, x))
            return true;
    if (!c->collect)
        return false;
    kbuf allowed = KBUF_INIT;
    if (e->len <= 8) {
        for (const jval *x = e + 1; x < jval_next(e); x = jval_next(x)) {
            kbuf_puts(&allowed, allowed.len ? ", " : "");
            describe(&allowed, x);
        }
        fail(c, s, "enum", p, "must be one of %s", allowed.data ? allowed.data : "(none)");
    } else {
        fail(c, s, "enum", p, "not one of the %u allowed values", e->len);
    }
    kbuf_free(&allowed);
    return false;
}

static bool check_const(vctx *c, const snode *s, const jval *v, const ipath *p)
{
    if (jval_equal(v, s->const_value))
        return true;
    if (!c->collect)
        return false;
    kbuf want = KBUF_INIT;
    describe(&want, s->const_value);
    fail(c, s, "const", p, "must be %s", want.data);
    kbuf_free(&want);
    return false;
}

/* ---- numbers and strings
 * ------------------------------------------------------------------------- */

static bool check_number(vctx *c, const snode *s, const jval *v, const ipath *p)
{
    bool ok = true;
    if (s->minimum && v->num < s->minimum->num)
        ok = fail(c, s, "minimum", p, "less than the minimum %.*s", (int)s->minimum->len,
                  s->minimum->text);
    if (s->maximum && v->num > s->maximum->num)
        ok = fail(c, s, "maximum", p, "greater than the maximum %.*s", (int)s->maximum->len,
                  s->maximum->text);
    if (s->exclusive_minimum && v->num <= s->exclusive_minimum->num)
        ok = fail(c, s, s->exclusive_minimum_keyword, p, "must be greater than %.*s",
                  (int)s->exclusive_minimum->len, s->exclusive_minimum->text);
    if (s->exclusive_maximum && v->num >= s->exclusive_maximum->num)
        ok = fail(c, s, s->exclusive_maximum_keyword, p, "must be less than %.*s",
                  (int)s->exclusive_maximum->len, s->exclusive_maximum->text);
    if (s->multiple_of && !jval_multiple_of(v, s->multiple_of))
        ok = fail(c, s, "multipleOf", p, "not a multiple of %.*s", (int)s->multiple_of->len,
                  s->multiple_of->text);
    return ok;
}

/* contentEncoding base64 and contentMediaType application/json (of the decoded bytes). */
static bool check_content(vctx *c, const snode *s, const jval *v, const ipath *p)
{
    const char *bytes = v->text;
    size_t n = v->len;
    if (s->content_base64) {
        char *decoded = schema_alloc(c->mem, v->len / 4 * 3 + 1);
        if (!base64_decode(v->text, v->len, decoded, &n))
            return fail(c, s, "contentEncoding", p, "not base64");
        bytes = decoded;
    }
    jdoc doc;
    bool json = !s->content_json || jdoc_parse(&doc, bytes, n, NULL, 0) == 0;
    if (s->content_json)
        jdoc_free(&doc);
    return json ? true : fail(c, s, "contentMediaType", p, "not application/json");
}

static bool check_string(vctx *c, const snode *s, const jval *v, const ipath *p)
{
    bool ok = true;
    if (s->min_length != SCHEMA_ABSENT || s->max_length != SCHEMA_ABSENT) {
        int64_t n = (int64_t)utf8_code_points(v->text, v->len);
        if (s->min_length != SCHEMA_ABSENT && n < s->min_length)
            ok = fail(c, s, "minLength", p, "shorter than %lld character%s",
                      (long long)s->min_length, plural(s->min_length));
        if (s->max_length != SCHEMA_ABSENT && n > s->max_length)
            ok = fail(c, s, "maxLength", p, "longer than %lld character%s",
                      (long long)s->max_length, plural(s->max_length));
    }
    if (s->pattern && (ok || c->collect) &&
        !sregex_search(s->pattern, v->text, v->len, &c->match_data))
        ok = fail(c, s, "pattern", p, "does not match the pattern /%.*s/",
                  (int)s->pattern_source->len, s->pattern_source->text);
    if (s->format && (ok || c->collect) && !s->format(v->text, v->len))
        ok = fail(c, s, "format", p, "not a valid %.*s", (int)s->format_name->len,
                  s->format_name->text);
    if ((s->content_base64 || s->content_json) && (ok || c->collect))
        ok &= check_content(c, s, v, p);
    return ok;
}

/* ---- arrays
 * ------------------------------------------------------------------------------------------ */

typedef struct hashed {
    uint64_t hash;  /* jval_hash of the item */
    const jval *v;  /* the item */
    uint32_t index; /* its position in the array */
} hashed;

static int by_hash(const void *a, const void *b)
{
    const hashed *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Whether all items differ; else *first and *second are two equal ones. */
static bool all_unique(const jval *v, uint32_t *first, uint32_t *second)
{
    if (v->len < 2)
        return true;
    hashed *h = malloc(v->len * sizeof *h);
    if (!h)
        abort();
    uint32_t i = 0;
    for (const jval *x = v + 1; x < jval_next(v); x = jval_next(x), i++)
        h[i] = (hashed){jval_hash(x), x, i};
    qsort(h, v->len, sizeof *h, by_hash);
    bool unique = true;
    for (i = 0; unique && i + 1 < v->len; i++)
        for (uint32_t j = i + 1; unique && j < v->len && h[j].hash == h[i].hash; j++)
            if (jval_equal(h[i].v, h[j].v)) {
                *first = h[i].index;
                *second = h[j].index;
                unique = false;
            }
    free(h);
    return unique;
}

static bool check_contains(vctx *c, const snode *s, const jval *v, const ipath *p, evalset *ev)
{
    bool collect = c->collect;
    c->collect = false;
    int64_t matches = 0;
    uint32_t i = 0;
    for (const jval *x = v + 1; x < jval_next(v); x = jval_next(x), i++) {
        ipath at = {p, NULL, 0, i};
        if (v_schema(c, s->contains, x, &at, NULL)) {
            matches++;
            if (s->draft >= KINES_SCHEMA_DRAFT_2020_12)
                ev_mark(ev, i);
        }
    }
    c->collect = collect;
    bool ok = true;
    if (matches < s->min_contains) {
        if (s->min_contains == 1)
            ok = fail(c, s, "contains", p, "no item matches the \"contains\" schema");
        else
            ok = fail(c, s, "minContains", p, "%lld item%s match \"contains\", fewer than %lld",
                      (long long)matches, plural(matches), (long long)s->min_contains);
    }
    if (s->max_contains != SCHEMA_ABSENT && matches > s->max_contains)
        ok = fail(c, s, "maxContains", p, "%lld item%s match \"contains\", more than %lld",
                  (long long)matches, plural(matches), (long long)s->max_contains);
    return ok;
}

/* A subschema applied to a member or item that the false schema forbids gets a message
 * naming what is not allowed; other subschemas report their own errors. */
static bool apply_to(vctx *c, const snode *parent, const snode *sub, const char *keyword,
                     const jval *x, const ipath *at, const char *what)
{
    if (sub->boolean == 0)
        return fail(c, parent, keyword, at, "%s not allowed", what);
    return v_schema(c, sub, x, at, NULL);
}

static bool check_items(vctx *c, const snode *s, const jval *v, const ipath *p, evalset *ev)
{
    bool ok = true;
    uint32_t i = 0;
    for (const jval *x = v + 1; x < jval_next(v) && (ok || c->collect); x = jval_next(x), i++) {
        ipath at = {p, NULL, 0, i};
        if (i < s->prefix.count) {
            ok &= v_schema(c, s->prefix.items[i], x, &at, NULL);
            ev_mark(ev, i);
        } else if (s->items) {
            ok &= apply_to(c, s, s->items, s->items_keyword, x, &at, "item");
            ev_mark(ev, i);
        } else {
            break;
        }
    }
    return ok;
}

static bool check_array(vctx *c, const snode *s, const jval *v, const ipath *p, evalset *ev)
{
    bool ok = true;
    if (s->min_items != SCHEMA_ABSENT && v->len < s->min_items)
        ok = fail(c, s, "minItems", p, "%u item%s, fewer than %lld", v->len, plural(v->len),
                  (long long)s->min_items);
    if (s->max_items != SCHEMA_ABSENT && v->len > s->max_items)
        ok = fail(c, s, "maxItems", p, "%u item%s, more than %lld", v->len, plural(v->len),
                  (long long)s->max_items);
    uint32_t first, second;
    if (s->unique_items && (ok || c->collect) && !all_unique(v, &first, &second))
        ok = fail(c, s, "uniqueItems", p, "items %u and %u are equal", first, second);
    if ((s->prefix.count || s->items) && (ok || c->collect))
        ok &= check_items(c, s, v, p, ev);
    if (s->contains && (ok || c->collect))
        ok &= check_contains(c, s, v, p, ev);
    return ok;
}

/* ---- objects
 * ------------------------------------------------------------------------------------------ */

static const sprop *property_of(const snode *s, const jval *key)
{
    for (size_t i = 0; i < s->property_count; i++) {
        const jval *name = s->properties[i].name;
        if (name->len == key->len && memcmp(name->text, key->text, key->len) == 0)
            return &s->properties[i];
    }
    return NULL;
}

/* properties, patternProperties, additionalProperties and propertyNames, member by member. */
static bool check_members(vctx *c, const snode *s, const jval *v, const ipath *p, evalset *ev)
{
    bool ok = true;
    uint32_t i = 0;
    for (const jval *k = v + 1; k < jval_next(v) && (ok || c->collect); k = jval_next(k + 1), i++) {
        ipath at = {p, k->text, k->len, 0};
        bool matched = false;
        const sprop *prop = s->property_count ? property_of(s, k) : NULL;
        if (prop) {
            ok &= v_schema(c, prop->schema, k + 1, &at, NULL);
            matched = true;
        }
        for (size_t j = 0; j < s->pattern_count; j++) {
            if (sregex_search(s->pattern_properties[j].re, k->text, k->len, &c->match_data)) {
                ok &= v_schema(c, s->pattern_properties[j].schema, k + 1, &at, NULL);
                matched = true;
            }
        }
        if (!matched && s->additional_properties) {
            ok &= apply_to(c, s, s->additional_properties, "additionalProperties", k + 1, &at,
                           "property");
            matched = true;
        }
        if (matched)
            ev_mark(ev, i);
        if (s->property_names)
            ok &= apply_to(c, s, s->property_names, "propertyNames", k, &at, "property name");
    }
    return ok;
}

/* A required property missing: reported at the property's own path. */
static bool missing(vctx *c, const snode *s, const char *keyword, const ipath *p, const jval *name,
                    const jval *because)
{
    ipath at = {p, name->text, name->len, 0};
    if (because)
        return fail(c, s, keyword, &at, "required property missing (because \"%.*s\" is present)",
                    (int)because->len, because->text);
    return fail(c, s, keyword, &at, "required property missing");
}

static bool check_dependencies(vctx *c, const snode *s, const jval *v, const ipath *p, evalset *ev)
{
    bool ok = true;
    for (size_t i = 0; i < s->dependency_count && (ok || c->collect); i++) {
        const sdep *d = &s->dependencies[i];
        if (!jval_member(v, d->name->text, d->name->len))
            continue;
        for (size_t j = 0; j < d->required.count; j++) {
            const jval *name = d->required.names[j];
            if (!jval_member(v, name->text, name->len))
                ok = missing(c, s, d->keyword, p, name, d->name);
        }
        if (d->schema)
            ok &= v_schema(c, d->schema, v, p, ev);
    }
    return ok;
}

static bool check_object(vctx *c, const snode *s, const jval *v, const ipath *p, evalset *ev)
{
    bool ok = true;
    if (s->min_properties != SCHEMA_ABSENT && v->len < s->min_properties)
        ok = fail(c, s, "minProperties", p, "%u propert%s, fewer than %lld", v->len,
                  v->len == 1 ? "y" : "ies", (long long)s->min_properties);
    if (s->max_properties != SCHEMA_ABSENT && v->len > s->max_properties)
        ok = fail(c, s, "maxProperties", p, "%u propert%s, more than %lld", v->len,
                  v->len == 1 ? "y" : "ies", (long long)s->max_properties);
    for (size_t i = 0; i < s->required.count && (ok || c->collect); i++) {
        const jval *name = s->required.names[i];
        if (!jval_member(v, name->text, name->len))
            ok = missing(c, s, "required", p, name, NULL);
    }
    if ((ok || c->collect) &&
        (s->property_count || s->pattern_count || s->additional_properties || s->property_names))
        ok &= check_members(c, s, v, p, ev);
    if (s->dependency_count && (ok || c->collect))
        ok &= check_dependencies(c, s, v, p, ev);
    return ok;
}

/* ---- combinations
 * ------------------------------------------------------------------------------------ */

/* How close an alternative's errors [from, to) came: the depth of its shallowest error. */
static int closeness(vctx *c, size_t from, size_t to)
{
    int shallowest = 1 << 30;
    for (size_t i = from; i < to; i++) {
        int depth = 0;
        for (const char *q = error_at(c, i)->instance_path; *q; q++)
            depth += *q == '/';
        if (depth < shallowest)
            shallowest = depth;
    }
    return shallowest;
}

/* After a summary error: the errors of the alternative of list that came closest. */
static void report_closest(vctx *c, const slist *list, const jval *v, const ipath *p)
{
    size_t start = error_count(c), best_from = start, best_to = start;
    int best_depth = -1;
    for (size_t i = 0; i < list->count; i++) {
        size_t from = error_count(c);
        v_schema(c, list->items[i], v, p, NULL);
        size_t to = error_count(c);
        int depth = closeness(c, from, to);
        if (to > from &&
            (depth > best_depth || (depth == best_depth && to - from < best_to - best_from))) {
            best_depth = depth;
            best_from = from;
            best_to = to;
        }
    }
    memmove(error_at(c, start), error_at(c, best_from),
            (best_to - best_from) * sizeof(kines_schema_error));
    c->errors.len = (start + best_to - best_from) * sizeof(kines_schema_error);
}

/* Runs each alternative without collecting errors; returns how many matched (stopping at
 * `enough`), the first two in *which. Annotations of the matching ones go to matched[]. */
static size_t count_matches(vctx *c, const slist *list, const jval *v, const ipath *p,
                            const evalset *ev, size_t enough, size_t which[2], evalset **matched)
{
    bool collect = c->collect;
    c->collect = false;
    size_t count = 0;
    for (size_t i = 0; i < list->count && count < enough; i++) {
        evalset *tentative = ev_tentative(c, ev, v);
        if (v_schema(c, list->items[i], v, p, tentative)) {
            if (count < 2)
                which[count] = i;
            matched[count < 2 ? count : 1] = tentative;
            count++;
        }
    }
    c->collect = collect;
    return count;
}

static bool check_any_of(vctx *c, const snode *s, const jval *v, const ipath *p, evalset *ev)
{
    const slist *list = &s->any_of;
    bool collect = c->collect;
    c->collect = false;
    bool any = false;
    for (size_t i = 0; i < list->count && (ev || !any); i++) {
        evalset *tentative = ev_tentative(c, ev, v);
        if (v_schema(c, list->items[i], v, p, tentative)) {
            any = true;
            ev_merge(ev, tentative);
        }
    }
    c->collect = collect;
    if (any || !collect)
        return any;
    fail(c, s, "anyOf", p, "matches none of the %zu alternatives of anyOf", list->count);
    report_closest(c, list, v, p);
    return false;
}

static bool check_one_of(vctx *c, const snode *s, const jval *v, const ipath *p, evalset *ev)
{
    size_t which[2];
    evalset *matched[2] = {NULL, NULL};
    size_t count = count_matches(c, &s->one_of, v, p, ev, 2, which, matched);
    if (count == 1) {
        ev_merge(ev, matched[0]);
        return true;
    }
    if (count > 1)
        return fail(c, s, "oneOf", p, "matches alternatives %zu and %zu of oneOf, not exactly one",
                    which[0], which[1]);
    if (!c->collect)
        return false;
    fail(c, s, "oneOf", p, "matches none of the %zu alternatives of oneOf", s->one_of.count);
    report_closest(c, &s->one_of, v, p);
    return false;
}

static bool check_not(vctx *c, const snode *s, const jval *v, const ipath *p)
{
    bool collect = c->collect;
    c->collect = false;
    bool matched = v_schema(c, s->not_schema, v, p, NULL);
    c->collect = collect;
    return matched ? fail(c, s, "not", p, "must not match the schema of \"not\"") : true;
}

static bool check_if(vctx *c, const snode *s, const jval *v, const ipath *p, evalset *ev)
{
    bool collect = c->collect;
    c->collect = false;
    evalset *tentative = ev_tentative(c, ev, v);
    bool condition = v_schema(c, s->if_schema, v, p, tentative);
    c->collect = collect;
    if (condition) {
        ev_merge(ev, tentative);
        return s->then_schema ? v_schema(c, s->then_schema, v, p, ev) : true;
    }
    return s->else_schema ? v_schema(c, s->else_schema, v, p, ev) : true;
}

static bool check_all_of(vctx *c, const snode *s, const jval *v, const ipath *p, evalset *ev)
{
    bool ok = true;
    for (size_t i = 0; i < s->all_of.count && (ok || c->collect); i++)
        ok &= v_schema(c, s->all_of.items[i], v, p, ev);
    return ok;
}

/* ---- unevaluated
 * --------------------------------------------------------------------------------------- */

static bool check_unevaluated(vctx *c, const snode *s, const jval *v, const ipath *p, evalset *seen)
{
    bool ok = true;
    uint32_t i = 0;
    if (v->kind == J_OBJECT && s->unevaluated_properties) {
        for (const jval *k = v + 1; k < jval_next(v) && (ok || c->collect);
             k = jval_next(k + 1), i++) {
            if (ev_has(seen, i))
                continue;
            ipath at = {p, k->text, k->len, 0};
            ok &= apply_to(c, s, s->unevaluated_properties, "unevaluatedProperties", k + 1, &at,
                           "unevaluated property");
            ev_mark(seen, i);
        }
    } else if (v->kind == J_ARRAY && s->unevaluated_items) {
        for (const jval *x = v + 1; x < jval_next(v) && (ok || c->collect); x = jval_next(x), i++) {
            if (ev_has(seen, i))
                continue;
            ipath at = {p, NULL, 0, i};
            ok &= apply_to(c, s, s->unevaluated_items, "unevaluatedItems", x, &at,
                           "unevaluated item");
            ev_mark(seen, i);
        }
    }
    return ok;
}

/* ---- references
 * -------------------------------------------------------------------------------------- */

/* Where a $ref, $recursiveRef or $dynamicRef leads from here. $recursiveRef: the outermost of the
 * resources with "$recursiveAnchor" that enclose the current one without a gap; $dynamicRef to
 * a "$dynamicAnchor": that anchor in the outermost resource of the dynamic scope that has it. */
static const snode *ref_target(const vctx *c, const snode *s)
{
    const snode *target = s->ref;
    if (s->recursive_ref) {
        for (const scope *x = c->scope; x && x->resource->recursive_anchor; x = x->up)
            target = x->resource;
        return target;
    }
    for (const scope *x = c->scope; x && s->dynamic_name; x = x->up)
        for (size_t i = 0; i < s->dynamic_count; i++)
            if (strcmp(s->dynamic[i].resource, x->resource->resource) == 0)
                target = s->dynamic[i].schema;
    return target;
}

/* ---- one schema
 * ------------------------------------------------------------------------------------------ */

/* The keywords of s that apply to v, in schema order of concern; ev collects what they
 * evaluated when s or a caller needs it. */
static bool check_keywords(vctx *c, const snode *s, const jval *v, const ipath *p, evalset *ev)
{
    bool ok = true;
#define CHECK(call)                                                                                \
    do {                                                                                           \
        if (!(call)) {                                                                             \
            ok = false;                                                                            \
            if (!c->collect)                                                                       \
                return false;                                                                      \
        }                                                                                          \
    } while (0)
    if (s->ref)
        CHECK(v_schema(c, ref_target(c, s), v, p, ev));
    if (s->types)
        CHECK(check_type(c, s, v, p));
    if (s->enum_values)
        CHECK(check_enum(c, s, v, p));
    if (s->const_value)
        CHECK(check_const(c, s, v, p));
    if (v->kind == J_NUMBER)
        CHECK(check_number(c, s, v, p));
    else if (v->kind == J_STRING)
        CHECK(check_string(c, s, v, p));
    else if (v->kind == J_ARRAY)
        CHECK(check_array(c, s, v, p, ev));
    else if (v->kind == J_OBJECT)
        CHECK(check_object(c, s, v, p, ev));
    if (s->all_of.count)
        CHECK(check_all_of(c, s, v, p, ev));
    if (s->any_of.count)
        CHECK(check_any_of(c, s, v, p, ev));
    if (s->one_of.count)
        CHECK(check_one_of(c, s, v, p, ev));
    if (s->not_schema)
        CHECK(check_not(c, s, v, p));
    if (s->if_schema)
        CHECK(check_if(c, s, v, p, ev));
#undef CHECK
    return ok;
}

static bool v_schema(vctx *c, const snode *s, const jval *v, const ipath *p, evalset *ev)
{
    if (s->boolean >= 0)
        return s->boolean ? true : fail(c, s, "", p, "not allowed (the schema is false)");
    if (c->depth >= MAX_DEPTH)
        return fail(c, s, "", p, "subschemas nested too deeply (a $ref loop?)");
    if (++c->steps > c->max_steps)
        return false; /* reported once, by the caller of the top-level run */
    c->depth++;
    scope entered = {s, c->scope};
    if (s->resource)
        c->scope = &entered;
    bool containers = v->kind == J_OBJECT || v->kind == J_ARRAY;
    evalset *seen = s->unevaluated && containers ? ev_new(c, v) : containers ? ev : NULL;
    bool ok = check_keywords(c, s, v, p, seen);
    if (s->unevaluated && containers && (ok || c->collect)) {
        ok &= check_unevaluated(c, s, v, p, seen);
        ev_merge(ev, seen);
    }
    c->scope = entered.up;
    c->depth--;
    return ok;
}

/* ---- the public calls
 * ------------------------------------------------------------------------------------- */

static void not_json(kines_schema_result *out, const char *why)
{
    out->mem = kines_mem_new();
    kines_schema_error *e = kines_mem_alloc(out->mem, sizeof *e);
    e->instance_path = "";
    e->schema_path = "";
    e->keyword = "";
    e->message = kines_mem_alloc(out->mem, strlen(why) + 16);
    sprintf((char *)e->message, "not JSON: %s", why);
    out->errors = e;
    out->error_count = 1;
}

bool kines_schema_validate(const kines_schema *s, const void *json, size_t len,
                           kines_schema_result *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    jval stack_nodes[STACK_NODES];
    jdoc doc;
    if (jdoc_parse(&doc, json, len, stack_nodes, STACK_NODES) != 0) {
        if (out)
            not_json(out, doc.error);
        jdoc_free(&doc);
        return false;
    }
    arena scratch;
    arena_init(&scratch);
    uint64_t budget = BASE_STEPS + STEPS_PER_NODE * (uint64_t)doc.count;
    vctx c = {.mem = &scratch, .max_steps = budget};
    /* past the budget every subschema failed, so "not" may have turned that into a pass */
    bool valid = v_schema(&c, s->root, doc.nodes, NULL, NULL) && c.steps <= budget;
    if (!valid && out) {
        out->mem = kines_mem_new();
        vctx again = {
            .collect = true, .mem = &out->mem->a, .match_data = c.match_data, .max_steps = budget};
        v_schema(&again, s->root, doc.nodes, NULL, NULL);
        if (again.steps > budget)
            fail(&again, s->root, "", NULL,
                 "validation stopped after %llu subschema checks: the schema's alternatives "
                 "(anyOf, oneOf) multiply on this document",
                 (unsigned long long)budget);
        c.match_data = again.match_data;
        out->errors =
            kines_mem_take(out->mem, &again.errors, sizeof(kines_schema_error), &out->error_count);
        out->truncated = again.truncated;
    }
    if (c.match_data)
        sregex_match_data_free(c.match_data);
    arena_free(&scratch);
    jdoc_free(&doc);
    return valid;
}

void kines_schema_result_free(kines_schema_result *r)
{
    if (!r)
        return;
    kines_mem_free(r->mem);
    memset(r, 0, sizeof *r);
}

int kines_schema_error_format(const kines_schema_error *e, char *buf, size_t size)
{
    const char *where = *e->instance_path ? e->instance_path : "/";
    if (!*e->schema_path)
        return snprintf(buf, size, "%s: %s", where, e->message);
    return snprintf(buf, size, "%s: %s (schema %s)", where, e->message, e->schema_path);
}

size_t kines_schema_result_format(const kines_schema_result *r, const char *separator, char *buf,
                                  size_t size)
{
    if (size == 0)
        return 0;
    kbuf all = KBUF_INIT;
    char line[1024];
    for (size_t i = 0; i < r->error_count; i++) {
        kines_schema_error_format(&r->errors[i], line, sizeof line);
        kbuf_printf(&all, "%s%s", i ? separator : "", line);
    }
    size_t n = all.len < size ? all.len : size - 1;
    memcpy(buf, all.data ? all.data : "", n);
    buf[n] = '\0';
    if (n < all.len && size > 4)
        memcpy(buf + size - 4, "...", 4); /* cut */
    kbuf_free(&all);
    return n;
}

int schema_check(const kines_schema *s, const void *data, size_t len, const char *what,
                 kines_error *err)
{
    if (!s)
        return 0;
    kines_schema_result res;
    char errors[400];
    bool valid = kines_schema_validate(s, data, len, &res);
    if (!valid)
        kines_schema_result_format(&res, "; ", errors, sizeof errors);
    kines_schema_result_free(&res);
    return valid ? 0
                 : kines_fail(err, KINES_ERR_INVALID, "%s does not match the schema: %s", what,
                              errors);
}
