/* decode_json.c - JSON 1.1 request bodies to kval trees typed by the model (see decode.h).
 *
 * The body must be well-formed UTF-8 (RFC 8259 8.1), checked here: json-c's own check lets through
 * bytes no UTF-8 has (F5..FF), which boto3 then cannot read back. json-c parses it (with an
 * explicit length, strictly); the tree is then walked once against the input shape, copying
 * strings and decoding blobs straight into the arena.
 */
#include <json-c/json.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "../common/base64.h"
#include "../common/utf8.h"
#include "decode.h"
#include "decode_errors.h"

#define JSON_MAX_DEPTH 64
/* Timestamps beyond +-10^11 seconds (year ~5000) are refused rather than overflowing. */
#define TIMESTAMP_MAX_SECONDS 1e11

typedef struct decoder {
    arena *a;
    aws_error *err;
} decoder;

static bool decode_value(decoder *d, const model_shape *s, json_object *j, kval *out);

static wire_kind wire_of(json_object *j)
{
    switch (json_object_get_type(j)) {
    case json_type_boolean:
        return WIRE_BOOL;
    case json_type_int:
    case json_type_double:
        return WIRE_NUMBER;
    case json_type_array:
        return WIRE_LIST;
    case json_type_object:
        return WIRE_MAP;
    default:
        return WIRE_STRING;
    }
}

static bool mistyped(decoder *d, const model_shape *s, json_object *j)
{
    const char *str = json_object_is_type(j, json_type_string) ? json_object_get_string(j) : "";
    decode_type_error(d->err, s, wire_of(j), str, strlen(str));
    return false;
}

/* Where a JSON object's entry goes: for a structure the member the shape names (false for an
 * unknown one, which is ignored), for a map the key itself and the map's value shape. */
static bool entry_of(decoder *d, const model_shape *s, const char *key, const char **name,
                     const model_shape **value)
{
    if (s->type != SHAPE_STRUCTURE) {
        *name = arena_strdup(d->a, key);
        *value = s->value;
        return true;
    }
    const model_member *m = shape_find_member(s, key, strlen(key));
    if (!m)
        return false;
    *name = m->name;
    *value = m->shape;
    return true;
}

/* A structure or a map: a KV_MAP of its entries; nulls are ignored. */
static bool decode_object(decoder *d, const model_shape *s, json_object *j, kval *out)
{
    size_t cap = (size_t)json_object_object_length(j), n = 0;
    out->type = KV_MAP;
    out->u.map.keys = arena_alloc(d->a, cap * sizeof(char *));
    out->u.map.vals = arena_alloc(d->a, cap * sizeof(kval));
    json_object_object_foreach(j, key, val)
    {
        const model_shape *value;
        if (!val || !entry_of(d, s, key, &out->u.map.keys[n], &value))
            continue;
        if (!decode_value(d, value, val, &out->u.map.vals[n]))
            return false;
        n++;
    }
    out->u.map.n = n;
    return true;
}

static bool decode_list(decoder *d, const model_shape *s, json_object *j, kval *out)
{
    size_t n = json_object_array_length(j);
    out->type = KV_LIST;
    out->u.list.n = n;
    out->u.list.items = arena_alloc(d->a, n * sizeof(kval));
    for (size_t i = 0; i < n; i++) {
        json_object *item = json_object_array_get_idx(j, i);
        if (item && !decode_value(d, s->member, item, &out->u.list.items[i]))
            return false; /* a null item stays KV_NULL; validation reports it */
    }
    return true;
}

/* The position of the first character AWS calls invalid: outside the alphabet, or a '=' that is
 * followed by something other than '='. -1 when there is none. */
static long first_bad_base64_char(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '+' || c == '/';
        if (!alpha && !(c == '=' && (i + 1 == n || s[i + 1] == '=')))
            return (long)i;
    }
    return -1;
}

static bool bad_base64(decoder *d, const char *s, size_t n)
{
    long bad = first_bad_base64_char(s, n);
    size_t java_len = utf8_utf16_length(s, n); /* what AWS's length check counts */
    kbuf *message = &d->err->message;
    aws_error_set(d->err, 400, "SerializationException", "'");
    aws_error_quote(message, s, n);
    kbuf_puts(message, "' can not be converted to a Blob: ");
    if (java_len % 4) {
        kbuf_printf(message,
                    "Base64 encoded length is expected a multiple of 4 bytes but found: %zu",
                    java_len);
    } else if (bad >= 0) { /* the whole character, not its first byte (JSON text is UTF-8) */
        size_t char_len = utf8_char_len(s + bad, n - (size_t)bad);
        kbuf_puts(message, "Invalid Base64 character: '");
        kbuf_append(message, s + bad, char_len ? char_len : 1);
        kbuf_putc(message, '\'');
    } else {
        kbuf_puts(message, "Invalid last non-pad Base64 character dectected");
    }
    return false;
}

static bool decode_blob(decoder *d, json_object *j, kval *out)
{
    const char *s = json_object_get_string(j);
    size_t n = (size_t)json_object_get_string_len(j), len = 0;
    unsigned char *bytes = arena_alloc(d->a, n / 4 * 3 + 1);
    if (!base64_decode(s, n, bytes, &len))
        return bad_base64(d, s, n);
    out->type = KV_BLOB;
    out->u.s.ptr = (const char *)bytes;
    out->u.s.len = len;
    return true;
}

static bool decode_string(decoder *d, json_object *j, kval *out)
{
    size_t n = (size_t)json_object_get_string_len(j);
    out->type = KV_STRING;
    out->u.s.ptr = arena_strndup(d->a, json_object_get_string(j), n);
    out->u.s.len = n;
    return true;
}

