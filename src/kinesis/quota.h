/* quota.h - AWS's throughput quotas for Kinesis, enforced with --throughput-limits aws. Off (the
 * default), every check here passes at once: nothing is locked or counted.
 *
 *   writes     a shard of a provisioned stream takes 1 MiB (data and partition keys) and 1,000
 *              records a second, with a burst of one second's worth; an on-demand stream takes
 *              its write capacity instead, for all its shards: 4 MiB and 4,000 records a second to
 *              start, and twice the busiest second it has seen, once that second is 15 minutes
 *              old (traffic more than doubling within 15 minutes is throttled, as on AWS)
 *   reads      a shard answers 5 GetRecords a second (a burst of 5) and 2 MiB a second: a read
 *              that returned B bytes closes the shard to reads for B / (2 MiB/s) (10 MiB: 5 s)
 *   iterators  5 GetShardIterator a second per shard
 *   push       SubscribeToShard sends at most 2 MiB a second per subscription (consumer and
 *              shard; one subscription per consumer and shard every 5 s is sub_claims.h's)
 *   control    the control-plane operations' rates, per account or per stream, from the
 *              operations' documentation ("DescribeStream has a limit of 10 transactions per
 *              second per account"): LimitExceededException
 *
 * Every gate is a token bucket (common/rate.h). A shard's and a stream's gates sit behind their
 * own mutex, held for arithmetic only, so loop threads that write one shard do not wait for each
 * other's I/O. The counters of throttled work are what CloudWatch's WriteProvisionedThroughput-
 * Exceeded and ReadProvisionedThroughputExceeded count: per shard in shard_quota (shard.quota),
 * per stream in stream_quota (stream.quota), control-plane refusals in quota_refused_calls
 * (atomics: any thread may read them). */
#ifndef KINESD_QUOTA_H
#define KINESD_QUOTA_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/rate.h"
#include "../core/call.h"
#include "../store/shardlog.h"

#define QUOTA_PEAK_MINUTES 16 /* the on-demand peaks of the last 15 minutes, and this one */

typedef struct shard_quota {
    pthread_mutex_t mu;                        /* over the gates */
    rate_gate write_bytes;                     /* 1 MiB/s */
    rate_gate write_records;                   /* 1,000 records/s */
    rate_gate read_calls;                      /* 5 GetRecords/s */
    rate_gate read_bytes;                      /* 2 MiB/s, charged after each read */
    rate_gate iterator_calls;                  /* 5 GetShardIterator/s */
    _Atomic uint64_t throttled_write_records;  /* records refused (WriteProvisionedThroughput...) */
    _Atomic uint64_t throttled_write_requests; /* PutRecord(s) calls with a record refused */
    _Atomic uint64_t throttled_reads;          /* GetRecords refused (ReadProvisioned...) */
    _Atomic uint64_t throttled_iterators;      /* GetShardIterator refused */
} shard_quota;

/* The busiest second seen in one minute. */
typedef struct quota_peak {
    int64_t minute; /* since the monotonic clock's origin; 0: none */
    uint64_t bytes, records;
} quota_peak;

typedef struct stream_quota {
    pthread_mutex_t mu;    /* over everything but the counters */
    rate_gate write_bytes; /* an on-demand stream's write capacity */
    rate_gate write_records;
    int64_t second;        /* the second being measured */
    uint64_t second_bytes; /* written in it */
    uint64_t second_records;
    quota_peak recent[QUOTA_PEAK_MINUTES]; /* by minute % QUOTA_PEAK_MINUTES */
    quota_peak settled; /* the busiest second 15 minutes old or older (minute unused) */
    _Atomic uint64_t throttled_write_records;  /* on-demand capacity: records refused */
    _Atomic uint64_t throttled_write_requests; /* on-demand capacity: calls with a record refused */
} stream_quota;

/* Whether --throughput-limits is aws. */
bool quota_enabled(void);

shard_quota *shard_quota_new(void); /* aborts when memory is out, as the registry does */
void shard_quota_free(shard_quota *q);
stream_quota *stream_quota_new(void);
void stream_quota_free(stream_quota *q);

/* How many of the n records (in order) a write may append now: the shard's (or, with on_demand,
 * the stream's) gates admit a prefix of them, which is charged. n when quotas are off. */
size_t quota_admit_writes(shard_quota *shard, stream_quota *stream, bool on_demand,
                          const log_record_in *recs, size_t n, int64_t now_ns);
/* Counts records refused by quota_admit_writes (a call that had any). */
void quota_count_refused_writes(shard_quota *shard, stream_quota *stream, bool on_demand,
                                size_t refused);

/* Whether a GetRecords may read the shard now (a call is charged); false counted as throttled. */
bool quota_admit_read(shard_quota *q, int64_t now_ns);
/* Charges the bytes a GetRecords returned. */
void quota_charge_read(shard_quota *q, size_t bytes, int64_t now_ns);
/* Whether a GetShardIterator may be answered for the shard now (charged). */
bool quota_admit_iterator(shard_quota *q, int64_t now_ns);

/* SubscribeToShard's pacing: a subscription's own gate (its loop thread's only). */
bool quota_push_open(const rate_gate *g, int64_t now_ns);
void quota_push_charge(rate_gate *g, size_t bytes, int64_t now_ns);

/* ProvisionedThroughputExceededException's text: "Rate exceeded for shard ID in stream NAME
 * under account ACCOUNT." (also a PutRecords entry's ErrorMessage) */
void quota_shard_message(char *out, size_t len, const char *shard_id, const char *stream_name,
                         const char *account);
void quota_fail_shard(aws_error *err, const char *shard_id, const char *stream_name,
                      const char *account);

/* The service's admission hook (service.h): the control-plane operations' rates. */
bool quota_admit_call(op_call *call, const op_entry *entry);
/* The same against an explicit clock (tests). */
bool quota_admit_call_at(op_call *call, int64_t now_ns);
/* Forgets the control-plane gates (at close; tests). */
void quota_reset_calls(void);
/* Control-plane calls refused so far (LimitExceededException), all accounts. */
uint64_t quota_refused_calls(void);

#endif
