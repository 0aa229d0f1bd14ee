/* decode_json_stream.c - the streaming JSON 1.1 reader (see decode_json_stream.h).
 *
 * One pass over the body with the input shape in hand, the way decode_cbor.c reads CBOR: a
 * structure's keys are matched by length against its members, each value is read as its
 * member's type straight into the request's arena (a blob base64-decoded from the body, a string
 * copied once), unknown members are stepped over (their syntax still checked), JSON nulls are
 * ignored as json-c's reader ignores them. No DOM, no allocation but from the arena.
 *
 * The reader gives up (returns false all the way up) on anything it does not read exactly as the
 * json-c reader does, which includes every body that reader refuses: decode_json then reads the
 * body again with json-c, for its error text. */
#include "decode_json_stream.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "../common/base64.h"
#include "../common/hex.h"
#include "../common/utf8.h"
#include "decode_errors.h"
#include "json_scan.h"

#define MAX_INTEGER_DIGITS 18    /* every such integer fits int64_t exactly */
#define MAX_STRUCTURE_MEMBERS 64 /* the members seen fit one uint64_t */
#define MAX_MAP_ENTRIES 64       /* keys are checked for duplicates one against another */
/* Timestamps beyond +-10^11 seconds are json-c's reader's to refuse. */
#define TIMESTAMP_MAX_SECONDS 100000000000LL

typedef struct reader {
    const char *p;   /* the next byte */
    const char *end; /* past the body */
    arena *a;        /* where the tree goes */
    int depth;       /* containers open */
} reader;

/* A string as it stands between its quotes. */
typedef struct json_text {
    const char *raw; /* after the opening quote */
    size_t raw_len;  /* up to the closing quote */
    bool escaped;    /* raw holds backslash escapes */
} json_text;

static bool read_value(reader *r, const model_shape *s, kval *out);
static bool skip_value(reader *r);

static void skip_ws(reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
        r->p++;
}

/* Moves past c (after whitespace); false when the next byte is another. */
static bool take(reader *r, char c)
{
    skip_ws(r);
    if (r->p == r->end || *r->p != c)
        return false;
    r->p++;
    return true;
}

static bool peek_is(reader *r, char c)
{
    skip_ws(r);
    return r->p < r->end && *r->p == c;
}

/* Moves past the literal word (true, false, null) when it comes next. */
static bool take_word(reader *r, const char *word, size_t len)
{
    skip_ws(r);
    if ((size_t)(r->end - r->p) < len || memcmp(r->p, word, len) != 0)
        return false;
    r->p += len;
    return true;
}

static bool take_null(reader *r)
{
    return take_word(r, "null", 4);
}

static bool enter(reader *r, char open)
{
    return take(r, open) && ++r->depth <= JSON_STREAM_MAX_DEPTH;
}

/* After an element: true with *more when a ',' followed, true without it at the closing byte. */
static bool next_element(reader *r, char close, bool *more)
{
    *more = take(r, ',');
    if (*more)
        return true;
    if (!take(r, close))
        return false;
    r->depth--;
    return true;
}

/* Just after a container's opening bracket: whether an element comes (*more), or else moves past
 * the closing one. */
static bool first_element(reader *r, char close, bool *more)
{
    *more = !peek_is(r, close);
    return *more || next_element(r, close, more);
}

/* ---- strings --------------------------------------------------------------------------------- */

/* The code point of the \uXXXX at p (6 bytes available), -1 when the digits are not hex. */
static long unicode_escape(const char *p)
{
    long cp = 0;
    for (int i = 2; i < 6; i++) {
        int v = hex_value(p[i]);
        if (v < 0)
            return -1;
        cp = cp << 4 | v;
    }
    return cp;
}

