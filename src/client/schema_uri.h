/* schema_uri.h - the URI and JSON-pointer arithmetic behind $id and $ref: RFC 3986 reference
 * resolution, fragments, percent-decoding, and pointer tokens (RFC 6901). Results live in an
 * arena. */
#ifndef KINES_CLIENT_SCHEMA_URI_H
#define KINES_CLIENT_SCHEMA_URI_H

#include <stddef.h>

#include "common/arena.h"

/* The target URI of reference ref against base (RFC 3986 section 5.2; either may be ""). */
char *uri_resolve(arena *a, const char *base, const char *ref);
/* uri without its fragment; *fragment is what follows '#' (NULL when there is no '#'). */
char *uri_without_fragment(arena *a, const char *uri, const char **fragment);
char *uri_percent_decode(arena *a, const char *s);
/* pointer + "/" + token, with '~' and '/' of the token escaped. */
char *pointer_append(arena *a, const char *pointer, const char *token, size_t n);
/* The next token of a pointer (after its '/'), unescaped into out (which has room for
 * strlen(*pointer)); advances *pointer. Returns the token's length. */
size_t pointer_next(const char **pointer, char *out);

#endif
