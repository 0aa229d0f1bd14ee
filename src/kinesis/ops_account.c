/* ops_account.c - account settings and warm throughput: DescribeAccountSettings,
 * UpdateAccountSettings, UpdateStreamWarmThroughput.
 *
 * The one account setting is the minimum throughput billing commitment, kept per account and
 * region in meta.sqlite. As AWS describes it: a commitment lasts at least 24 hours; disabling it
 * earlier schedules the end at EarliestAllowedEndAt (status ENABLED_UNTIL_EARLIEST_ALLOWED_END),
 * and enabling it again before then cancels the scheduled end. Warm throughput can be set only on
 * ON_DEMAND streams of accounts with the commitment on (here or by CreateStream's
 * WarmThroughputMiBps). These operations run on the control thread: they use meta.sqlite. */
#include <string.h>

#include "ops.h"
#include "ops_account.h"
#include "ops_util.h"
#include "registry_edit.h"

#define COMMITMENT_MIN_MS (24 * 3600 * 1000LL)
#define WARM_THROUGHPUT_MAX_MIBPS 10240 /* 10 GiBps, AWS's default limit */

#define ENABLED "ENABLED"
#define DISABLED "DISABLED"
#define ENDING "ENABLED_UNTIL_EARLIEST_ALLOWED_END"

/* ---- the commitment ------------------------------------------------------------------------ */

/* The caller's settings as of now (a scheduled end that has passed is applied); false on an I/O
 * error, with err set. */
static bool load_settings(op_call *call, account_row *a)
{
    memset(a, 0, sizeof(*a));
    strncpy(a->account, call->account, sizeof(a->account) - 1);
    strncpy(a->region, call->region, sizeof(a->region) - 1);
    strcpy(a->commitment, DISABLED);
    if (meta_get_account(registry_meta(), a) < 0) {
        fail_internal(call->err);
        return false;
    }
    if (strcmp(a->commitment, ENDING) == 0 && call->now_ms >= a->earliest_end_ms) {
        strcpy(a->commitment, DISABLED);
        a->ended_ms = a->earliest_end_ms;
    }
    return true;
}

static bool commitment_on(const account_row *a)
{
    return strcmp(a->commitment, DISABLED) != 0;
}

static void enable_commitment(account_row *a, int64_t now_ms)
{
    if (strcmp(a->commitment, DISABLED) == 0) {
        a->started_ms = now_ms;
        a->earliest_end_ms = now_ms + COMMITMENT_MIN_MS;
    }
    strcpy(a->commitment, ENABLED);
    a->ended_ms = 0;
}

static void disable_commitment(account_row *a, int64_t now_ms)
{
    if (strcmp(a->commitment, ENABLED) != 0)
        return;
    bool early = now_ms < a->earliest_end_ms;
    strcpy(a->commitment, early ? ENDING : DISABLED);
    a->ended_ms = early ? a->earliest_end_ms : now_ms;
}

/* The MinimumThroughputBillingCommitmentOutput structure, as the only member of the output. */
static void write_settings(kenc *e, const account_row *a)
{
    enc_map_begin(e);
    enc_key(e, "MinimumThroughputBillingCommitment");
    enc_map_begin(e);
    enc_key(e, "Status");
    enc_str(e, a->commitment);
    if (a->started_ms) {
        enc_key(e, "StartedAt");
        enc_timestamp_ms(e, a->started_ms);
    }
    if (a->ended_ms) {
        enc_key(e, "EndedAt");
        enc_timestamp_ms(e, a->ended_ms);
    }
    if (commitment_on(a)) {
        enc_key(e, "EarliestAllowedEndAt");
        enc_timestamp_ms(e, a->earliest_end_ms);
    }
    enc_map_end(e);
    enc_map_end(e);
}

void op_describe_account_settings(op_call *call)
{
    account_row a;
    if (load_settings(call, &a))
        write_settings(call->out, &a);
}

void op_update_account_settings(op_call *call)
{
    account_row a;
    const char *status =
        kv_str(kv_get(call->input, "MinimumThroughputBillingCommitment"), "Status");
    if (!status || !load_settings(call, &a))
        return;
    if (strcmp(status, ENABLED) == 0)
        enable_commitment(&a, call->now_ms);
    else
        disable_commitment(&a, call->now_ms);
    if (meta_put_account(registry_meta(), &a) != 0) {
        fail_internal(call->err);
        return;
    }
    write_settings(call->out, &a);
}

/* ---- UpdateStreamWarmThroughput ------------------------------------------------------------ */

bool warm_throughput_allowed(op_call *call, const char *operation, const char *stream_name,
                             bool on_demand)
{
    account_row a;
    if (!on_demand) {
        aws_error_set(call->err, 400, "ValidationException",
                      "%s is not supported for stream %s under account %s because it is in "
                      "PROVISIONED capacity mode.",
                      operation, stream_name, call->account);
        return false;
    }
    if (!load_settings(call, &a))
        return false;
    if (!commitment_on(&a)) {
        aws_error_set(call->err, 400, "ValidationException",
                      "%s requires MinimumThroughputBillingCommitment to be enabled for account "
                      "%s.",
                      operation, call->account);
        return false;
    }
    return true;
}

bool warm_throughput_in_limit(op_call *call, int64_t mibps, const char *stream_name)
{
    if (mibps <= WARM_THROUGHPUT_MAX_MIBPS)
        return true;
    aws_error_set(call->err, 400, "LimitExceededException",
                  "Requested warm throughput of %lld MiBps for stream %s under account %s "
                  "exceeds the limit of %d MiBps.",
                  (long long)mibps, stream_name, call->account, WARM_THROUGHPUT_MAX_MIBPS);
    return false;
}

static void write_warm_output(kenc *e, const stream *s)
{
    enc_map_begin(e);
    enc_key(e, "StreamARN");
    enc_str(e, s->arn);
    enc_key(e, "StreamName");
    enc_str(e, s->name);
    enc_key(e, "WarmThroughput");
    enc_map_begin(e);
    enc_key(e, "TargetMiBps");
    enc_int(e, s->warm_target_mibps);
    enc_key(e, "CurrentMiBps");
    enc_int(e, s->warm_current_mibps);
    enc_map_end(e);
    enc_map_end(e);
}

void op_update_warm_throughput(op_call *call)
{
    stream *s = registry_resolve(call->input, call->account, call->region, call->err);
    int64_t mibps;
    if (!s || !kv_int(call->input, "WarmThroughputMiBps", &mibps) ||
        !require_active(s, call->err) ||
        !warm_throughput_allowed(call, call->operation, s->name, s->on_demand) ||
        !warm_throughput_in_limit(call, mibps, s->name))
        return;
    stream next = *s;
    next.warm_target_mibps = (int)mibps;
    next.status = STREAM_UPDATING;
    /* with transition_ms 0 the stream is ACTIVE again, and warm, on return */
    if (apply_change(call, s, &next))
        write_warm_output(call->out, s);
}
