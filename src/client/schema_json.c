/* schema_json.c - the strict JSON parser into a flat node array, and value comparisons (see
 * schema_json.h). Strings are checked to be UTF-8; numbers keep their text for exact decimal
 * arithmetic. */
#include "schema_json.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    jdoc *d;                     /* what it fills */
    const char *p, *start, *end; /* the next byte; the text */
    int depth;                   /* arrays and objects open */
} parser;

static int fail(parser *ps, const char *what)
{
    if (!ps->d->error[0])
        snprintf(ps->d->error, sizeof ps->d->error, "%s at byte %zu", what,
                 (size_t)(ps->p - ps->start));
    return -1;
}

static void skip_space(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
        ps->p++;
}

/* A new node at the end; returns its index. */
static size_t add_node(parser *ps, jkind kind)
{
    jdoc *d = ps->d;
    if (d->count == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 64;
        jval *nodes =
            d->own_nodes ? realloc(d->nodes, cap * sizeof *nodes) : malloc(cap * sizeof *nodes);
        if (!nodes)
            abort();
        if (!d->own_nodes && d->count)
            memcpy(nodes, d->nodes, d->count * sizeof *nodes);
        d->nodes = nodes;
        d->cap = cap;
        d->own_nodes = true;
    }
    jval *v = &d->nodes[d->count];
    memset(v, 0, sizeof *v);
    v->kind = (uint8_t)kind;
    v->span = 1;
    return d->count++;
}

