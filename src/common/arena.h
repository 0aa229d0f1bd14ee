/* arena.h - a bump allocator for everything that lives exactly as long as one request.
 *
 * Decoded request values, their strings and scratch space come from the request's arena and are
 * released together by arena_free; nothing allocated here is freed one by one. */
#ifndef KINESD_ARENA_H
#define KINESD_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block;

typedef struct arena {
    arena_block *head;
} arena;

void arena_init(arena *a);
void arena_free(arena *a); /* releases every allocation; a stays usable */
/* 16-byte aligned, zeroed. Out of memory the server aborts; libkines gets NULL (oom.h). */
void *arena_alloc(arena *a, size_t n);
char *arena_strndup(arena *a, const char *s, size_t n); /* NUL-terminated copy (or NULL) */
char *arena_strdup(arena *a, const char *s);

#endif
