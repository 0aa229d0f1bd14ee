/* gather.c - asking for a list page after page (see gather.h). */
#include "gather.h"

#include "error.h"

void *gather_pages(kines_client *c, const gather *g, size_t *count, int *rc, kines_error *err)
{
    kbuf acc = KBUF_INIT;
    bool more = true;
    *rc = 0;
    while (*rc == 0 && more) {
        json_object *resp = NULL;
        json_object *req = g->request(g, kines_acc_last(&acc, g->item_size));
        *rc = json_call(c, g->operation, req, &resp, err);
        size_t before = acc.len;
        more = *rc == 0 && g->read_page(g, resp, &acc) && acc.len > before;
        json_object_put(resp);
    }
    void *items = kines_mem_take(g->mem, &acc, g->item_size, count);
    *rc = kines_check_memory(err, *rc);
    return items;
}
