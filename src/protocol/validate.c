/* validate.c - the model's constraints, checked and reported in AWS's words (see validate.h).
 *
 * A scalar member is reported once per constraint it breaks, at its own path ("streamName",
 * "records.1.member.partitionKey"). Scalars inside a list or map are reported once for the whole
 * container, listing every constraint of the element shape ("Member must satisfy constraint:
 * [...]", "Map keys must satisfy constraint: [...]"), which is how AWS words them. Structures
 * inside lists are walked, their path being "<list>.<n>.member" with n counted from 1.
 *
 * One walk, two modes: a quiet one first (no paths, no messages, it stops at the first
 * violation), and only when that finds something the reporting one, so that a valid PutRecords
 * of 500 records does not push and pop 2,000 path parts to report nothing. */
#include "validate.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../common/utf8.h"
#include "jregex.h"

#define MAX_REPORTED 10 /* AWS lists at most ten violations */

typedef enum { C_LEN_MAX, C_LEN_MIN, C_VAL_MAX, C_VAL_MIN, C_PATTERN, C_ENUM, C_COUNT } constraint;

/* The order in which the violations of one member are listed. */
static const constraint member_order[] = {C_ENUM,    C_PATTERN, C_LEN_MIN,
                                          C_LEN_MAX, C_VAL_MIN, C_VAL_MAX};

typedef struct validator {
    bool quiet;    /* only whether anything fails: no paths or messages, stop at the first */
    kbuf path;     /* where the walk is ("records.1.member"); empty when quiet */
    kbuf messages; /* the violations in AWS's words, "; " between them */
    int count;     /* violations found */
} validator;

static void check_value(validator *v, const model_shape *s, const kval *val);

static bool has_length(const model_shape *s)
{
    return s->type == SHAPE_STRING || s->type == SHAPE_BLOB || s->type == SHAPE_LIST ||
           s->type == SHAPE_MAP;
}

static bool is_container(const model_shape *s)
{
    return s->type == SHAPE_STRUCTURE || s->type == SHAPE_LIST || s->type == SHAPE_MAP;
}

static bool applies(const model_shape *s, constraint c)
{
    bool numeric = s->type == SHAPE_INTEGER || s->type == SHAPE_LONG;
    switch (c) {
    case C_LEN_MAX:
        return s->has_max && has_length(s);
    case C_LEN_MIN:
        return s->has_min && has_length(s);
    case C_VAL_MAX:
        return s->has_max && numeric;
    case C_VAL_MIN:
        return s->has_min && numeric;
    case C_PATTERN:
        return s->regex != NULL;
    case C_ENUM:
        return s->n_enums > 0;
    default:
        return false;
    }
}

static int64_t length_of(const kval *val)
{
    switch (val->type) {
    case KV_STRING:
        return (int64_t)utf8_utf16_length(val->u.s.ptr, val->u.s.len); /* as Java counts */
    case KV_BLOB:
        return (int64_t)val->u.s.len;
    case KV_LIST:
        return (int64_t)val->u.list.n;
    case KV_MAP:
        return (int64_t)val->u.map.n;
    default:
        return 0;
    }
}

static bool in_enum(const model_shape *s, const kval *val)
{
    for (size_t i = 0; i < s->n_enums; i++)
        if (strlen(s->enums[i]) == val->u.s.len &&
            memcmp(s->enums[i], val->u.s.ptr, val->u.s.len) == 0)
            return true;
    return false;
}

static bool satisfied(const model_shape *s, constraint c, const kval *val)
{
    switch (c) {
    case C_LEN_MAX:
        return length_of(val) <= s->max;
    case C_LEN_MIN:
        return length_of(val) >= s->min;
    case C_VAL_MAX:
        return val->type != KV_INT || val->u.i <= s->max;
    case C_VAL_MIN:
        return val->type != KV_INT || val->u.i >= s->min;
    case C_PATTERN:
        return val->type != KV_STRING || jregex_match(s->regex, val->u.s.ptr, val->u.s.len);
    case C_ENUM:
        return val->type != KV_STRING || in_enum(s, val);
    default:
        return true;
    }
}

