/* ops.h - the operation tables, one per group of operations (see ops_table.c). */
#ifndef KINESD_OPS_H
#define KINESD_OPS_H

#include "op.h"

typedef struct op_entry {
    const char *name;
    op_handler handler;
} op_entry;

/* ops_streams.c, ops_reshard.c, ...: stream lifecycle, listing, describing, resharding, tags. */
extern const op_entry op_table_streams[];
/* ops_records.c: PutRecord, PutRecords, GetShardIterator, GetRecords. */
extern const op_entry op_table_records[];

/* ops_consumers.c: Register/Describe/List/DeregisterStreamConsumer. */
extern const op_entry op_table_consumers[];
/* ops_subscribe.c: SubscribeToShard. */
extern const op_entry op_table_subscribe[];
/* ops_account.c: Describe/UpdateAccountSettings, UpdateStreamWarmThroughput. */
extern const op_entry op_table_account[];

#endif
