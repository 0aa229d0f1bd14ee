/* schema_regex.h - ECMA-262 regular expressions for "pattern", "patternProperties" and the
 * "regex" format, on PCRE2 with the options closest to ECMAScript (docs/schema.md lists the
 * differences). A compiled sregex is shared by threads; each thread matches with its own match
 * data. */
#ifndef KINES_CLIENT_SCHEMA_REGEX_H
#define KINES_CLIENT_SCHEMA_REGEX_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sregex sregex;

/* NULL with a one-line reason in why (why_size bytes) when pattern is not a usable regex. */
sregex *sregex_compile(const char *pattern, size_t len, char *why, size_t why_size);
void sregex_free(sregex *re);

/* Whether re matches somewhere in the UTF-8 string s (n bytes). *match_data is created on first
 * use; release it with sregex_match_data_free. A match that runs past the backtracking limit
 * counts as no match. */
bool sregex_search(const sregex *re, const char *s, size_t n, void **match_data);
void sregex_match_data_free(void *match_data);

#endif
