/* json.h - the small json-c vocabulary the libkines calls share: typed field access and one
 * "send this object, parse the answer" call. */
#ifndef KINES_CLIENT_JSON_H
#define KINES_CLIENT_JSON_H

#include <json-c/json.h>
#include <stdint.h>

#include "kines/kines.h"

const char *json_str(json_object *obj, const char *key); /* NULL when absent or not a string */
int64_t json_int(json_object *obj, const char *key, int64_t fallback);
double json_double(json_object *obj, const char *key, double fallback);
json_object *json_field(json_object *obj, const char *key); /* NULL when absent */

void json_add_str(json_object *obj, const char *key, const char *value); /* skips NULL values */
void json_add_int(json_object *obj, const char *key, int64_t value);

/* Sends `request` (consumed) as operation; on success *response is the parsed answer (caller
 * puts it; may be NULL to ignore the answer). */
int json_call(kines_client *c, const char *operation, json_object *request, json_object **response,
              kines_error *err);

#endif
