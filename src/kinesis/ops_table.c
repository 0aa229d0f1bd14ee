/* ops_table.c - maps operation names to their handlers.
 *
 * Each group of operations publishes a NULL-terminated table from its own file; this file only
 * searches them. */
#include <string.h>

#include "op.h"
#include "ops.h"

static const op_entry *const tables[] = {op_table_streams, op_table_records, op_table_consumers,
                                         op_table_subscribe, op_table_account};

op_handler op_lookup(const char *operation)
{
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
        for (const op_entry *e = tables[t]; e->name; e++)
            if (strcmp(e->name, operation) == 0)
                return e->handler;
    return NULL;
}
