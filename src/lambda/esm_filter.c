/* esm_filter.c - Lambda's event-filtering pattern language: checking a pattern, matching an
 * event against one (see esm_filter.h). */
#include "esm_filter.h"

#include <string.h>
#include <strings.h>

#include "jsonfield.h"

#define MAX_DEPTH 32

/* --- checking -------------------------------------------------------------------------------- */

static bool is_number(json_object *v)
{
    json_type t = json_object_get_type(v);
    return t == json_type_int || t == json_type_double;
}

static bool is_string(json_object *v)
{
    return json_object_get_type(v) == json_type_string;
}

/* The only key of an object and its value; false when it has not exactly one. */
static bool only_key(json_object *o, const char **key, json_object **value)
{
    if (json_object_get_type(o) != json_type_object || json_object_object_length(o) != 1)
        return false;
    json_object_object_foreach(o, k, v)
    {
        *key = k;
        *value = v;
    }
    return true;
}

/* A string, or {"equals-ignore-case": string} (prefix and suffix take either). */
static bool valid_text_operand(json_object *v)
{
    const char *key;
    json_object *inner;
    return is_string(v) || (only_key(v, &key, &inner) && strcmp(key, "equals-ignore-case") == 0 &&
                            is_string(inner));
}

static bool valid_anything_but(json_object *v)
{
    const char *key;
    json_object *inner;
    if (is_string(v) || is_number(v))
        return true;
    if (json_object_get_type(v) == json_type_array) {
        size_t n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++) {
            json_object *item = json_object_array_get_idx(v, i);
            if (!is_string(item) && !is_number(item))
                return false;
        }
        return n > 0;
    }
    if (!only_key(v, &key, &inner))
        return false;
    if (strcmp(key, "prefix") == 0 || strcmp(key, "suffix") == 0)
        return is_string(inner);
    if (strcmp(key, "equals-ignore-case") != 0)
        return false;
    if (is_string(inner))
        return true;
    if (json_object_get_type(inner) != json_type_array || !json_object_array_length(inner))
        return false;
    for (size_t i = 0; i < json_object_array_length(inner); i++)
        if (!is_string(json_object_array_get_idx(inner, i)))
            return false;
    return true;
}

static const char *const lower_ops[] = {">", ">=", NULL};
static const char *const upper_ops[] = {"<", "<=", NULL};
static const char *const all_ops[] = {"=", "<", "<=", ">", ">=", NULL};

static bool op_in(json_object *op, const char *const *ops)
{
    if (!is_string(op))
        return false;
    for (int i = 0; ops[i]; i++)
        if (strcmp(json_object_get_string(op), ops[i]) == 0)
            return true;
    return false;
}

/* [op, n] or [lower-op, n, upper-op, m] with n < m. */
static bool valid_numeric(json_object *v)
{
    if (json_object_get_type(v) != json_type_array)
        return false;
    size_t n = json_object_array_length(v);
    json_object *a[4];
    for (size_t i = 0; i < n && i < 4; i++)
        a[i] = json_object_array_get_idx(v, i);
    if (n == 2)
        return op_in(a[0], all_ops) && is_number(a[1]);
    return n == 4 && op_in(a[0], lower_ops) && is_number(a[1]) && op_in(a[2], upper_ops) &&
           is_number(a[3]) && json_object_get_double(a[1]) < json_object_get_double(a[3]);
}

static bool valid_matcher(json_object *m)
{
    json_type t = json_object_get_type(m);
    if (t == json_type_null || t == json_type_boolean || is_string(m) || is_number(m))
        return true;
    const char *key;
    json_object *v;
    if (!only_key(m, &key, &v))
        return false;
    if (strcmp(key, "prefix") == 0 || strcmp(key, "suffix") == 0)
        return valid_text_operand(v);
    if (strcmp(key, "equals-ignore-case") == 0)
        return is_string(v);
    if (strcmp(key, "exists") == 0)
        return json_object_get_type(v) == json_type_boolean;
    if (strcmp(key, "anything-but") == 0)
        return valid_anything_but(v);
    if (strcmp(key, "numeric") == 0)
        return valid_numeric(v);
    return false;
}

static bool valid_pattern(json_object *p, int depth)
{
    if (depth > MAX_DEPTH || json_object_get_type(p) != json_type_object ||
        json_object_object_length(p) == 0)
        return false;
    json_object_object_foreach(p, key, v)
    {
        json_type t = json_object_get_type(v);
        if (strcmp(key, "$or") == 0) {
            if (t != json_type_array || json_object_array_length(v) < 2)
                return false;
            for (size_t i = 0; i < json_object_array_length(v); i++)
                if (!valid_pattern(json_object_array_get_idx(v, i), depth + 1))
                    return false;
        } else if (t == json_type_object) {
            if (!valid_pattern(v, depth + 1))
                return false;
        } else if (t == json_type_array && json_object_array_length(v) > 0) {
            for (size_t i = 0; i < json_object_array_length(v); i++)
                if (!valid_matcher(json_object_array_get_idx(v, i)))
                    return false;
        } else {
            return false;
        }
    }
    return true;
}

bool esm_filter_valid(const char *text)
{
    bool parsed;
    json_object *p = jf_parse(text, strlen(text), &parsed);
    bool ok = parsed && valid_pattern(p, 0);
    json_object_put(p);
    return ok;
}

/* --- matching -------------------------------------------------------------------------------- */

