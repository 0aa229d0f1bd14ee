/* schema_regex.c - ECMA-262 patterns on PCRE2 (see schema_regex.h).
 *
 * PCRE2 is run in UTF mode without Unicode properties (so \d, \w and \b are ASCII, as in
 * ECMAScript without the u flag), with \u escapes (ALT_BSUX), "$" only at the very end, empty
 * classes "[]"/"[^]" as in JavaScript, and backreferences to unset groups matching the empty
 * string. The pattern is rewritten before compiling where ECMAScript and PCRE still differ:
 * \s and \S get ECMAScript's white space set, and escapes ECMAScript does not have (\A, \Z, \z,
 * \G, \Q...\E, \K, \R, \X, \C, \h, \H, \N) are refused. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "schema_regex.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

#define MATCH_LIMIT 1000000 /* backtracking steps per match: bounds hostile input */

/* ECMAScript's WhiteSpace and LineTerminator code points, as class members. */
#define ECMA_SPACE                                                                                 \
    "\\x09-\\x0d\\x20\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"

struct sregex {
    pcre2_code *code;            /* compiled (and JIT-compiled when possible) */
    pcre2_match_context *limits; /* the backtracking limit; read-only while matching */
};

/* The PCRE2 form of an ECMAScript pattern into out; -1 (why set) for escapes ECMAScript lacks. */
static int translate(const char *p, size_t n, kbuf *out, char *why, size_t why_size)
{
    bool in_class = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\\' && i + 1 < n) {
            char e = p[++i];
            if (strchr("AZzGQEKRXChHN", e)) {
                snprintf(why, why_size, "\\%c is not ECMAScript", e);
                return -1;
            }
            if (e == 's')
                kbuf_puts(out, in_class ? ECMA_SPACE : "[" ECMA_SPACE "]");
            else if (e == 'S' && !in_class)
                kbuf_puts(out, "[^" ECMA_SPACE "]");
            else {
                kbuf_putc(out, '\\');
                kbuf_putc(out, e);
            }
            continue;
        }
        if (c == '[' && !in_class) {
            in_class = true;
            kbuf_putc(out, c);
            if (i + 1 < n && p[i + 1] == '^')
                kbuf_putc(out, p[++i]);
            continue;
        }
        if (c == ']' && in_class)
            in_class = false;
        kbuf_putc(out, c);
    }
    return 0;
}

sregex *sregex_compile(const char *pattern, size_t len, char *why, size_t why_size)
{
    kbuf src = KBUF_INIT;
    if (translate(pattern, len, &src, why, why_size) != 0) {
        kbuf_free(&src);
        return NULL;
    }
    pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
    pcre2_set_newline(cc, PCRE2_NEWLINE_ANYCRLF);
    int code;
    PCRE2_SIZE at;
    uint32_t options = PCRE2_UTF | PCRE2_NO_UTF_CHECK | PCRE2_ALT_BSUX | PCRE2_DOLLAR_ENDONLY |
                       PCRE2_ALLOW_EMPTY_CLASS | PCRE2_MATCH_UNSET_BACKREF;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)(src.data ? src.data : ""), src.len, options, &code, &at, cc);
    pcre2_compile_context_free(cc);
    kbuf_free(&src);
    if (!re) {
        PCRE2_UCHAR msg[128];
        pcre2_get_error_message(code, msg, sizeof msg);
        snprintf(why, why_size, "%s", (const char *)msg);
        return NULL;
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* without JIT the interpreter serves */
    sregex *r = malloc(sizeof *r);
    if (!r)
        abort();
    r->code = re;
    r->limits = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(r->limits, MATCH_LIMIT);
    return r;
}

void sregex_free(sregex *re)
{
    if (!re)
        return;
    pcre2_code_free(re->code);
    pcre2_match_context_free(re->limits);
    free(re);
}

bool sregex_search(const sregex *re, const char *s, size_t n, void **match_data)
{
    if (!*match_data)
        *match_data = pcre2_match_data_create(1, NULL);
    int rc =
        pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, PCRE2_NO_UTF_CHECK, *match_data, re->limits);
    return rc >= 0;
}

void sregex_match_data_free(void *match_data)
{
    pcre2_match_data_free(match_data);
}
