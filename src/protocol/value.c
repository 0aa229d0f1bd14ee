/* value.c - accessors of the decoded request tree (see value.h). */
#include "value.h"

#include <string.h>

const kval *kv_get(const kval *map, const char *key)
{
    if (!map || map->type != KV_MAP)
        return NULL;
    for (size_t i = 0; i < map->u.map.n; i++)
        if (strcmp(map->u.map.keys[i], key) == 0)
            return &map->u.map.vals[i];
    return NULL;
}

const char *kv_str(const kval *map, const char *key)
{
    const kval *v = kv_get(map, key);
    return v && v->type == KV_STRING ? v->u.s.ptr : NULL;
}

bool kv_int(const kval *map, const char *key, int64_t *out)
{
    const kval *v = kv_get(map, key);
    if (!v || v->type != KV_INT)
        return false;
    *out = v->u.i;
    return true;
}

bool kv_bool(const kval *map, const char *key, bool dflt)
{
    const kval *v = kv_get(map, key);
    return v && v->type == KV_BOOL ? v->u.b : dflt;
}
