/* ops_channels.c - the five Channel operations (a channel delivers a stream to Amazon S3 or to
 * S3 Tables), until kinesd delivers records anywhere: their input is validated against the model
 * as AWS does, ListChannels lists none, the others find no channel (ResourceNotFoundException),
 * and CreateChannel checks its streams as AWS documents (they exist, they are on-demand) and
 * then refuses with InvalidArgumentException saying that channels are not supported. AWS's exact
 * texts for these errors could not be confirmed. */
#include <string.h>

#include "ops.h"
#include "ops_util.h"
#include "registry_edit.h"

/* The streams a CreateChannel names must exist and be on-demand. */
static bool channel_streams_usable(op_call *call)
{
    const kval *list = kv_get(call->input, "StreamConfigurationList");
    for (size_t i = 0; list && i < list->u.list.n; i++) {
        const char *arn = kv_str(&list->u.list.items[i], "StreamARN");
        const stream *s = registry_resolve_arn(arn, call->account, call->region, call->err);
        if (!s)
            return false;
        if (!s->on_demand) {
            aws_error_set(call->err, 400, "InvalidArgumentException",
                          "Channels are only supported for streams in ON_DEMAND capacity mode: "
                          "stream %s under account %s is PROVISIONED.",
                          s->name, s->account);
            return false;
        }
    }
    return true;
}

void op_create_channel(op_call *call)
{
    if (!channel_streams_usable(call))
        return;
    aws_error_set(call->err, 400, "InvalidArgumentException",
                  "Channel %s cannot be created: kinesd does not deliver records to Amazon S3 or "
                  "S3 Tables yet.",
                  kv_str(call->input, "ChannelName"));
}

static void channel_not_found(op_call *call)
{
    aws_error_set(call->err, 400, "ResourceNotFoundException", "Channel %s not found.",
                  kv_str(call->input, "ChannelARN"));
}

void op_describe_channel(op_call *call)
{
    channel_not_found(call);
}

void op_update_channel(op_call *call)
{
    channel_not_found(call);
}

void op_delete_channel(op_call *call)
{
    channel_not_found(call);
}

void op_list_channels(op_call *call)
{
    enc_map_begin(call->out);
    enc_key(call->out, "ChannelSummaries");
    enc_list_begin(call->out);
    enc_list_end(call->out);
    enc_map_end(call->out);
}
