/* jregex.h - the service model's Java regular expressions, run by the POSIX (glibc) regex engine.
 *
 * The model writes patterns in java.util.regex syntax and AWS matches them against the whole value.
 * jregex_translate rewrites the subset the model uses (\d \w \s and their negations, escaped
 * punctuation, (?: groups, lazy quantifiers, character classes) into an anchored POSIX extended
 * expression; anything else (look-around, \p{..}, back-references, nested classes) is refused. */
#ifndef KINESD_JREGEX_H
#define KINESD_JREGEX_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "../common/buf.h"

/* Appends the anchored POSIX ERE for `java` to out; false when the pattern is outside the subset.
 */
bool jregex_translate(const char *java, kbuf *out);
/* Translates and compiles; false (nothing to free) when translation or regcomp fails. */
bool jregex_compile(const char *java, regex_t *re);
/* Whether the whole of s[0..len) matches (s may hold NULs; it need not be NUL-terminated). */
bool jregex_match(const regex_t *re, const char *s, size_t len);

#endif