static bool text_matches(json_object *operand, const char *s, bool suffix)
{
    const char *key;
    json_object *inner;
    bool fold = only_key(operand, &key, &inner);
    const char *want = json_object_get_string(fold ? inner : operand);
    size_t n = strlen(want), len = strlen(s);
    if (n > len)
        return false;
    const char *at = suffix ? s + len - n : s;
    return fold ? strncasecmp(at, want, n) == 0 : strncmp(at, want, n) == 0;
}

/* Whether value v equals the string or number x. */
static bool equals_scalar(json_object *x, json_object *v)
{
    if (is_string(x))
        return is_string(v) && strcmp(json_object_get_string(x), json_object_get_string(v)) == 0;
    return is_number(x) && is_number(v) && json_object_get_double(x) == json_object_get_double(v);
}

static bool anything_but(json_object *operand, json_object *v)
{
    const char *key;
    json_object *inner;
    if (json_object_get_type(operand) == json_type_array) {
        for (size_t i = 0; i < json_object_array_length(operand); i++)
            if (equals_scalar(json_object_array_get_idx(operand, i), v))
                return false;
        return true;
    }
    if (!only_key(operand, &key, &inner))
        return !equals_scalar(operand, v);
    if (!is_string(v))
        return false;
    if (strcmp(key, "prefix") == 0 || strcmp(key, "suffix") == 0)
        return !text_matches(inner, json_object_get_string(v), key[0] == 's');
    if (is_string(inner))
        return strcasecmp(json_object_get_string(inner), json_object_get_string(v)) != 0;
    for (size_t i = 0; i < json_object_array_length(inner); i++)
        if (strcasecmp(json_object_get_string(json_object_array_get_idx(inner, i)),
                       json_object_get_string(v)) == 0)
            return false;
    return true;
}

static bool compare(const char *op, double value, double bound)
{
    if (strcmp(op, "=") == 0)
        return value == bound;
    if (strcmp(op, "<") == 0)
        return value < bound;
    if (strcmp(op, "<=") == 0)
        return value <= bound;
    if (strcmp(op, ">") == 0)
        return value > bound;
    return value >= bound;
}

static bool numeric(json_object *operand, json_object *v)
{
    if (!is_number(v))
        return false;
    double value = json_object_get_double(v);
    for (size_t i = 0; i + 1 < json_object_array_length(operand); i += 2)
        if (!compare(json_object_get_string(json_object_array_get_idx(operand, i)), value,
                     json_object_get_double(json_object_array_get_idx(operand, i + 1))))
            return false;
    return true;
}

/* One matcher against a field (present or not; v is NULL for JSON null). */
static bool match_one(json_object *m, bool present, json_object *v)
{
    const char *key;
    json_object *operand;
    if (only_key(m, &key, &operand) && strcmp(key, "exists") == 0)
        return json_object_get_boolean(operand) == present;
    if (!present)
        return false;
    switch (json_object_get_type(m)) {
    case json_type_null:
        return json_object_get_type(v) == json_type_null;
    case json_type_boolean:
        return json_object_get_type(v) == json_type_boolean &&
               json_object_get_boolean(v) == json_object_get_boolean(m);
    case json_type_object:
        break;
    default:
        return equals_scalar(m, v);
    }
    if (strcmp(key, "anything-but") == 0)
        return anything_but(operand, v);
    if (strcmp(key, "numeric") == 0)
        return numeric(operand, v);
    if (!is_string(v))
        return false;
    if (strcmp(key, "equals-ignore-case") == 0)
        return strcasecmp(json_object_get_string(operand), json_object_get_string(v)) == 0;
    return text_matches(operand, json_object_get_string(v), strcmp(key, "suffix") == 0);
}

static bool match_any(json_object *matchers, bool present, json_object *v)
{
    for (size_t i = 0; i < json_object_array_length(matchers); i++)
        if (match_one(json_object_array_get_idx(matchers, i), present, v))
            return true;
    return false;
}

/* A leaf: an array value matches when one of its elements does. */
static bool match_leaf(json_object *matchers, bool present, json_object *v)
{
    if (!present || json_object_get_type(v) != json_type_array)
        return match_any(matchers, present, v);
    for (size_t i = 0; i < json_object_array_length(v); i++)
        if (match_any(matchers, true, json_object_array_get_idx(v, i)))
            return true;
    return false;
}

bool esm_filter_match(json_object *pattern, json_object *event)
{
    json_object_object_foreach(pattern, key, want)
    {
        if (strcmp(key, "$or") == 0) {
            bool any = false;
            for (size_t i = 0; !any && i < json_object_array_length(want); i++)
                any = esm_filter_match(json_object_array_get_idx(want, i), event);
            if (!any)
                return false;
            continue;
        }
        json_object *v = NULL;
        bool present = json_object_get_type(event) == json_type_object &&
                       json_object_object_get_ex(event, key, &v);
        bool ok = json_object_get_type(want) == json_type_object
                      ? esm_filter_match(want, present ? v : NULL)
                      : match_leaf(want, present, v);
        if (!ok)
            return false;
    }
    return true;
}

bool esm_filter_record(json_object *const *filters, size_t n, const void *data, size_t len)
{
    if (n == 0)
        return true;
    bool whole;
    json_object *parsed = jf_parse(data, len, &whole);
    json_object *event = json_object_new_object();
    if (whole)
        json_object_object_add(event, "data", parsed);
    bool pass = false;
    for (size_t i = 0; !pass && i < n; i++)
        pass = esm_filter_match(filters[i], event);
    json_object_put(event);
    return pass;
}