/* The length of the UTF-8 sequence at s (n bytes left), or 0 when it is not valid UTF-8. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len = c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

static size_t utf8_put(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int hex4(const char *p, const char *end, unsigned *out)
{
    if (end - p < 4)
        return -1;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + (unsigned)d;
    }
    *out = v;
    return 0;
}

/* Decodes the escape at ps->p (after the backslash) into out; returns the bytes written. */
static int decode_escape(parser *ps, char *out)
{
    static const char plain[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
    char c = *ps->p++;
    for (const char *e = plain; *e; e += 2)
        if (c == e[0]) {
            *out = e[1];
            return 1;
        }
    unsigned cp, low;
    if (c != 'u' || hex4(ps->p, ps->end, &cp) != 0)
        return fail(ps, "bad escape in string");
    ps->p += 4;
    if (cp >= 0xD800 && cp < 0xDC00 && ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
        ps->p[1] == 'u' && hex4(ps->p + 2, ps->end, &low) == 0 && low >= 0xDC00 && low < 0xE000) {
        ps->p += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    } else if (cp >= 0xD800 && cp < 0xE000) {
        cp = 0xFFFD; /* a lone surrogate has no UTF-8 form */
    }
    return (int)utf8_put(out, cp);
}

/* The rest of a string with escapes, from ps->p, decoded after the `done` bytes at `from`. */
static int string_escaped(parser *ps, jval *v, const char *from, size_t done)
{
    jdoc *d = ps->d;
    if (!d->decoded) {
        d->decoded = malloc((size_t)(ps->end - ps->start) + 1);
        if (!d->decoded)
            abort();
    }
    char *out = d->decoded + d->decoded_len, *w = out;
    memcpy(w, from, done);
    w += done;
    while (ps->p < ps->end && *ps->p != '"') {
        unsigned char c = (unsigned char)*ps->p;
        if (c == '\\') {
            ps->p++;
            int n = decode_escape(ps, w);
            if (n < 0)
                return -1;
            w += n;
        } else if (c < 0x20) {
            return fail(ps, "control character in string");
        } else {
            size_t n = c < 0x80
                           ? 1
                           : utf8_sequence((const unsigned char *)ps->p, (size_t)(ps->end - ps->p));
            if (n == 0)
                return fail(ps, "invalid UTF-8 in string");
            memcpy(w, ps->p, n);
            w += n;
            ps->p += n;
        }
    }
    if (ps->p == ps->end)
        return fail(ps, "unterminated string");
    ps->p++;
    v->text = out;
    v->len = (uint32_t)(w - out);
    d->decoded_len += v->len;
    return 0;
}

static int parse_string(parser *ps)
{
    size_t i = add_node(ps, J_STRING);
    const char *s = ++ps->p;
    while (ps->p < ps->end) {
        unsigned char c = (unsigned char)*ps->p;
        if (c == '"') {
            jval *v = &ps->d->nodes[i];
            v->text = s;
            v->len = (uint32_t)(ps->p - s);
            ps->p++;
            return 0;
        }
        if (c == '\\')
            return string_escaped(ps, &ps->d->nodes[i], s, (size_t)(ps->p - s));
        if (c < 0x20)
            return fail(ps, "control character in string");
        if (c < 0x80) {
            ps->p++;
            continue;
        }
        size_t n = utf8_sequence((const unsigned char *)ps->p, (size_t)(ps->end - ps->p));
        if (n == 0)
            return fail(ps, "invalid UTF-8 in string");
        ps->p += n;
    }
    return fail(ps, "unterminated string");
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* The value of number text (n bytes), whatever the process locale. */
static double number_value(const char *s, size_t n)
{
    char local[64], *copy = n < sizeof local ? local : malloc(n + 1);
    if (!copy)
        abort();
    memcpy(copy, s, n);
    copy[n] = '\0';
    pthread_once(&c_locale_once, make_c_locale);
    double v = strtod_l(copy, NULL, c_locale);
    if (copy != local)
        free(copy);
    return v;
}

static bool is_digit(const parser *ps)
{
    return ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9';
}

static int parse_number(parser *ps)
{
    const char *s = ps->p;
    bool negative = *ps->p == '-';
    if (negative)
        ps->p++;
    if (!is_digit(ps))
        return fail(ps, "bad number");
    uint64_t whole = 0;
    int digits = 0;
    if (*ps->p == '0')
        ps->p++;
    else
        for (; is_digit(ps); ps->p++, digits++)
            whole = whole * 10 + (uint64_t)(*ps->p - '0');
    bool lexical_int = true;
    if (ps->p < ps->end && *ps->p == '.') {
        ps->p++;
        lexical_int = false;
        if (!is_digit(ps))
            return fail(ps, "bad number");
        while (is_digit(ps))
            ps->p++;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        ps->p++;
        lexical_int = false;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
            ps->p++;
        if (!is_digit(ps))
            return fail(ps, "bad number");
        while (is_digit(ps))
            ps->p++;
    }
    size_t index = add_node(ps, J_NUMBER); /* first: it may move the nodes */
    jval *v = &ps->d->nodes[index];
    v->text = s;
    v->len = (uint32_t)(ps->p - s);
    v->lexical_int = lexical_int;
    if (lexical_int && digits <= 15)
        v->num = negative ? -(double)whole : (double)whole;
    else
        v->num = number_value(s, v->len);
    return 0;
}

static int parse_value(parser *ps);

static int parse_literal(parser *ps, const char *word, jkind kind)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return fail(ps, "unexpected character");
    ps->p += n;
    add_node(ps, kind);
    return 0;
}

/* An array or object from its opening bracket; members are "key": value pairs. */
static int parse_container(parser *ps, jkind kind)
{
    if (++ps->depth > JDOC_MAX_DEPTH)
        return fail(ps, "nested too deeply");
    size_t i = add_node(ps, kind);
    char close = kind == J_ARRAY ? ']' : '}';
    uint32_t count = 0;
    ps->p++;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
    } else {
        for (;;) {
            skip_space(ps);
            if (kind == J_OBJECT) {
                if (ps->p >= ps->end || *ps->p != '"')
                    return fail(ps, "expected a member name");
                if (parse_string(ps) != 0)
                    return -1;
                skip_space(ps);
                if (ps->p >= ps->end || *ps->p != ':')
                    return fail(ps, "expected ':'");
                ps->p++;
            }
            if (parse_value(ps) != 0)
                return -1;
            count++;
            skip_space(ps);
            if (ps->p < ps->end && *ps->p == ',') {
                ps->p++;
                continue;
            }
            if (ps->p < ps->end && *ps->p == close) {
                ps->p++;
                break;
            }
            return fail(ps, kind == J_ARRAY ? "expected ',' or ']'" : "expected ',' or '}'");
        }
    }
    jval *v = &ps->d->nodes[i];
    v->len = count;
    v->span = (uint32_t)(ps->d->count - i);
    ps->depth--;
    return 0;
}

static int parse_value(parser *ps)
{
    skip_space(ps);
    if (ps->p >= ps->end)
        return fail(ps, "unexpected end");
    switch (*ps->p) {
    case '{':
        return parse_container(ps, J_OBJECT);
    case '[':
        return parse_container(ps, J_ARRAY);
    case '"':
        return parse_string(ps);
    case 't':
        return parse_literal(ps, "true", J_TRUE);
    case 'f':
        return parse_literal(ps, "false", J_FALSE);
    case 'n':
        return parse_literal(ps, "null", J_NULL);
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
            return parse_number(ps);
        return fail(ps, "unexpected character");
    }
}

int jdoc_parse(jdoc *d, const char *text, size_t len, jval *initial, size_t initial_cap)
{
    memset(d, 0, sizeof *d);
    d->nodes = initial;
    d->cap = initial ? initial_cap : 0;
    if (len >= UINT32_MAX) {
        snprintf(d->error, sizeof d->error, "document too large");
        return -1;
    }
    parser ps = {d, text, text, text + len, 0};
    if (parse_value(&ps) != 0)
        return -1;
    skip_space(&ps);
    if (ps.p != ps.end)
        return fail(&ps, "unexpected text after the value");
    return 0;
}