static void describe(kbuf *out, const model_shape *s, constraint c)
{
    switch (c) {
    case C_LEN_MAX:
        kbuf_printf(out, "Member must have length less than or equal to %" PRId64, s->max);
        break;
    case C_LEN_MIN:
        kbuf_printf(out, "Member must have length greater than or equal to %" PRId64, s->min);
        break;
    case C_VAL_MAX:
        kbuf_printf(out, "Member must have value less than or equal to %" PRId64, s->max);
        break;
    case C_VAL_MIN:
        kbuf_printf(out, "Member must have value greater than or equal to %" PRId64, s->min);
        break;
    case C_PATTERN:
        kbuf_printf(out, "Member must satisfy regular expression pattern: %s", s->pattern);
        break;
    case C_ENUM:
        kbuf_puts(out, "Member must satisfy enum value set: [");
        for (size_t i = 0; i < s->n_enums; i++)
            kbuf_printf(out, "%s%s", i ? ", " : "", s->enums[i]);
        kbuf_putc(out, ']');
        break;
    default:
        break;
    }
}

/* "[Member must ..., Member must ...]": every constraint of an element shape, as AWS lists them. */
static void describe_all(kbuf *out, const model_shape *s)
{
    bool first = true;
    kbuf_putc(out, '[');
    for (constraint c = 0; c < C_COUNT; c++) {
        if (!applies(s, c))
            continue;
        if (!first)
            kbuf_puts(out, ", ");
        describe(out, s, c);
        first = false;
    }
    kbuf_putc(out, ']');
}

static bool has_constraints(const model_shape *s)
{
    return s->has_min || s->has_max || s->regex || s->n_enums;
}

/* C_LEN_MIN and C_LEN_MAX with the length counted once (a string's is a walk over it). */
static bool length_ok(const model_shape *s, const kval *val)
{
    if (!has_length(s) || !(s->has_min || s->has_max))
        return true;
    int64_t len = length_of(val);
    return (!s->has_min || len >= s->min) && (!s->has_max || len <= s->max);
}

/* Whether val satisfies every constraint of s. */
static bool scalar_ok(const model_shape *s, const kval *val)
{
    static const constraint others[] = {C_VAL_MAX, C_VAL_MIN, C_PATTERN, C_ENUM};
    if (!has_constraints(s))
        return true;
    if (!length_ok(s, val))
        return false;
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        if (applies(s, others[i]) && !satisfied(s, others[i], val))
            return false;
    return true;
}

/* ---- values as AWS prints them (Java's toString of the request objects) ---- */

static void format_value(kbuf *out, const model_shape *s, const kval *val);

static uint32_t fnv1a(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h;
}

/* A structure prints as Java prints an object, class@hex-hash; the hash here is of its contents. */
static void format_structure(kbuf *out, const model_shape *s, const kval *val)
{
    kbuf contents = KBUF_INIT;
    for (size_t i = 0; i < s->n_members; i++) {
        const kval *m = kv_get(val, s->members[i].name);
        if (m)
            format_value(&contents, s->members[i].shape, m);
        kbuf_putc(&contents, '\0');
    }
    kbuf_printf(out, "com.amazonaws.kinesis.v20131202.%s@%x", s->name,
                fnv1a(contents.data, contents.len));
    kbuf_free(&contents);
}

