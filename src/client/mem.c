/* mem.c - result memory (see mem.h). */
#include "mem.h"

#include <stdlib.h>
#include <string.h>

#include "common/oom.h"

struct kines_mem *kines_mem_new(void)
{
    struct kines_mem *m = malloc(sizeof *m);
    if (!m) {
        oom_failed();
        return NULL;
    }
    arena_init(&m->a);
    return m;
}

void kines_mem_free(struct kines_mem *m)
{
    if (!m)
        return;
    arena_free(&m->a);
    free(m);
}

void *kines_mem_alloc(struct kines_mem *m, size_t n)
{
    return m ? arena_alloc(&m->a, n ? n : 1) : NULL;
}

char *kines_mem_strdup(struct kines_mem *m, const char *s)
{
    return s && m ? arena_strdup(&m->a, s) : NULL;
}

void *kines_mem_take(struct kines_mem *m, kbuf *acc, size_t item_size, size_t *count)
{
    void *p = kbuf_failed(acc) ? NULL : kines_mem_alloc(m, acc->len);
    *count = p ? acc->len / item_size : 0;
    if (p && acc->len)
        memcpy(p, acc->data, acc->len);
    kbuf_free(acc);
    return p;
}

const void *kines_acc_last(const kbuf *acc, size_t item_size)
{
    return acc->len >= item_size ? acc->data + acc->len - item_size : NULL;
}
