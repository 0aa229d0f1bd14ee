/* value.c - accessors of the decoded request tree (see value.h). */
#include "value.h"

#include <string.h>

const kval *kv_get(const kval *map, const char *key)
{
    if (!map || map->type != KV_MAP)
        return NULL;
    /* A structure's keys are its members' names (the decoders set them), which validation looks
     * up by the same pointer; others compare from the first byte. */
    for (size_t i = 0; i < map->u.map.n; i++) {
        const char *k = map->u.map.keys[i];
        if (k == key || (k[0] == key[0] && strcmp(k, key) == 0))
            return &map->u.map.vals[i];
    }
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

bool kv_equal(const kval *a, const kval *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case KV_NULL:
        return true;
    case KV_BOOL:
        return a->u.b == b->u.b;
    case KV_INT:
    case KV_TIMESTAMP:
        return a->u.i == b->u.i;
    case KV_DOUBLE:
        return memcmp(&a->u.d, &b->u.d, sizeof a->u.d) == 0; /* -0.0 is not 0.0 here */
    case KV_STRING:
    case KV_BLOB:
        return a->u.s.len == b->u.s.len && memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0;
    case KV_LIST:
        if (a->u.list.n != b->u.list.n)
            return false;
        for (size_t i = 0; i < a->u.list.n; i++)
            if (!kv_equal(&a->u.list.items[i], &b->u.list.items[i]))
                return false;
        return true;
    case KV_MAP:
        if (a->u.map.n != b->u.map.n)
            return false;
        for (size_t i = 0; i < a->u.map.n; i++)
            if (strcmp(a->u.map.keys[i], b->u.map.keys[i]) != 0 ||
                !kv_equal(&a->u.map.vals[i], &b->u.map.vals[i]))
                return false;
        return true;
    }
    return false;
}