/* Integers read as AWS reads them: a fraction is truncated toward zero. */
static bool decode_integer(const model_shape *s, json_object *j, kval *out)
{
    int64_t v;
    if (json_object_is_type(j, json_type_int)) {
        v = json_object_get_int64(j); /* json-c saturates what int64 cannot hold */
    } else {
        double d = json_object_get_double(j); /* the cast truncates toward zero */
        v = d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : (int64_t)d;
    }
    out->type = KV_INT;
    out->u.i = decode_integer_in_range(s, v);
    return true;
}

/* Seconds to the nearest millisecond (1700000000.123 is not exact in binary). */
static int64_t round_ms(double seconds)
{
    double ms = seconds * 1000.0;
    return (int64_t)(ms >= 0 ? ms + 0.5 : ms - 0.5);
}

static bool decode_timestamp(decoder *d, json_object *j, kval *out)
{
    double seconds = json_object_get_double(j);
    if (!(seconds <= TIMESTAMP_MAX_SECONDS && seconds >= -TIMESTAMP_MAX_SECONDS)) {
        aws_error_set(d->err, 400, "SerializationException", "Timestamp value %s is out of range",
                      json_object_get_string(j));
        return false;
    }
    out->type = KV_TIMESTAMP;
    out->u.i =
        json_object_is_type(j, json_type_int) ? json_object_get_int64(j) * 1000 : round_ms(seconds);
    return true;
}

/* Booleans: JSON true/false, or the strings "true"/"false" in any case, as AWS converts them. */
static bool decode_boolean(decoder *d, const model_shape *s, json_object *j, kval *out)
{
    out->type = KV_BOOL;
    if (json_object_is_type(j, json_type_boolean)) {
        out->u.b = json_object_get_boolean(j);
        return true;
    }
    const char *str = json_object_get_string(j);
    if (strcasecmp(str, "true") != 0 && strcasecmp(str, "false") != 0)
        return mistyped(d, s, j);
    out->u.b = strcasecmp(str, "true") == 0;
    return true;
}

static bool decode_value(decoder *d, const model_shape *s, json_object *j, kval *out)
{
    json_type t = json_object_get_type(j);
    bool number = t == json_type_int || t == json_type_double;
    if (t == json_type_double && !isfinite(json_object_get_double(j))) {
        decode_error(d->err, ""); /* NaN and Infinity are no JSON; json-c reads them anyway */
        return false;
    }
    switch (s->type) {
    case SHAPE_STRUCTURE:
    case SHAPE_MAP:
        return t == json_type_object ? decode_object(d, s, j, out) : mistyped(d, s, j);
    case SHAPE_LIST:
        return t == json_type_array ? decode_list(d, s, j, out) : mistyped(d, s, j);
    case SHAPE_STRING:
        return t == json_type_string ? decode_string(d, j, out) : mistyped(d, s, j);
    case SHAPE_BLOB:
        return t == json_type_string ? decode_blob(d, j, out) : mistyped(d, s, j);
    case SHAPE_INTEGER:
    case SHAPE_LONG:
        return number ? decode_integer(s, j, out) : mistyped(d, s, j);
    case SHAPE_DOUBLE:
        if (!number)
            return mistyped(d, s, j);
        out->type = KV_DOUBLE;
        out->u.d = json_object_get_double(j);
        return true;
    case SHAPE_TIMESTAMP:
        return number ? decode_timestamp(d, j, out) : mistyped(d, s, j);
    case SHAPE_BOOLEAN:
        return t == json_type_boolean || t == json_type_string ? decode_boolean(d, s, j, out)
                                                               : mistyped(d, s, j);
    }
    return mistyped(d, s, j);
}

static bool only_whitespace(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
            return false;
    return true;
}

/* The whole body as one JSON value, NULL when it is not exactly that. */
static json_object *parse_body(const char *body, size_t len)
{
    if (len > INT32_MAX || !utf8_valid(body, len))
        return NULL;
    json_tokener *tok = json_tokener_new_ex(JSON_MAX_DEPTH);
    if (!tok)
        return NULL;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS);
    json_object *root = json_tokener_parse_ex(tok, body, (int)len);
    size_t end = json_tokener_get_parse_end(tok);
    if (json_tokener_get_error(tok) != json_tokener_success || !root ||
        !only_whitespace(body + end, len - end)) {
        json_object_put(root);
        root = NULL;
    }
    json_tokener_free(tok);
    return root;
}

bool decode_json_readable(const char *body, size_t len)
{
    json_object *root = parse_body(body, len);
    json_object_put(root);
    return root != NULL;
}

kval *decode_json(const model_op *op, const char *body, size_t len, arena *a, aws_error *err)
{
    static const model_shape no_input = {.name = "", .type = SHAPE_STRUCTURE};
    return decode_json_shape(model_op_input(op) ? model_op_input(op) : &no_input, body, len, a,
                             err);
}

kval *decode_json_shape(const model_shape *shape, const char *body, size_t len, arena *a,
                        aws_error *err)
{
    decoder d = {a, err};
    kval *out = arena_alloc(a, sizeof *out);
    out->type = KV_MAP;
    if (len == 0)
        return out;
    json_object *root = parse_body(body, len);
    if (!root) {
        decode_error(err, "");
        return NULL;
    }
    bool ok = decode_value(&d, shape, root, out);
    json_object_put(root);
    return ok ? out : NULL;
}
