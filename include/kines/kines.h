/* kines.h - libkines: a client for Amazon Kinesis Data Streams and any compatible endpoint
 * (kinesd).
 *
 * A kines_client holds the resolved configuration and one keep-alive HTTP connection; use it from
 * one thread at a time (make one client per thread). Every call returns 0 on success or -1 and
 * fills *err (which may be NULL) with what went wrong: AWS's error type and message for service
 * errors, or a one-line description for transport and configuration problems. Calls retry
 * throttling, 5xx and connection errors with exponential backoff and full jitter, within the
 * attempt and time budget of the options. Results own their memory; free them with the matching
 * kines_*_free function. */
#ifndef KINES_KINES_H
#define KINES_KINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors -------------------------------------------------------------------------------- */

typedef enum kines_status {
    KINES_OK = 0,
    KINES_ERR_SERVICE,   /* the endpoint answered with an AWS error: see type and message */
    KINES_ERR_TRANSPORT, /* the endpoint could not be reached or the connection broke */
    KINES_ERR_CONFIG,    /* no region or no credentials, unreadable profile */
    KINES_ERR_INVALID,   /* an argument was rejected before anything was sent */
    KINES_ERR_PROTOCOL,  /* the answer was not the JSON Kinesis sends */
    KINES_ERR_TIMEOUT,   /* a wait ran out of time */
    KINES_ERR_FULL,      /* a producer's buffer is full (fail_when_full) */
} kines_status;

typedef struct kines_error {
    kines_status status;
    int http_status; /* 0 when there was no HTTP answer */
    int attempts;    /* how many times the request was sent */
    char type[128];  /* AWS error type, e.g. "ResourceNotFoundException"; "" otherwise */
    char message[512];
} kines_error;

/* True for the errors worth retrying: throttling, 5xx, transport. */
bool kines_error_is_retryable(const kines_error *err);

/* ---- configuration ------------------------------------------------------------------------- */

/* Explicit settings (flags); NULL or 0 means "resolve it the way AWS tools do". */
typedef struct kines_options {
    const char *endpoint_url;
    const char *region;
    const char *profile;
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token;
    int max_attempts;    /* per call, including the first; default 8 */
    int retry_base_ms;   /* first backoff ceiling; default 50 */
    int retry_cap_ms;    /* largest single backoff; default 2000 */
    int retry_budget_ms; /* total time a call may spend sleeping between attempts; default 20000 */
    int timeout_ms;      /* per HTTP request; default 30000 */
} kines_options;

/* The settings a client ends up with, and where each came from (for `kinesctl --debug`). */
typedef struct kines_config {
    char *endpoint_url;
    char *region;
    char *profile;
    char *access_key_id;
    char *secret_access_key;
    char *session_token; /* NULL when none */
    const char *endpoint_source, *region_source, *credentials_source;
    int max_attempts, retry_base_ms, retry_cap_ms, retry_budget_ms, timeout_ms;
} kines_config;

/* Resolution order: options, then AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL,
 * AWS_REGION / AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN,
 * then the profile (options->profile, else AWS_PROFILE, else "default") in the shared files
 * (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, AWS_CONFIG_FILE or ~/.aws/config). An
 * explicit options->profile takes precedence over credentials in the environment, as with the aws
 * CLI. Without an endpoint the regional one is used: https://kinesis.REGION.amazonaws.com. */
int kines_config_resolve(const kines_options *opts, kines_config *out, kines_error *err);
void kines_config_free(kines_config *cfg);

/* ---- the client ---------------------------------------------------------------------------- */

typedef struct kines_client kines_client;

kines_client *kines_client_new(const kines_options *opts, kines_error *err);
void kines_client_free(kines_client *c);
const kines_config *kines_client_config(const kines_client *c);

/* Any operation by name with a JSON request body; *response_json (caller frees) is the response
 * body ("{}" for empty answers). The typed calls below are built on this. */
int kines_call_json(kines_client *c, const char *operation, const char *request_json,
                    char **response_json, kines_error *err);

/* ---- streams ------------------------------------------------------------------------------- */

typedef struct kines_shard {
    const char *shard_id;
    const char *parent_shard_id;                     /* NULL when none */
    const char *adjacent_parent_shard_id;            /* NULL when none */
    const char *starting_hash_key, *ending_hash_key; /* decimal strings */
    const char *starting_sequence_number;
    const char *ending_sequence_number; /* NULL while the shard is open */
} kines_shard;

typedef struct kines_stream {
    const char *name, *arn, *status, *mode; /* mode: "PROVISIONED" or "ON_DEMAND" */
    int retention_hours;
    int open_shard_count;      /* DescribeStreamSummary */
    double creation_timestamp; /* seconds since the epoch */
    kines_shard *shards;       /* DescribeStream: every shard (all pages) */
    size_t shard_count;
    struct kines_mem *mem;
} kines_stream;

typedef struct kines_shard_list {
    kines_shard *shards;
    size_t count;
    struct kines_mem *mem;
} kines_shard_list;

typedef struct kines_string_list {
    const char **items;
    size_t count;
    struct kines_mem *mem;
} kines_string_list;