static void format_value(kbuf *out, const model_shape *s, const kval *val)
{
    switch (val->type) {
    case KV_NULL:
        kbuf_puts(out, "null");
        break;
    case KV_BOOL:
        kbuf_puts(out, val->u.b ? "true" : "false");
        break;
    case KV_INT:
    case KV_TIMESTAMP:
        kbuf_printf(out, "%" PRId64, val->u.i);
        break;
    case KV_DOUBLE:
        kbuf_printf(out, "%g", val->u.d);
        break;
    case KV_STRING:
        kbuf_append(out, val->u.s.ptr, val->u.s.len);
        break;
    case KV_BLOB:
        kbuf_printf(out, "java.nio.HeapByteBuffer[pos=0 lim=%zu cap=%zu]", val->u.s.len,
                    val->u.s.len);
        break;
    case KV_LIST:
        kbuf_putc(out, '[');
        for (size_t i = 0; i < val->u.list.n; i++) {
            if (i)
                kbuf_puts(out, ", ");
            format_value(out, s->member, &val->u.list.items[i]);
        }
        kbuf_putc(out, ']');
        break;
    case KV_MAP:
        if (s->type == SHAPE_STRUCTURE) {
            format_structure(out, s, val);
            break;
        }
        kbuf_putc(out, '{');
        for (size_t i = 0; i < val->u.map.n; i++) {
            kbuf_printf(out, "%s%s=", i ? ", " : "", val->u.map.keys[i]);
            format_value(out, s->value, &val->u.map.vals[i]);
        }
        kbuf_putc(out, '}');
        break;
    }
}

/* ---- reporting ---- */

static bool full(const validator *v)
{
    return v->count >= (v->quiet ? 1 : MAX_REPORTED);
}

/* Starts "Value 'x' at 'path' failed to satisfy constraint: " and returns the buffer to finish. */
static kbuf *report(validator *v, const model_shape *s, const kval *val)
{
    kbuf *out = &v->messages;
    if (v->quiet) { /* counted; what the caller writes is thrown away */
        v->count++;
        kbuf_reset(out);
        return out;
    }
    if (v->count++)
        kbuf_puts(out, "; ");
    kbuf_puts(out, "Value ");
    if (!val || val->type == KV_NULL) {
        kbuf_puts(out, "null");
    } else {
        kbuf text = KBUF_INIT;
        format_value(&text, s, val);
        kbuf_putc(out, '\'');
        aws_error_quote(out, text.data, text.len);
        kbuf_putc(out, '\'');
        kbuf_free(&text);
    }
    kbuf_printf(out, " at '%s' failed to satisfy constraint: ", v->path.data ? v->path.data : "");
    return out;
}

/* One violation for a whole container whose scalar elements (or keys) break their shape. */
static void report_elements(validator *v, const model_shape *s, const kval *val, const char *what,
                            const model_shape *elem)
{
    if (full(v))
        return;
    kbuf *out = report(v, s, val);
    kbuf_printf(out, "%s must satisfy constraint: ", what);
    describe_all(out, elem);
}

/* n in decimal, NUL-terminated (a list of 500 records pushes 500 indexes: no printf). */
static void decimal(size_t n, char out[24])
{
    char digits[24];
    size_t len = 0;
    do
        digits[len++] = (char)('0' + n % 10);
    while ((n /= 10) != 0);
    for (size_t i = 0; i < len; i++)
        out[i] = digits[len - 1 - i];
    out[len] = '\0';
}

static size_t path_push(validator *v, const char *part, bool member_suffix)
{
    if (v->quiet)
        return 0;
    size_t saved = v->path.len;
    if (saved)
        kbuf_putc(&v->path, '.');
    kbuf_puts(&v->path, part);
    if (member_suffix)
        kbuf_puts(&v->path, ".member");
    return saved;
}

static void path_pop(validator *v, size_t saved)
{
    if (v->quiet)
        return;
    v->path.len = saved;
    v->path.data[saved] = '\0';
}

static void check_own_constraints(validator *v, const model_shape *s, const kval *val)
{
    if (!has_constraints(s))
        return;
    for (size_t i = 0; i < sizeof member_order / sizeof member_order[0] && !full(v); i++) {
        constraint c = member_order[i];
        if (applies(s, c) && !satisfied(s, c, val))
            describe(report(v, s, val), s, c);
    }
}

