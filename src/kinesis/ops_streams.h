/* ops_streams.h - the handlers of op_table_streams that live outside ops_streams.c. */
#ifndef KINESD_OPS_STREAMS_H
#define KINESD_OPS_STREAMS_H

#include <stdint.h>

#include "op.h"

void op_list_shards(op_call *call); /* ops_list_shards.c */
void op_split_shard(op_call *call); /* ops_reshard.c */
void op_merge_shards(op_call *call);
void op_update_shard_count(op_call *call);
void op_add_tags(op_call *call); /* ops_tags.c */
void op_remove_tags(op_call *call);
void op_list_tags(op_call *call);
void op_tag_resource(op_call *call);
void op_untag_resource(op_call *call);
void op_list_resource_tags(op_call *call);
/* Stores the Tags map of a request for a stream (CreateStream); 0, or -1 on error. */
int stream_tags_put(uint64_t uid, const kval *tags);
void op_increase_retention(op_call *call); /* ops_stream_settings.c */
void op_decrease_retention(op_call *call);
void op_update_stream_mode(op_call *call);
void op_enable_monitoring(op_call *call);
void op_disable_monitoring(op_call *call);
void op_describe_limits(op_call *call);
void op_start_encryption(op_call *call);
void op_stop_encryption(op_call *call);
void op_update_max_record_size(op_call *call);
void op_put_resource_policy(op_call *call); /* ops_policies.c */
void op_get_resource_policy(op_call *call);
void op_delete_resource_policy(op_call *call);

#endif
