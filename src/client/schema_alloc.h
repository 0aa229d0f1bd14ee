/* schema_alloc.h - the memory of the JSON Schema compiler and validator (schema_*.c). Unlike the
 * rest of libkines they do not survive a failed allocation yet: their arena allocations abort
 * out of memory, as before (README: libkines and memory). */
#ifndef KINES_CLIENT_SCHEMA_ALLOC_H
#define KINES_CLIENT_SCHEMA_ALLOC_H

#include <stdlib.h>
#include <string.h>

#include "common/arena.h"

static inline void *schema_alloc(arena *a, size_t n)
{
    void *p = arena_alloc(a, n);
    if (!p)
        abort();
    return p;
}

static inline char *schema_strndup(arena *a, const char *s, size_t n)
{
    char *p = arena_strndup(a, s, n);
    if (!p)
        abort();
    return p;
}

static inline char *schema_strdup(arena *a, const char *s)
{
    return schema_strndup(a, s, strlen(s));
}

#endif