/* Bytes of the escape at p (a backslash), 0 for one the reader does not take. */
static size_t escape_len(const char *p, const char *end)
{
    if (end - p < 2)
        return 0;
    switch (p[1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        return 2;
    }
    if (p[1] != 'u' || end - p < 6)
        return 0;
    long cp = unicode_escape(p);
    return cp > 0 && (cp < 0xd800 || cp > 0xdfff) ? 6 : 0;
}

/* Reads the string that comes next (its opening quote included) into *t. */
static bool scan_string(reader *r, json_text *t)
{
    if (!take(r, '"'))
        return false;
    const char *p = r->p, *end = r->end;
    t->raw = p;
    t->escaped = false;
    for (;;) {
        p = json_skip_plain(p, end);
        if (p == end)
            return false;
        size_t n;
        if (*p == '"')
            break;
        if (*p == '\\') {
            n = escape_len(p, end);
            t->escaped = true;
        } else {
            n = utf8_char_len(p, (size_t)(end - p)); /* 0 for control characters too */
            n = (unsigned char)*p < 0x80 ? 0 : n;
        }
        if (n == 0)
            return false;
        p += n;
    }
    t->raw_len = (size_t)(p - t->raw);
    r->p = p + 1;
    return true;
}

static size_t put_utf8(char *out, long cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    out[0] = (char)(0xe0 | cp >> 12);
    out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
}

/* Writes the text of a scanned (so well-formed) string with escapes resolved; returns its length
 * (never more than raw_len). */
static size_t unescape(const json_text *t, char *out)
{
    static const char simple[128] = {['"'] = '"',  ['\\'] = '\\', ['/'] = '/',  ['b'] = '\b',
                                     ['f'] = '\f', ['n'] = '\n',  ['r'] = '\r', ['t'] = '\t'};
    size_t n = 0;
    for (const char *p = t->raw, *end = t->raw + t->raw_len; p < end;) {
        if (*p != '\\') {
            out[n++] = *p++;
        } else if (p[1] == 'u') {
            n += put_utf8(out + n, unicode_escape(p));
            p += 6;
        } else {
            out[n++] = simple[(unsigned char)p[1]];
            p += 2;
        }
    }
    return n;
}

/* The text of the string, NUL-terminated, in the arena. */
static char *text_copy(reader *r, const json_text *t, size_t *len)
{
    if (!t->escaped) {
        *len = t->raw_len;
        return arena_strndup(r->a, t->raw, t->raw_len);
    }
    char *out = arena_alloc(r->a, t->raw_len + 1);
    *len = unescape(t, out);
    return out;
}

static bool read_string(reader *r, kval *out)
{
    json_text t;
    if (!scan_string(r, &t))
        return false;
    out->type = KV_STRING;
    out->u.s.ptr = text_copy(r, &t, &out->u.s.len);
    return true;
}

/* A blob: its base64 decoded from the body into the arena. */
static bool read_blob(reader *r, kval *out)
{
    json_text t;
    if (!scan_string(r, &t))
        return false;
    const char *text = t.raw;
    size_t len = t.raw_len, decoded;
    if (t.escaped)
        text = text_copy(r, &t, &len);
    unsigned char *bytes = arena_alloc(r->a, len / 4 * 3 + 1);
    if (!base64_decode(text, len, bytes, &decoded))
        return false;
    out->type = KV_BLOB;
    out->u.s.ptr = (const char *)bytes;
    out->u.s.len = decoded;
    return true;
}

/* ---- scalars --------------------------------------------------------------------------------- */

/* An integer of at most MAX_INTEGER_DIGITS digits, without fraction or exponent ("-0" neither:
 * json-c's reading of it is its own). */
static bool read_integer(reader *r, int64_t *out)
{
    skip_ws(r);
    const char *p = r->p;
    bool negative = p < r->end && *p == '-';
    p += negative;
    const char *digits = p;
    uint64_t v = 0; /* 19 digits fit */
    while (p < r->end && *p >= '0' && *p <= '9' && p - digits <= MAX_INTEGER_DIGITS)
        v = v * 10 + (uint64_t)(*p++ - '0');
    size_t n = (size_t)(p - digits);
    if (n == 0 || n > MAX_INTEGER_DIGITS || (digits[0] == '0' && (n > 1 || negative)))
        return false;
    if (p < r->end && (*p == '.' || *p == 'e' || *p == 'E' || (*p >= '0' && *p <= '9')))
        return false;
    r->p = p;
    *out = negative ? -(int64_t)v : (int64_t)v;
    return true;
}

/* JSON true/false, or the strings "true"/"false" in any case (as AWS converts them). */
static bool read_boolean(reader *r, kval *out)
{
    out->type = KV_BOOL;
    if (take_word(r, "true", 4)) {
        out->u.b = true;
        return true;
    }
    if (take_word(r, "false", 5))
        return true;
    json_text t;
    if (!scan_string(r, &t) || t.escaped)
        return false;
    if (t.raw_len == 4 && strncasecmp(t.raw, "true", 4) == 0)
        out->u.b = true;
    else if (!(t.raw_len == 5 && strncasecmp(t.raw, "false", 5) == 0))
        return false;
    return true;
}

/* Integers, doubles and timestamps, all from an integer on the wire. */
static bool read_number(reader *r, const model_shape *s, kval *out)
{
    int64_t v;
    if (!read_integer(r, &v))
        return false;
    switch (s->type) {
    case SHAPE_DOUBLE:
        out->type = KV_DOUBLE;
        out->u.d = (double)v;
        return true;
    case SHAPE_TIMESTAMP:
        if (v > TIMESTAMP_MAX_SECONDS || v < -TIMESTAMP_MAX_SECONDS)
            return false;
        out->type = KV_TIMESTAMP;
        out->u.i = v * 1000;
        return true;
    default:
        out->type = KV_INT;
        out->u.i = decode_integer_in_range(s, v);
        return true;
    }
}

/* ---- containers ------------------------------------------------------------------------------ */

/* The array at *items (n used of *cap) with room for one more, grown in the arena (doubling: the
 * old array is left behind, at most as much again as the final one). */
static void *room_for_one(reader *r, void *items, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return items;
    size_t grown = *cap ? *cap * 2 : 16;
    void *bigger = arena_alloc(r->a, grown * size);
    if (n)
        memcpy(bigger, items, n * size);
    *cap = grown;
    return bigger;
}

static bool read_list(reader *r, const model_shape *s, kval *out)
{
    size_t cap = 0, n = 0;
    kval *items = NULL;
    bool more;
    if (!first_element(r, ']', &more))
        return false;
    while (more) {
        items = room_for_one(r, items, n, &cap, sizeof *items);
        if (!take_null(r) && !read_value(r, s->member, &items[n])) /* null stays KV_NULL */
            return false;
        n++;
        if (!next_element(r, ']', &more))
            return false;
    }
    out->type = KV_LIST;
    out->u.list.items = items;
    out->u.list.n = n;
    return true;
}

/* The key and ':' of an object's next entry. */
static bool scan_key(reader *r, json_text *key)
{
    return scan_string(r, key) && take(r, ':');
}

static void set_map(kval *out, const char **keys, kval *vals, size_t n)
{
    out->type = KV_MAP;
    out->u.map.keys = keys;
    out->u.map.vals = vals;
    out->u.map.n = n;
}

/* A structure: its known members in the order they come, nulls and unknown members left out. */
static bool read_structure(reader *r, const model_shape *s, kval *out)
{
    if (s->n_members > MAX_STRUCTURE_MEMBERS)
        return false;
    const char **keys = arena_alloc(r->a, s->n_members * sizeof *keys);
    kval *vals = arena_alloc(r->a, s->n_members * sizeof *vals);
    uint64_t seen = 0;
    size_t n = 0;
    bool more;
    if (!first_element(r, '}', &more))
        return false;
    while (more) {
        json_text key;
        if (!scan_key(r, &key) || key.escaped)
            return false;
        const model_member *m = shape_find_member(s, key.raw, key.raw_len);
        uint64_t bit = m ? (uint64_t)1 << (m - s->members) : 0;
        if (seen & bit) /* json-c keeps the last of duplicates, in the first one's place */
            return false;
        seen |= bit;
        if (!m) {
            if (!skip_value(r))
                return false;
        } else if (!take_null(r)) {
            keys[n] = m->name;
            if (!read_value(r, m->shape, &vals[n++]))
                return false;
        }
        if (!next_element(r, '}', &more))
            return false;
    }
    set_map(out, keys, vals, n);
    return true;
}

static bool is_new_key(const char **keys, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i], key) == 0)
            return false;
    return true;
}

