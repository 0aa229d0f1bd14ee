/* jsonfield.c - JSON document fields (see jsonfield.h). */
#include "jsonfield.h"

#include <stdio.h>
#include <string.h>

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

/* Whether the bytes from `at` on are all white space. */
static bool blank_after(const char *text, size_t at, size_t len)
{
    while (at < len && text[at] && strchr(" \t\r\n", text[at]))
        at++;
    return at == len;
}

json_object *jf_parse(const char *text, size_t len, bool *ok)
{
    json_tokener *tok = json_tokener_new();
    json_object *v = json_tokener_parse_ex(tok, text, (int)len);
    size_t end = json_tokener_get_parse_end(tok);
    if (!v && json_tokener_get_error(tok) == json_tokener_continue)
        v = json_tokener_parse_ex(tok, "", 1); /* the end of a bare number or literal */
    *ok = json_tokener_get_error(tok) == json_tokener_success && blank_after(text, end, len);
    json_tokener_free(tok);
    if (!*ok) {
        json_object_put(v);
        v = NULL;
    }
    return v;
}