void jdoc_free(jdoc *d)
{
    if (d->own_nodes)
        free(d->nodes);
    free(d->decoded);
    d->nodes = NULL;
    d->decoded = NULL;
    d->own_nodes = false;
}

/* ---- comparisons ---------------------------------------------------------------------------- */

const jval *jval_member(const jval *obj, const char *key, size_t n)
{
    const jval *k = obj + 1;
    for (uint32_t i = 0; i < obj->len; i++, k = jval_next(k + 1))
        if (k->len == n && memcmp(k->text, key, n) == 0)
            return k + 1;
    return NULL;
}

bool jval_str_is(const jval *v, const char *s)
{
    size_t n = strlen(s);
    return v->kind == J_STRING && v->len == n && memcmp(v->text, s, n) == 0;
}

bool jval_equal(const jval *a, const jval *b)
{
    if (a->kind != b->kind || (a->kind != J_NUMBER && a->len != b->len))
        return false;
    switch (a->kind) {
    case J_NUMBER:
        return a->num == b->num;
    case J_STRING:
        return memcmp(a->text, b->text, a->len) == 0;
    case J_ARRAY:
        for (const jval *x = a + 1, *y = b + 1; x < jval_next(a);
             x = jval_next(x), y = jval_next(y))
            if (!jval_equal(x, y))
                return false;
        return true;
    case J_OBJECT:
        for (const jval *k = a + 1; k < jval_next(a); k = jval_next(k + 1)) {
            const jval *other = jval_member(b, k->text, k->len);
            if (!other || !jval_equal(k + 1, other))
                return false;
        }
        return true;
    default:
        return true;
    }
}

bool jval_is_integer(const jval *v, bool lexical)
{
    if (v->kind != J_NUMBER)
        return false;
    if (lexical || v->lexical_int)
        return v->lexical_int;
    return isfinite(v->num) ? floor(v->num) == v->num : false;
}

size_t utf8_code_points(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += ((unsigned char)s[i] & 0xC0) != 0x80;
    return count;
}

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

uint64_t jval_hash(const jval *v)
{
    uint64_t h = 14695981039346656037ull ^ v->kind;
    switch (v->kind) {
    case J_NUMBER: {
        double x = v->num == 0 ? 0 : v->num; /* -0 equals 0 */
        return hash_bytes(h, &x, sizeof x);
    }
    case J_STRING:
        return hash_bytes(h, v->text, v->len);
    case J_ARRAY:
        for (const jval *x = v + 1; x < jval_next(v); x = jval_next(x))
            h = (h ^ jval_hash(x)) * 1099511628211ull;
        return h;
    case J_OBJECT: {
        uint64_t sum = 0; /* member order does not matter */
        for (const jval *k = v + 1; k < jval_next(v); k = jval_next(k + 1))
            sum += hash_bytes(jval_hash(k + 1), k->text, k->len) * 0x9E3779B97F4A7C15ull;
        return h ^ sum;
    }
    default:
        return h;
    }
}

/* ---- multipleOf ----------------------------------------------------------------------------- */

typedef unsigned __int128 u128_t;

/* Number text as digits * 10^exp10; false when the digits do not fit 128 bits. */
static bool decimal_of(const jval *v, u128_t *digits, long *exp10)
{
    const char *p = v->text, *end = v->text + v->len;
    u128_t m = 0;
    long e = 0;
    int significant = 0;
    bool fraction = false;
    if (*p == '-')
        p++;
    for (; p < end && *p != 'e' && *p != 'E'; p++) {
        if (*p == '.') {
            fraction = true;
            continue;
        }
        if (m == 0 && *p == '0') {
            e -= fraction;
            continue;
        }
        if (++significant > 36)
            return false;
        m = m * 10 + (u128_t)(*p - '0');
        e -= fraction;
    }
    if (p < end) {
        long x = strtol(p + 1, NULL, 10); /* clamped: the scaling below gives up long before */
        e += x > 100000 ? 100000 : x < -100000 ? -100000 : x;
    }
    for (; m != 0 && m % 10 == 0; m /= 10)
        e++;
    *digits = m;
    *exp10 = e;
    return true;
}

/* m * 10^shift in 128 bits, or false when it overflows. */
static bool scale(u128_t m, long shift, u128_t *out)
{
    for (; shift > 0; shift--) {
        if (m > ((u128_t)-1) / 10)
            return false;
        m *= 10;
    }
    *out = m;
    return true;
}

bool jval_multiple_of(const jval *a, const jval *m)
{
    u128_t da, dm, sa, sm;
    long ea, em;
    if (decimal_of(a, &da, &ea) && decimal_of(m, &dm, &em) && dm != 0) {
        if (da == 0)
            return true;
        long e = ea < em ? ea : em;
        if (scale(da, ea - e, &sa) && scale(dm, em - e, &sm))
            return sa % sm == 0;
    }
    double q = a->num / m->num;
    return isfinite(q) && fabs(q - nearbyint(q)) < 1e-9;
}
