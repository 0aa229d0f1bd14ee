/* ops_stream_settings.c - operations that change or report a stream's settings rather than its
 * shards: retention (Increase/DecreaseStreamRetentionPeriod), capacity mode (UpdateStreamMode),
 * record distribution (UpdateStreamRecordDistributionStrategy: immediate, on-demand streams only),
 * enhanced monitoring (Enable/DisableEnhancedMonitoring), server-side encryption
 * (Start/StopStreamEncryption: records appended from then on are stored sealed under a fresh
 * data key, or plain again; see datakey.h),
 * the record size limit (UpdateMaxRecordSize), and the account's limits (DescribeLimits). */
#include <stdio.h>
#include <string.h>

#include "../core/config.h"
#include "datakey.h"
#include "ops.h"
#include "ops_util.h"
#include "registry_edit.h"

#define MIN_RETENTION_HOURS 24
#define MAX_RETENTION_HOURS 8760
#define ON_DEMAND_STREAM_LIMIT 50

/* The stream the input names, if it is ACTIVE; else NULL with the error set. */
static stream *active_stream(op_call *call)
{
    stream *s = registry_resolve(call->input, call->account, call->region, call->err);
    return s && require_active(s, call->err) ? s : NULL;
}

/* ---- retention ----------------------------------------------------------------------------- */

/* InvalidArgumentException unless hours is within AWS's bounds; false when raised. */
static bool retention_in_bounds(int64_t hours, aws_error *err)
{
    if (hours < MIN_RETENTION_HOURS)
        aws_error_set(err, 400, "InvalidArgumentException",
                      "Minimum allowed retention period is %d hours. Requested retention period "
                      "(%lld hours) is too short.",
                      MIN_RETENTION_HOURS, (long long)hours);
    else if (hours > MAX_RETENTION_HOURS)
        aws_error_set(err, 400, "InvalidArgumentException",
                      "Maximum allowed retention period is %d hours. Requested retention period "
                      "(%lld hours) is too long.",
                      MAX_RETENTION_HOURS, (long long)hours);
    return err->status == 0;
}

/* Sets the retention; `increase` says which direction the operation may move it. */
static void change_retention(op_call *call, bool increase)
{
    stream *s = active_stream(call);
    int64_t hours;
    if (!s || !kv_int(call->input, "RetentionPeriodHours", &hours) ||
        !retention_in_bounds(hours, call->err))
        return;
    if (increase ? hours < s->retention_hours : hours > s->retention_hours) {
        aws_error_set(call->err, 400, "InvalidArgumentException",
                      "Requested retention period (%lld hours) for stream %s can not be %s than "
                      "existing retention period (%d hours). Use %s API.",
                      (long long)hours, s->name, increase ? "shorter" : "longer",
                      s->retention_hours,
                      increase ? "DecreaseRetentionPeriod" : "IncreaseRetentionPeriod");
        return;
    }
    stream next = *s;
    next.retention_hours = (int)hours;
    if (apply_change(call, s, &next))
        write_empty(call->out);
}

void op_increase_retention(op_call *call)
{
    change_retention(call, true);
}

void op_decrease_retention(op_call *call)
{
    change_retention(call, false);
}

/* ---- UpdateStreamMode ---------------------------------------------------------------------- */

void op_update_stream_mode(op_call *call)
{
    stream *s = active_stream(call);
    if (!s)
        return;
    const char *mode = kv_str(kv_get(call->input, "StreamModeDetails"), "StreamMode");
    stream next = *s;
    next.on_demand = mode && strcmp(mode, "ON_DEMAND") == 0;
    next.auto_distribution = next.on_demand && s->auto_distribution; /* provisioned: by key */
    next.status = STREAM_UPDATING;
    if (apply_change(call, s, &next))
        write_empty(call->out);
}

/* ---- UpdateStreamRecordDistributionStrategy ----------------------------------------------- */

void op_update_distribution(op_call *call)
{
    stream *s = active_stream(call);
    if (!s || (!s->on_demand && fail_distribution_needs_on_demand(s->name, s->account, call->err)))
        return;
    stream next = *s;
    next.auto_distribution = strcmp(kv_str(call->input, "RecordDistributionStrategy"), "AUTO") == 0;
    if (apply_change(call, s, &next))
        write_empty(call->out);
}

