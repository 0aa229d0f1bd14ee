/* ops.h - the handlers of the Kinesis operations, by file. service.c lists them in the service's
 * operation table with where each runs (docs/threading.md): OP_CONTROL handlers run on the Kinesis
 * control thread and change the registry through registry_edit.h; OP_LOOP_READ handlers run on a
 * loop thread with registry_lock held shared. */
#ifndef KINESD_OPS_H
#define KINESD_OPS_H

#include <stdint.h>

#include "../core/call.h"

/* ops_streams.c */
void op_create_stream(op_call *call);
void op_delete_stream(op_call *call);
void op_describe_stream(op_call *call);
void op_describe_stream_summary(op_call *call);
void op_list_streams(op_call *call);
/* ops_list_shards.c */
void op_list_shards(op_call *call);
/* ops_reshard.c */
void op_split_shard(op_call *call);
void op_merge_shards(op_call *call);
void op_update_shard_count(op_call *call);
/* ops_tags.c */
void op_add_tags(op_call *call);
void op_remove_tags(op_call *call);
void op_list_tags(op_call *call);
void op_tag_resource(op_call *call);
void op_untag_resource(op_call *call);
void op_list_resource_tags(op_call *call);
/* ops_stream_settings.c */
void op_increase_retention(op_call *call);
void op_decrease_retention(op_call *call);
void op_update_stream_mode(op_call *call);
void op_update_distribution(op_call *call);
void op_enable_monitoring(op_call *call);
void op_disable_monitoring(op_call *call);
void op_describe_limits(op_call *call);
void op_start_encryption(op_call *call);
void op_stop_encryption(op_call *call);
void op_update_max_record_size(op_call *call);
/* ops_policies.c */
void op_put_resource_policy(op_call *call);
void op_get_resource_policy(op_call *call);
void op_delete_resource_policy(op_call *call);
/* ops_contract.c (kinesd's own operations) */
void op_put_stream_contract(op_call *call);
void op_get_stream_contract(op_call *call);
void op_delete_stream_contract(op_call *call);
void op_check_stream_contract(op_call *call);
/* ops_put.c, ops_shard_iterator.c, ops_get_records.c */
void op_put_record(op_call *call);
void op_put_records(op_call *call);
void op_get_shard_iterator(op_call *call);
void op_get_records(op_call *call);
/* ops_consumers.c */
void op_register_consumer(op_call *call);
void op_describe_consumer(op_call *call);
void op_list_consumers(op_call *call);
void op_deregister_consumer(op_call *call);
/* ops_subscribe.c */
void op_subscribe_to_shard(op_call *call);
/* ops_channels.c */
void op_create_channel(op_call *call);
void op_describe_channel(op_call *call);
void op_list_channels(op_call *call);
void op_update_channel(op_call *call);
void op_delete_channel(op_call *call);
/* ops_account.c */
void op_describe_account_settings(op_call *call);
void op_update_account_settings(op_call *call);
void op_update_warm_throughput(op_call *call);

#endif
