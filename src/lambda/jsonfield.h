/* jsonfield.h - the fields of the JSON documents the Lambda service keeps (functions in
 * lambda.sqlite, queued events): written by key, read by key with absent fields as "" and 0. */
#ifndef KINESD_LAMBDA_JSONFIELD_H
#define KINESD_LAMBDA_JSONFIELD_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void jf_add_str(json_object *o, const char *key, const char *value);
void jf_add_int(json_object *o, const char *key, int64_t value);
const char *jf_str(json_object *o, const char *key);
int64_t jf_int(json_object *o, const char *key);
/* Copies the string field into out (truncated to cap). */
void jf_copy(json_object *o, const char *key, char *out, size_t cap);

/* Parses exactly len bytes (not NUL-terminated) as one JSON value, white space around it
 * allowed: the value (NULL for JSON null), *ok false (and NULL) when they are not one. */
json_object *jf_parse(const char *text, size_t len, bool *ok);

#endif
