/* decode_query.c - form-encoded requests of the query protocols (IAM, STS, SQS, CloudWatch) to
 * kval trees typed by the model (see decode.h).
 *
 * The form is split into decoded pairs once; the input shape is then walked, each member looked
 * up by its dotted name. Forms are small (a few dozen pairs), so lookups scan them. Every value
 * used must be well-formed UTF-8 once percent-decoded (it may be stored and is answered in XML);
 * integers are held to their Java type and timestamps to +-10^11 seconds, as the JSON decoder
 * does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../common/base64.h"
#include "../common/utf8.h"
#include "decode.h"
#include "decode_errors.h"

#define MAX_QUERY_DEPTH 16
#define TIMESTAMP_MAX_SECONDS 1e11 /* year ~5000, as decode_json.c */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes s[0..n) ('+' is a space) into the arena. */
static char *form_decode(arena *a, const char *s, size_t n)
{
    char *out = arena_alloc(a, n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        int hi = s[i] == '%' && i + 2 < n ? hex_digit(s[i + 1]) : -1;
        int lo = hi >= 0 ? hex_digit(s[i + 2]) : -1;
        if (lo >= 0) {
            *o++ = (char)(hi << 4 | lo);
            i += 2;
        } else {
            *o++ = s[i] == '+' ? ' ' : s[i];
        }
    }
    *o = '\0';
    return out;
}

void query_form_parse(query_form *f, const char *text, size_t len, arena *a)
{
    size_t pairs = 1;
    for (size_t i = 0; i < len; i++)
        pairs += text[i] == '&';
    query_param *grown = arena_alloc(a, (f->n + pairs) * sizeof *grown);
    if (f->n)
        memcpy(grown, f->params, f->n * sizeof *grown);
    f->params = grown;
    for (size_t at = 0; at < len;) {
        const char *p = text + at, *amp = memchr(p, '&', len - at);
        size_t n = amp ? (size_t)(amp - p) : len - at;
        const char *eq = memchr(p, '=', n);
        if (n > 0) {
            size_t key_len = eq ? (size_t)(eq - p) : n;
            f->params[f->n].name = form_decode(a, p, key_len);
            f->params[f->n].value = eq ? form_decode(a, eq + 1, n - key_len - 1) : "";
            f->n++;
        }
        at += n + 1;
    }
}

const char *query_form_get(const query_form *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->params[i].name, name) == 0)
            return f->params[i].value;
    return NULL;
}

/* Whether some pair is named `prefix` followed by '.' (a structure, list or map under it). */
static bool has_children(const query_form *f, const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < f->n; i++)
        if (strncmp(f->params[i].name, prefix, n) == 0 && f->params[i].name[n] == '.')
            return true;
    return false;
}

typedef struct qdecoder {
    const query_form *form;
    arena *a;
    aws_error *err;
} qdecoder;

static bool decode_at(qdecoder *d, const model_shape *s, const char *path, kval *out, int depth);

static char *join(arena *a, const char *prefix, const char *name)
{
    size_t n = strlen(prefix) + strlen(name) + 2;
    char *out = arena_alloc(a, n);
    strcpy(out, prefix);
    if (*prefix)
        strcat(out, ".");
    strcat(out, name);
    return out;
}

static char *join_index(arena *a, const char *prefix, const char *middle, size_t i)
{
    size_t n = strlen(prefix) + strlen(middle) + 24;
    char *out = arena_alloc(a, n);
    snprintf(out, n, "%s.%s%s%zu", prefix, middle, *middle ? "." : "", i);
    return out;
}

/* Whether anything is at path: the value itself or members below it. */
static bool present(const qdecoder *d, const char *path)
{
    return query_form_get(d->form, path) || has_children(d->form, path);
}

static bool mistyped(qdecoder *d, const char *path, const char *value, const char *what)
{
    aws_error_set(d->err, 400, "ValidationError", "Value '");
    aws_error_quote(&d->err->message, value, strlen(value));
    kbuf_printf(&d->err->message, "' for parameter %s is not %s", path, what);
    return false;
}

/* A value that is not UTF-8 is refused without quoting it (the answer is XML). */
static bool utf8_or_refused(qdecoder *d, const char *path, const char *value)
{
    if (utf8_valid(value, strlen(value)))
        return true;
    aws_error_set(d->err, 400, "ValidationError", "Value for parameter %s is not valid UTF-8",
                  path);
    return false;
}

static bool decode_structure(qdecoder *d, const model_shape *s, const char *path, kval *out,
                             int depth)
{
    out->type = KV_MAP;
    out->u.map.keys = arena_alloc(d->a, (s->n_members ? s->n_members : 1) * sizeof(char *));
    out->u.map.vals = arena_alloc(d->a, (s->n_members ? s->n_members : 1) * sizeof(kval));
    for (size_t i = 0; i < s->n_members; i++) {
        const model_member *m = &s->members[i];
        const char *child = join(d->a, path, m->location_name ? m->location_name : m->name);
        if (!present(d, child))
            continue;
        size_t n = out->u.map.n;
        out->u.map.keys[n] = m->name;
        if (!decode_at(d, m->shape, child, &out->u.map.vals[n], depth + 1))
            return false;
        out->u.map.n++;
    }
    return true;
}

/* The path of item i (from 1) of a list or map at path. */
static const char *item_path(qdecoder *d, const model_shape *s, const char *path, size_t i)
{
    const char *middle = s->flattened ? "" : s->type == SHAPE_MAP ? "entry" : "member";
    return join_index(d->a, path, middle, i);
}

