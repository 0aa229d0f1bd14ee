/* jsonfield.c - JSON document fields (see jsonfield.h). */
#include "jsonfield.h"

#include <stdio.h>

void jf_add_str(json_object *o, const char *key, const char *value)
{
    json_object_object_add(o, key, json_object_new_string(value));
}

void jf_add_int(json_object *o, const char *key, int64_t value)
{
    json_object_object_add(o, key, json_object_new_int64(value));
}

const char *jf_str(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

int64_t jf_int(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

void jf_copy(json_object *o, const char *key, char *out, size_t cap)
{
    snprintf(out, cap, "%s", jf_str(o, key));
}