static void check_structure(validator *v, const model_shape *s, const kval *val)
{
    for (size_t i = 0; i < s->n_members && !full(v); i++) {
        const model_member *m = &s->members[i];
        const kval *child = kv_get(val, m->name);
        size_t saved = path_push(v, m->path_name, false);
        if (!child || child->type == KV_NULL) {
            if (m->required)
                kbuf_puts(report(v, m->shape, NULL), "Member must not be null");
        } else {
            check_value(v, m->shape, child);
        }
        path_pop(v, saved);
    }
}

static void check_list(validator *v, const model_shape *s, const kval *val)
{
    const model_shape *elem = s->member;
    if (!is_container(elem)) {
        for (size_t i = 0; i < val->u.list.n; i++) {
            const kval *item = &val->u.list.items[i];
            if (item->type == KV_NULL || !scalar_ok(elem, item)) {
                report_elements(v, s, val, "Member", elem);
                break;
            }
        }
        return;
    }
    for (size_t i = 0; i < val->u.list.n && !full(v); i++) {
        char index[24] = "";
        if (!v->quiet)
            decimal(i + 1, index);
        size_t saved = path_push(v, index, true);
        const kval *item = &val->u.list.items[i];
        if (item->type == KV_NULL)
            kbuf_puts(report(v, elem, NULL), "Member must not be null");
        else
            check_value(v, elem, item);
        path_pop(v, saved);
    }
}

static void check_map(validator *v, const model_shape *s, const kval *val)
{
    for (size_t i = 0; i < val->u.map.n; i++) {
        kval key = {.type = KV_STRING};
        key.u.s.ptr = val->u.map.keys[i];
        key.u.s.len = strlen(key.u.s.ptr);
        if (!scalar_ok(s->key, &key)) {
            report_elements(v, s, val, "Map keys", s->key);
            break;
        }
    }
    for (size_t i = 0; i < val->u.map.n && !full(v); i++) {
        const kval *item = &val->u.map.vals[i];
        if (is_container(s->value)) {
            size_t saved = path_push(v, val->u.map.keys[i], false);
            check_value(v, s->value, item);
            path_pop(v, saved);
        } else if (!scalar_ok(s->value, item)) {
            report_elements(v, s, val, "Map value", s->value);
            break;
        }
    }
}

static void check_value(validator *v, const model_shape *s, const kval *val)
{
    if (full(v))
        return;
    check_own_constraints(v, s, val);
    if (s->type == SHAPE_STRUCTURE && val->type == KV_MAP)
        check_structure(v, s, val);
    else if (s->type == SHAPE_LIST && val->type == KV_LIST)
        check_list(v, s, val);
    else if (s->type == SHAPE_MAP && val->type == KV_MAP)
        check_map(v, s, val);
}

bool validate_value(const model_shape *shape, const kval *value, const char *path, aws_error *err)
{
    validator quick = {.quiet = true, .messages = KBUF_INIT};
    check_value(&quick, shape, value);
    kbuf_free(&quick.messages);
    if (!quick.count)
        return true;
    validator v = {.path = KBUF_INIT, .messages = KBUF_INIT};
    kbuf_puts(&v.path, path);
    check_value(&v, shape, value);
    if (v.count) { /* the messages may quote a NUL: appended by length */
        aws_error_set(err, 400, "ValidationException", "%d validation error%s detected: ", v.count,
                      v.count > 1 ? "s" : "");
        kbuf_append(&err->message, v.messages.data, v.messages.len);
    }
    kbuf_free(&v.path);
    kbuf_free(&v.messages);
    return v.count == 0;
}

bool validate_input(const model_op *op, const kval *input, aws_error *err)
{
    const model_shape *shape = model_op_input(op);
    static const kval empty = {.type = KV_MAP};
    if (!shape)
        return true;
    return validate_value(shape, input ? input : &empty, "", err);
}