/* ---- Enable/DisableEnhancedMonitoring ------------------------------------------------------ */

static void change_monitoring(op_call *call, bool enable)
{
    stream *s = active_stream(call);
    if (!s)
        return;
    unsigned current = s->shard_level_metrics;
    unsigned asked = metric_bits(kv_get(call->input, "ShardLevelMetrics"));
    stream next = *s;
    next.shard_level_metrics = enable ? current | asked : current & ~asked;
    if (!apply_change(call, s, &next))
        return;
    kenc *e = call->out;
    enc_map_begin(e);
    enc_key(e, "StreamName");
    enc_str(e, s->name);
    enc_key(e, "CurrentShardLevelMetrics");
    write_metric_names(e, current);
    enc_key(e, "DesiredShardLevelMetrics");
    write_metric_names(e, s->shard_level_metrics);
    enc_key(e, "StreamARN");
    enc_str(e, s->arn);
    enc_map_end(e);
}

void op_enable_monitoring(op_call *call)
{
    change_monitoring(call, true);
}

void op_disable_monitoring(op_call *call)
{
    change_monitoring(call, false);
}

/* ---- Start/StopStreamEncryption ----------------------------------------------------------- */

static void change_encryption(op_call *call, bool start)
{
    stream *s = active_stream(call);
    if (!s)
        return;
    const char *type = kv_str(call->input, "EncryptionType");
    const char *key = kv_str(call->input, "KeyId");
    if (!type || strcmp(type, "KMS") != 0 || !key) {
        aws_error_set(call->err, 400, "InvalidArgumentException",
                      "Encryption type %s is not supported; the only valid value is KMS.",
                      type ? type : "");
        return;
    }
    stream next = *s;
    snprintf(next.kms_key_id, sizeof(next.kms_key_id), "%s", start ? key : "");
    next.status = STREAM_UPDATING;
    bool rekey = start && (!s->data_key || strcmp(s->kms_key_id, key) != 0);
    data_key fresh = {0};
    if (rekey) {
        datakey_make(s->uid, call->now_ms, &fresh);
        next.data_key = store_add_key(registry_store(), fresh.id, fresh.secret);
        next.data_key_id = fresh.id;
    } else if (!start) {
        next.data_key = NULL;
        next.data_key_id = 0;
    }
    if (stream_update_keyed(s, &next, rekey ? &fresh.row : NULL, call->now_ms) == 0)
        write_empty(call->out);
    else
        fail_internal(call->err);
    datakey_free(&fresh);
}

void op_start_encryption(op_call *call)
{
    change_encryption(call, true);
}

void op_stop_encryption(op_call *call)
{
    change_encryption(call, false);
}

/* ---- UpdateMaxRecordSize ------------------------------------------------------------------- */

void op_update_max_record_size(op_call *call)
{
    stream *s = active_stream(call);
    int64_t kib;
    if (!s || !kv_int(call->input, "MaxRecordSizeInKiB", &kib))
        return;
    stream next = *s;
    next.max_record_kib = (int)kib;
    next.status = STREAM_UPDATING;
    if (apply_change(call, s, &next))
        write_empty(call->out);
}

/* ---- DescribeLimits ------------------------------------------------------------------------ */

static int on_demand_streams(const char *account, const char *region)
{
    int count = 0;
    for (size_t i = registry_stream_after(account, region, ""); i < registry_stream_count(); i++) {
        const stream *s = registry_stream_at(i);
        if (strcmp(s->account, account) != 0 || strcmp(s->region, region) != 0)
            break;
        count += s->on_demand;
    }
    return count;
}

void op_describe_limits(op_call *call)
{
    kenc *e = call->out;
    enc_map_begin(e);
    enc_key(e, "ShardLimit");
    enc_int(e, kinesd_cfg.shard_limit);
    enc_key(e, "OpenShardCount");
    enc_int(e, registry_open_shards(call->account, call->region));
    enc_key(e, "OnDemandStreamCount");
    enc_int(e, on_demand_streams(call->account, call->region));
    enc_key(e, "OnDemandStreamCountLimit");
    enc_int(e, ON_DEMAND_STREAM_LIMIT);
    enc_map_end(e);
}