/* A map: every entry, in the order they come. */
static bool read_map(reader *r, const model_shape *s, kval *out)
{
    size_t key_cap = 0, val_cap = 0, n = 0;
    const char **keys = NULL;
    kval *vals = NULL;
    bool more;
    if (!first_element(r, '}', &more))
        return false;
    while (more) {
        json_text key;
        size_t len;
        if (n == MAX_MAP_ENTRIES || !scan_key(r, &key))
            return false;
        keys = room_for_one(r, keys, n, &key_cap, sizeof *keys);
        vals = room_for_one(r, vals, n, &val_cap, sizeof *vals);
        keys[n] = text_copy(r, &key, &len);
        if (!is_new_key(keys, n, keys[n]) || take_null(r) || !read_value(r, s->value, &vals[n]))
            return false;
        n++;
        if (!next_element(r, '}', &more))
            return false;
    }
    set_map(out, keys, vals, n);
    return true;
}

static bool read_value(reader *r, const model_shape *s, kval *out)
{
    switch (s->type) {
    case SHAPE_STRUCTURE:
        return enter(r, '{') && read_structure(r, s, out);
    case SHAPE_MAP:
        return enter(r, '{') && read_map(r, s, out);
    case SHAPE_LIST:
        return enter(r, '[') && read_list(r, s, out);
    case SHAPE_STRING:
        return read_string(r, out);
    case SHAPE_BLOB:
        return read_blob(r, out);
    case SHAPE_BOOLEAN:
        return read_boolean(r, out);
    case SHAPE_INTEGER:
    case SHAPE_LONG:
    case SHAPE_DOUBLE:
    case SHAPE_TIMESTAMP:
        return read_number(r, s, out);
    }
    return false;
}

