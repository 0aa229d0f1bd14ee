/* json.c - json-c helpers for the typed calls (see json.h). */
#include "json.h"

#include <stdlib.h>

#include "common/oom.h"
#include "error.h"

json_object *json_field(json_object *obj, const char *key)
{
    json_object *v = NULL;
    return obj && json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

const char *json_str(json_object *obj, const char *key)
{
    json_object *v = json_field(obj, key);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

int64_t json_int(json_object *obj, const char *key, int64_t fallback)
{
    json_object *v = json_field(obj, key);
    return v ? json_object_get_int64(v) : fallback;
}

double json_double(json_object *obj, const char *key, double fallback)
{
    json_object *v = json_field(obj, key);
    return v ? json_object_get_double(v) : fallback;
}

/* obj NULL (json-c out of memory): nothing is added, and json_call refuses the request. */
void json_add_str(json_object *obj, const char *key, const char *value)
{
    if (obj && value)
        json_object_object_add(obj, key, json_object_new_string(value));
}

void json_add_int(json_object *obj, const char *key, int64_t value)
{
    if (obj)
        json_object_object_add(obj, key, json_object_new_int64(value));
}

int json_call(kines_client *c, const char *operation, json_object *request, json_object **response,
              kines_error *err)
{
    char *answer = NULL;
    const char *body =
        request ? json_object_to_json_string_ext(request, JSON_C_TO_STRING_PLAIN) : NULL;
    if (!body || oom_take()) { /* the request could not be built whole */
        json_object_put(request);
        return kines_out_of_memory(err);
    }
    int rc = kines_call_json(c, operation, body, &answer, err);
    json_object_put(request);
    if (rc != 0)
        return rc;
    json_object *parsed = json_tokener_parse(answer);
    free(answer);
    if (!parsed || !json_object_is_type(parsed, json_type_object)) {
        json_object_put(parsed);
        return kines_fail(err, KINES_ERR_PROTOCOL, "%s answered with something other than JSON",
                          operation);
    }
    if (response)
        *response = parsed;
    else
        json_object_put(parsed);
    return 0;
}