static size_t count_items(qdecoder *d, const model_shape *s, const char *path)
{
    size_t n = 0;
    while (present(d, item_path(d, s, path, n + 1)))
        n++;
    return n;
}

static bool decode_list(qdecoder *d, const model_shape *s, const char *path, kval *out, int depth)
{
    size_t n = count_items(d, s, path);
    out->type = KV_LIST;
    out->u.list.n = n;
    out->u.list.items = arena_alloc(d->a, (n ? n : 1) * sizeof(kval));
    for (size_t i = 0; i < n; i++)
        if (!decode_at(d, s->member, item_path(d, s, path, i + 1), &out->u.list.items[i],
                       depth + 1))
            return false;
    return true;
}

static bool decode_map(qdecoder *d, const model_shape *s, const char *path, kval *out, int depth)
{
    size_t n = count_items(d, s, path);
    out->type = KV_MAP;
    out->u.map.keys = arena_alloc(d->a, (n ? n : 1) * sizeof(char *));
    out->u.map.vals = arena_alloc(d->a, (n ? n : 1) * sizeof(kval));
    for (size_t i = 0; i < n; i++) {
        const char *entry = item_path(d, s, path, i + 1);
        const char *key = query_form_get(d->form, join(d->a, entry, "key"));
        const char *value_path = join(d->a, entry, "value");
        if (!key)
            continue;
        if (!utf8_or_refused(d, join(d->a, entry, "key"), key))
            return false;
        size_t at = out->u.map.n;
        out->u.map.keys[at] = key;
        if (!decode_at(d, s->value, value_path, &out->u.map.vals[at], depth + 1))
            return false;
        out->u.map.n++;
    }
    return true;
}

/* ISO 8601 ("2025-01-01T00:00:00Z", ".123" allowed) or epoch seconds, to milliseconds. */
static bool read_timestamp(const char *text, int64_t *ms)
{
    struct tm tm = {0};
    const char *end = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
    if (end) {
        double frac = 0;
        if (*end == '.')
            frac = strtod(end, (char **)&end);
        time_t t = timegm(&tm);
        if ((strcmp(end, "Z") != 0 && *end) || !(frac >= 0 && frac < 1) ||
            !(t <= TIMESTAMP_MAX_SECONDS && t >= -TIMESTAMP_MAX_SECONDS))
            return false;
        *ms = (int64_t)t * 1000 + (int64_t)(frac * 1000);
        return true;
    }
    char *stop;
    double seconds = strtod(text, &stop);
    if (!(seconds <= TIMESTAMP_MAX_SECONDS && seconds >= -TIMESTAMP_MAX_SECONDS))
        return false; /* out of range (and NaN): no conversion that overflows */
    *ms = (int64_t)(seconds * 1000);
    return *text && !*stop;
}

static bool decode_scalar(qdecoder *d, const model_shape *s, const char *path, kval *out)
{
    const char *v = query_form_get(d->form, path);
    char *end;
    if (!v)
        v = "";
    if (!utf8_or_refused(d, path, v))
        return false;
    switch (s->type) {
    case SHAPE_INTEGER:
    case SHAPE_LONG:
        out->type = KV_INT;
        out->u.i = decode_integer_in_range(s, strtoll(v, &end, 10));
        return (*v && !*end) || mistyped(d, path, v, "an integer");
    case SHAPE_DOUBLE:
        out->type = KV_DOUBLE;
        out->u.d = strtod(v, &end);
        return (*v && !*end) || mistyped(d, path, v, "a number");
    case SHAPE_BOOLEAN:
        out->type = KV_BOOL;
        out->u.b = strcasecmp(v, "true") == 0;
        return out->u.b || strcasecmp(v, "false") == 0 || mistyped(d, path, v, "a boolean");
    case SHAPE_TIMESTAMP:
        out->type = KV_TIMESTAMP;
        return read_timestamp(v, &out->u.i) || mistyped(d, path, v, "a timestamp");
    case SHAPE_BLOB: {
        size_t n = strlen(v), len = 0;
        unsigned char *bytes = arena_alloc(d->a, n / 4 * 3 + 1);
        if (!base64_decode(v, n, bytes, &len))
            return mistyped(d, path, v, "base64");
        out->type = KV_BLOB;
        out->u.s.ptr = (const char *)bytes;
        out->u.s.len = len;
        return true;
    }
    default:
        out->type = KV_STRING;
        out->u.s.ptr = v;
        out->u.s.len = strlen(v);
        return true;
    }
}

static bool decode_at(qdecoder *d, const model_shape *s, const char *path, kval *out, int depth)
{
    if (depth > MAX_QUERY_DEPTH)
        return mistyped(d, path, "", "nested this deep");
    switch (s->type) {
    case SHAPE_STRUCTURE:
        return decode_structure(d, s, path, out, depth);
    case SHAPE_LIST:
        return decode_list(d, s, path, out, depth);
    case SHAPE_MAP:
        return decode_map(d, s, path, out, depth);
    default:
        return decode_scalar(d, s, path, out);
    }
}

kval *decode_query(const model_op *op, const query_form *f, arena *a, aws_error *err)
{
    static const model_shape no_input = {.name = "", .type = SHAPE_STRUCTURE};
    const model_shape *shape = model_op_input(op) ? model_op_input(op) : &no_input;
    qdecoder d = {f, a, err};
    kval *out = arena_alloc(a, sizeof *out);
    return decode_at(&d, shape, "", out, 0) ? out : NULL;
}
