/* ops_account.h - the account settings checks other operations need (CreateStream's
 * WarmThroughputMiBps). Control thread (they read meta.sqlite). */
#ifndef KINESD_OPS_ACCOUNT_H
#define KINESD_OPS_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/call.h"

/* ValidationException unless a stream of that mode may have warm throughput in the caller's
 * account: ON_DEMAND, with MinimumThroughputBillingCommitment on. `operation` names the request
 * in the message. False when raised. */
bool warm_throughput_allowed(op_call *call, const char *operation, const char *stream_name,
                             bool on_demand);
/* LimitExceededException above AWS's default limit of 10 GiBps; false when raised. */
bool warm_throughput_in_limit(op_call *call, int64_t mibps, const char *stream_name);

#endif