/* ---- values of unknown members --------------------------------------------------------------- */

static bool skip_container(reader *r, char close, bool keyed)
{
    bool more;
    if (!first_element(r, close, &more))
        return false;
    while (more) {
        json_text key;
        if ((keyed && !scan_key(r, &key)) || !skip_value(r) || !next_element(r, close, &more))
            return false;
    }
    return true;
}

static bool skip_value(reader *r)
{
    json_text t;
    int64_t v;
    skip_ws(r);
    if (r->p == r->end)
        return false;
    switch (*r->p) {
    case '{':
        return enter(r, '{') && skip_container(r, '}', true);
    case '[':
        return enter(r, '[') && skip_container(r, ']', false);
    case '"':
        return scan_string(r, &t);
    case 't':
        return take_word(r, "true", 4);
    case 'f':
        return take_word(r, "false", 5);
    case 'n':
        return take_null(r);
    default:
        return read_integer(r, &v);
    }
}

kval *decode_json_stream(const model_shape *shape, const char *body, size_t len, arena *a)
{
    if (len > INT32_MAX) /* more than json-c's reader takes */
        return NULL;
    reader r = {body, body + len, a, 0};
    kval *out = arena_alloc(a, sizeof *out);
    if (take_null(&r) || !read_value(&r, shape, out))
        return NULL;
    skip_ws(&r);
    return r.p == r.end ? out : NULL;
}
