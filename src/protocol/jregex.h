/* jregex.h - the service models' Java regular expressions, run by PCRE2.
 *
 * The AWS models write patterns in java.util.regex syntax (\uXXXX escapes, \p{L} classes,
 * look-ahead and look-behind) and AWS matches them against the whole value. PCRE2 in UTF mode with
 * PCRE2_ALT_BSUX (so \uXXXX means a code point, as in Java) runs that syntax as Java does for every
 * pattern of the models; a match must cover the whole value. A value that is not valid UTF-8 never
 * matches. */
#ifndef KINESD_JREGEX_H
#define KINESD_JREGEX_H

#include <stdbool.h>
#include <stddef.h>

typedef struct jregex jregex;

/* Compiles a Java pattern; NULL (nothing to free) when PCRE2 refuses it. */
jregex *jregex_compile(const char *java);
void jregex_free(jregex *re);
/* Whether the whole of s[0..len) matches (s may hold NULs; it need not be NUL-terminated). Safe to
 * call from any number of threads at once. */
bool jregex_match(const jregex *re, const char *s, size_t len);

#endif
