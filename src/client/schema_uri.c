/* schema_uri.c - RFC 3986 reference resolution and JSON pointer tokens (see schema_uri.h). */
#include "schema_uri.h"

#include <stdbool.h>
#include <string.h>

#include "common/buf.h"
#include "schema_alloc.h"

/* A URI reference cut into its five parts (each NULL when absent). */
typedef struct uri_parts {
    const char *scheme, *authority, *path, *query, *fragment; /* into the reference; NULL: absent */
    size_t scheme_len, authority_len, path_len, query_len, fragment_len; /* their lengths */
} uri_parts;

static bool is_scheme_char(char c, bool first)
{
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return alpha || (!first && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
}

static void split(const char *s, uri_parts *u)
{
    memset(u, 0, sizeof *u);
    size_t i = 0;
    while (s[i] && is_scheme_char(s[i], i == 0))
        i++;
    if (i > 0 && s[i] == ':') {
        u->scheme = s;
        u->scheme_len = i;
        s += i + 1;
    }
    if (s[0] == '/' && s[1] == '/') {
        u->authority = s + 2;
        u->authority_len = strcspn(s + 2, "/?#");
        s += 2 + u->authority_len;
    }
    u->path = s;
    u->path_len = strcspn(s, "?#");
    s += u->path_len;
    if (*s == '?') {
        u->query = s + 1;
        u->query_len = strcspn(s + 1, "#");
        s += 1 + u->query_len;
    }
    if (*s == '#') {
        u->fragment = s + 1;
        u->fragment_len = strlen(s + 1);
    }
}

/* RFC 3986 5.2.4: the path with its "." and ".." segments applied, into out. */
static void remove_dot_segments(const char *in, size_t n, kbuf *out)
{
    kbuf_reset(out);
    const char *end = in + n;
    while (in < end) {
        size_t left = (size_t)(end - in);
        if (left >= 3 && memcmp(in, "../", 3) == 0) {
            in += 3;
        } else if (left >= 2 && memcmp(in, "./", 2) == 0) {
            in += 2;
        } else if ((left >= 3 && memcmp(in, "/./", 3) == 0) ||
                   (left == 2 && memcmp(in, "/.", 2) == 0)) {
            in += 2;
            if (left == 2) {
                kbuf_putc(out, '/');
                break;
            }
        } else if ((left >= 4 && memcmp(in, "/../", 4) == 0) ||
                   (left == 3 && memcmp(in, "/..", 3) == 0)) {
            in += 3;
            if (out->len) { /* drop the last segment written */
                char *slash = memrchr(out->data, '/', out->len);
                out->len = slash ? (size_t)(slash - out->data) : 0;
                out->data[out->len] = '\0';
            }
            if (left == 3) {
                kbuf_putc(out, '/');
                break;
            }
        } else if ((left == 1 && *in == '.') || (left == 2 && memcmp(in, "..", 2) == 0)) {
            break;
        } else {
            size_t seg = 1 + strcspn(in + 1, "/");
            if (seg > left)
                seg = left;
            kbuf_append(out, in, seg);
            in += seg;
        }
    }
}

static void put_part(kbuf *b, const char *prefix, const char *p, size_t n, const char *suffix)
{
    if (!p)
        return;
    kbuf_puts(b, prefix);
    kbuf_append(b, p, n);
    kbuf_puts(b, suffix);
}

/* The merged path of a relative reference (RFC 3986 5.2.3) into `merged`. */
static void merge_paths(const uri_parts *base, const uri_parts *ref, kbuf *merged)
{
    if (base->authority && base->path_len == 0) {
        kbuf_putc(merged, '/');
    } else {
        const char *slash = base->path_len ? memrchr(base->path, '/', base->path_len) : NULL;
        if (slash)
            kbuf_append(merged, base->path, (size_t)(slash - base->path) + 1);
    }
    kbuf_append(merged, ref->path, ref->path_len);
}

char *uri_resolve(arena *a, const char *base, const char *ref)
{
    uri_parts b, r;
    split(base, &b);
    split(ref, &r);
    const uri_parts *auth = r.scheme || r.authority ? &r : &b;
    const uri_parts *query = r.scheme || r.authority || r.path_len || r.query ? &r : &b;
    kbuf path = KBUF_INIT, merged = KBUF_INIT, out = KBUF_INIT;
    if (r.scheme || r.authority || (r.path_len && r.path[0] == '/'))
        remove_dot_segments(r.path, r.path_len, &path);
    else if (r.path_len == 0)
        kbuf_append(&path, b.path, b.path_len);
    else {
        merge_paths(&b, &r, &merged);
        remove_dot_segments(merged.data, merged.len, &path);
    }
    const uri_parts *scheme = r.scheme ? &r : &b;
    put_part(&out, "", scheme->scheme, scheme->scheme_len, ":");
    put_part(&out, "//", auth->authority, auth->authority_len, "");
    kbuf_append(&out, path.data ? path.data : "", path.len);
    put_part(&out, "?", query->query, query->query_len, "");
    put_part(&out, "#", r.fragment, r.fragment_len, "");
    char *result = schema_strndup(a, out.data ? out.data : "", out.len);
    kbuf_free(&path);
    kbuf_free(&merged);
    kbuf_free(&out);
    return result;
}

char *uri_without_fragment(arena *a, const char *uri, const char **fragment)
{
    const char *hash = strchr(uri, '#');
    *fragment = hash ? hash + 1 : NULL;
    return schema_strndup(a, uri, hash ? (size_t)(hash - uri) : strlen(uri));
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

char *uri_percent_decode(arena *a, const char *s)
{
    char *out = schema_alloc(a, strlen(s) + 1), *w = out;
    for (; *s; s++) {
        int hi, lo;
        if (*s == '%' && (hi = hex_digit(s[1])) >= 0 && (lo = hex_digit(s[2])) >= 0) {
            *w++ = (char)(hi * 16 + lo);
            s += 2;
        } else {
            *w++ = *s;
        }
    }
    return out;
}

char *pointer_append(arena *a, const char *pointer, const char *token, size_t n)
{
    size_t base = strlen(pointer), extra = 0;
    for (size_t i = 0; i < n; i++)
        extra += token[i] == '~' || token[i] == '/';
    char *out = schema_alloc(a, base + 1 + n + extra + 1), *w = out + base;
    memcpy(out, pointer, base);
    *w++ = '/';
    for (size_t i = 0; i < n; i++) {
        if (token[i] == '~' || token[i] == '/') {
            *w++ = '~';
            *w++ = token[i] == '~' ? '0' : '1';
        } else {
            *w++ = token[i];
        }
    }
    return out;
}

size_t pointer_next(const char **pointer, char *out)
{
    const char *p = *pointer + 1; /* after the '/' */
    size_t n = 0;
    for (; *p && *p != '/'; p++) {
        if (p[0] == '~' && (p[1] == '0' || p[1] == '1')) {
            out[n++] = p[1] == '0' ? '~' : '/';
            p++;
        } else {
            out[n++] = *p;
        }
    }
    out[n] = '\0';
    *pointer = p;
    return n;
}
