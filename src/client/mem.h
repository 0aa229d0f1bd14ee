/* mem.h - the memory behind a libkines result: one arena, released by the result's free call.
 *
 * Out of memory (libkines: oom.h) kines_mem_new and the allocations return NULL (every function
 * here takes a NULL kines_mem), the failure is noted, and the call fails once its result is read
 * (kines_check_memory): readers only make sure they write nowhere through a NULL. */
#ifndef KINES_CLIENT_MEM_H
#define KINES_CLIENT_MEM_H

#include <stddef.h>

#include "common/arena.h"
#include "common/buf.h"

struct kines_mem {
    arena a;
};

struct kines_mem *kines_mem_new(void);
void kines_mem_free(struct kines_mem *m); /* NULL is fine */
void *kines_mem_alloc(struct kines_mem *m, size_t n);
/* Moves the array of item_size items gathered in acc into m; acc is freed, *count gets the number
 * of items. */
void *kines_mem_take(struct kines_mem *m, kbuf *acc, size_t item_size, size_t *count);
/* The last of the item_size items gathered so far in acc, or NULL while there are none. */
const void *kines_acc_last(const kbuf *acc, size_t item_size);
/* A copy of s, or NULL when s is NULL. */
char *kines_mem_strdup(struct kines_mem *m, const char *s);

#endif
