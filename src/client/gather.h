/* gather.h - a list that spans pages (DescribeStream, ListStreams, ListTagsForStream): asked for
 * page after page, each request going on after the last item gathered so far. */
#ifndef KINES_CLIENT_GATHER_H
#define KINES_CLIENT_GATHER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "json.h"
#include "mem.h"

typedef struct gather gather;
struct gather {
    const char *operation;
    size_t item_size;
    /* The request for the page after `last` (NULL for the first page). */
    json_object *(*request)(const gather *g, const void *last);
    /* Appends the items of one answer to acc (copies in g->mem); returns its "has more" flag. */
    bool (*read_page)(const gather *g, json_object *response, kbuf *acc);
    const void *key; /* what the requests name: the stream, for instance */
    void *out;       /* the result being filled */
    struct kines_mem *mem;
};

/* Calls g->operation while the last answer brought items and said there are more. Returns the
 * items, kept in g->mem, with their number in *count; *rc is 0 or the failed call's code. */
void *gather_pages(kines_client *c, const gather *g, size_t *count, int *rc, kines_error *err);

#endif
