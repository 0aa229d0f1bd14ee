/* jregex.c - Java regex subset to anchored POSIX ERE (see jregex.h). */
#include "jregex.h"

#include <string.h>

/* POSIX text for a Java class escape (\d, \w, \s and negations), as a bracket expression outside a
 * class (`outside`) or as bracket content inside one; NULL when c is no class escape. The negated
 * forms have no content form. */
static const char *class_escape(char c, bool outside)
{
    switch (c) {
    case 'd':
        return outside ? "[0-9]" : "0-9";
    case 'w':
        return outside ? "[A-Za-z0-9_]" : "A-Za-z0-9_";
    case 's':
        return outside ? "[[:space:]]" : "[:space:]";
    case 'D':
        return outside ? "[^0-9]" : NULL;
    case 'W':
        return outside ? "[^A-Za-z0-9_]" : NULL;
    case 'S':
        return outside ? "[^[:space:]]" : NULL;
    default:
        return NULL;
    }
}

static bool is_punct_escape(char c)
{
    return c != '\0' && strchr("\\.[]{}()*+?|^$/-_:,=!<>@#%&~'\"` ", c) != NULL;
}

static bool is_ere_special(char c)
{
    return strchr("\\.[]{}()*+?|^$", c) != NULL;
}

/* Translates the class starting at p[0] == '['; returns the position after its ']', NULL on an
 * unsupported class. Java allows ']' and '-' escaped anywhere; POSIX wants them first and last. */
static const char *translate_class(const char *p, kbuf *out)
{
    kbuf body = KBUF_INIT;
    bool negate = false, dash = false, rbracket = false, ok = false;
    p++;
    if (*p == '^')
        negate = true, p++;
    const char *first = p;
    while (*p && *p != ']') {
        if (*p == '[' || (p[0] == '&' && p[1] == '&'))
            goto done; /* nested classes and intersections */
        if (*p == '-' && (p == first || p[1] == ']')) {
            dash = true, p++;
            continue;
        }
        if (*p != '\\') {
            kbuf_putc(&body, *p++);
            continue;
        }
        char c = p[1];
        const char *cls = class_escape(c, false);
        if (cls)
            kbuf_puts(&body, cls);
        else if (c == '-')
            dash = true;
        else if (c == ']')
            rbracket = true;
        else if (is_punct_escape(c))
            kbuf_putc(&body, c);
        else
            goto done;
        p += 2;
    }
    if (*p != ']' || (body.len == 0 && !dash && !rbracket))
        goto done;
    kbuf_puts(out, negate ? "[^" : "[");
    if (rbracket)
        kbuf_putc(out, ']');
    if (body.len)
        kbuf_append(out, body.data, body.len);
    kbuf_puts(out, dash ? "-]" : "]");
    ok = true;
done:
    kbuf_free(&body);
    return ok ? p + 1 : NULL;
}

/* Translates an escape outside a class at p[0] == '\\'; returns the position after it or NULL. */
static const char *translate_escape(const char *p, kbuf *out)
{
    char c = p[1];
    const char *cls = class_escape(c, true);
    if (cls) {
        kbuf_puts(out, cls);
    } else if (is_punct_escape(c)) {
        if (is_ere_special(c))
            kbuf_putc(out, '\\');
        kbuf_putc(out, c);
    } else {
        return NULL;
    }
    return p + 2;
}

bool jregex_translate(const char *java, kbuf *out)
{
    size_t n = strlen(java);
    const char *p = java, *end = java + n;
    bool after_quantifier = false;
    if (*p == '^')
        p++;
    if (end > p && end[-1] == '$' && (end - 1 == p || end[-2] != '\\'))
        end--;
    kbuf_puts(out, "^(");
    while (p && p < end) {
        bool quantifier = false;
        if (*p == '[') {
            p = translate_class(p, out);
        } else if (*p == '\\') {
            p = translate_escape(p, out);
        } else if (p[0] == '(' && p[1] == '?') {
            if (p[2] != ':')
                return false; /* look-around, flags, named groups */
            kbuf_putc(out, '(');
            p += 3;
        } else if (after_quantifier && (*p == '?' || *p == '+')) {
            if (*p == '+')
                return false; /* possessive: matches fewer values */
            p++;              /* lazy: the same whole-value matches */
        } else {
            quantifier = strchr("*+?}", *p) != NULL;
            kbuf_putc(out, *p++);
        }
        after_quantifier = quantifier;
    }
    if (!p || p > end)
        return false;
    kbuf_puts(out, ")$");
    return true;
}

bool jregex_compile(const char *java, regex_t *re)
{
    kbuf ere = KBUF_INIT;
    bool ok = jregex_translate(java, &ere) && regcomp(re, ere.data, REG_EXTENDED | REG_NOSUB) == 0;
    kbuf_free(&ere);
    return ok;
}

bool jregex_match(const regex_t *re, const char *s, size_t len)
{
    regmatch_t m = {.rm_so = 0, .rm_eo = (regoff_t)len};
    return regexec(re, s ? s : "", 1, &m, REG_STARTEND) == 0;
}