/* shard_count 0 creates an ON_DEMAND stream. */
int kines_create_stream(kines_client *c, const char *name, int shard_count, kines_error *err);
int kines_delete_stream(kines_client *c, const char *name, kines_error *err);
int kines_describe_stream(kines_client *c, const char *name, kines_stream *out, kines_error *err);
int kines_describe_stream_summary(kines_client *c, const char *name, kines_stream *out,
                                  kines_error *err);
/* Polls DescribeStreamSummary until the stream is ACTIVE (or, with `gone`, until it no longer
 * exists); fails with KINES_ERR_TIMEOUT after timeout_ms. */
int kines_wait_stream(kines_client *c, const char *name, bool gone, int timeout_ms,
                      kines_error *err);
int kines_list_streams(kines_client *c, kines_string_list *out, kines_error *err);
int kines_list_shards(kines_client *c, const char *name, kines_shard_list *out, kines_error *err);
int kines_update_shard_count(kines_client *c, const char *name, int target, kines_error *err);
int kines_split_shard(kines_client *c, const char *name, const char *shard_id,
                      const char *new_starting_hash_key, kines_error *err);
int kines_merge_shards(kines_client *c, const char *name, const char *shard_id,
                       const char *adjacent_shard_id, kines_error *err);

void kines_stream_free(kines_stream *s);
void kines_shard_list_free(kines_shard_list *l);
void kines_string_list_free(kines_string_list *l);

/* ---- stream settings: retention, mode, tags, limits ----------------------------------------- */

int kines_increase_retention(kines_client *c, const char *name, int hours, kines_error *err);
int kines_decrease_retention(kines_client *c, const char *name, int hours, kines_error *err);
/* UpdateStreamMode names the stream by ARN (kines_stream.arn). */
int kines_update_stream_mode(kines_client *c, const char *stream_arn, bool on_demand,
                             kines_error *err);

typedef struct kines_tag {
    const char *key;
    const char *value; /* may be "" */
} kines_tag;

typedef struct kines_tag_list {
    kines_tag *tags;
    size_t count;
    struct kines_mem *mem;
} kines_tag_list;

int kines_add_tags(kines_client *c, const char *name, const kines_tag *tags, size_t count,
                   kines_error *err);
int kines_remove_tags(kines_client *c, const char *name, const char *const *keys, size_t count,
                      kines_error *err);
/* Every tag of the stream (all pages). */
int kines_list_tags(kines_client *c, const char *name, kines_tag_list *out, kines_error *err);
void kines_tag_list_free(kines_tag_list *l);

typedef struct kines_limits {
    int shard_limit, open_shard_count;
    int on_demand_stream_count, on_demand_stream_count_limit;
} kines_limits;

int kines_describe_limits(kines_client *c, kines_limits *out, kines_error *err);

/* ---- records ------------------------------------------------------------------------------- */

#define KINES_MAX_RECORD_BYTES (1024 * 1024) /* data + partition key */
#define KINES_MAX_BATCH_RECORDS 500
#define KINES_MAX_BATCH_BYTES (5 * 1024 * 1024)
#define KINES_MAX_PARTITION_KEY 256

typedef struct kines_put_entry {
    const void *data;
    size_t len;
    const char *partition_key;
    const char *explicit_hash_key; /* NULL when none */
} kines_put_entry;

typedef struct kines_put_result {
    const char *shard_id;        /* NULL when this record failed */
    const char *sequence_number; /* NULL when this record failed */
    const char *error_code;      /* PutRecords: NULL when this record succeeded */
    const char *error_message;
} kines_put_result;

typedef struct kines_put_results {
    kines_put_result *results; /* one per entry, in order */
    size_t count;
    int failed_count;
    struct kines_mem *mem;
} kines_put_results;

int kines_put_record(kines_client *c, const char *stream, const kines_put_entry *entry,
                     kines_put_results *out, kines_error *err);
/* A single PutRecords call (1..500 entries); per-record failures are in out, not in err. */
int kines_put_records(kines_client *c, const char *stream, const kines_put_entry *entries,
                      size_t count, kines_put_results *out, kines_error *err);
void kines_put_results_free(kines_put_results *r);

typedef enum kines_iterator_type {
    KINES_TRIM_HORIZON,
    KINES_LATEST,
    KINES_AT_SEQUENCE_NUMBER,
    KINES_AFTER_SEQUENCE_NUMBER,
    KINES_AT_TIMESTAMP,
} kines_iterator_type;

typedef struct kines_position {
    kines_iterator_type type;
    const char *sequence_number; /* AT_/AFTER_SEQUENCE_NUMBER */
    double timestamp;            /* AT_TIMESTAMP, seconds since the epoch */
} kines_position;

/* *iterator: caller frees. */
int kines_get_shard_iterator(kines_client *c, const char *stream, const char *shard_id,
                             const kines_position *from, char **iterator, kines_error *err);

typedef struct kines_record {
    const char *sequence_number;
    const char *partition_key;
    const unsigned char *data;
    size_t len;
    double arrival_timestamp; /* seconds since the epoch */
} kines_record;

typedef struct kines_records {
    kines_record *records;
    size_t count;
    const char *next_iterator; /* NULL once a closed shard has been read to its end */
    int64_t millis_behind_latest;
    struct kines_mem *mem;
} kines_records;

/* limit 0: the service default (10000). */
int kines_get_records(kines_client *c, const char *iterator, int limit, kines_records *out,
                      kines_error *err);
void kines_records_free(kines_records *r);

#ifdef __cplusplus
}
#endif

#endif
