/* kines.h - libkines: a client for Amazon Kinesis Data Streams and any compatible endpoint
 * (kinesd).
 *
 * A kines_client holds the resolved configuration and one keep-alive HTTP connection; use it from
 * one thread at a time (make one client per thread). Every call returns 0 on success or -1 and
 * fills *err (which may be NULL) with what went wrong: AWS's error type and message for service
 * errors, or a one-line description for transport and configuration problems. Calls retry
 * throttling, 5xx and connection errors with exponential backoff and full jitter, within the
 * attempt and time budget of the options. Results own their memory; free them with the matching
 * kines_*_free function.
 *
 * Options structures (kines_options, kines_producer_options, kines_consumer_options,
 * kines_schema_options, kines_event) begin with struct_size: initialise them with their _INIT
 * macro (KINES_OPTIONS_INIT, KINES_PRODUCER_OPTIONS_INIT, ...), which sets it to the
 * size your program was compiled with. A later libkines that added fields at the end then reads
 * only what your program has and takes defaults for the rest, so programs keep working without
 * being rebuilt. A struct_size of 0 is read as this version's layout. Out of memory is reported
 * as KINES_ERR_MEMORY: the library never aborts the process. */
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
    KINES_ERR_MEMORY,    /* memory could not be allocated */
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
    size_t struct_size; /* sizeof(kines_options): KINES_OPTIONS_INIT sets it */
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
    const char
        *ca_bundle; /* PEM file of the CAs to trust for https:// (a kinesd's DATA/tls/ca.pem) */
} kines_options;

#define KINES_OPTIONS_INIT                                                                         \
    {                                                                                              \
        .struct_size = sizeof(kines_options)                                                       \
    }

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
    char *ca_bundle; /* NULL: the system's CAs */
} kines_config;

/* Resolution order: options, then AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL,
 * AWS_REGION / AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN,
 * then the profile (options->profile, else AWS_PROFILE, else "default") in the shared files
 * (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, AWS_CONFIG_FILE or ~/.aws/config). An
 * explicit options->profile takes precedence over credentials in the environment, as with the aws
 * CLI. Without an endpoint the regional one is used: https://kinesis.REGION.amazonaws.com. The CA
 * bundle: options, then AWS_CA_BUNDLE, then the profile's ca_bundle. */
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

/* Another AWS JSON API on the same endpoint (kinesd serves several): its SigV4 signing name,
 * X-Amz-Target prefix and content type, e.g. {"sqs", "AmazonSQS", "application/x-amz-json-1.0"}. */
typedef struct kines_api {
    const char *signing_name;
    const char *target_prefix;
    const char *content_type;
} kines_api;

/* As kines_call_json, for an operation of that API (same retries and error decoding). */
int kines_call_api(kines_client *c, const kines_api *api, const char *operation,
                   const char *request_json, char **response_json, kines_error *err);

/* ---- query-protocol APIs: IAM and STS ------------------------------------------------------- */

/* One form parameter of a query-protocol call ("UserName" = "reader"). */
typedef struct kines_param {
    const char *name;
    const char *value;
} kines_param;

/* Calls OPERATION of a query-protocol API (form-encoded Action=OPERATION&Version=VERSION and the
 * params, signed for SIGNING_NAME: "iam" with version "2010-05-08", "sts" with "2011-06-15");
 * *response_xml (caller frees) is the XML answer. The request goes to the client's endpoint when
 * one was given (kinesd serves IAM and STS on its own port); without one, to AWS's
 * (https://iam.amazonaws.com, https://sts.REGION.amazonaws.com). IAM is signed for us-east-1, as
 * AWS's global IAM endpoint requires. An error answer fills err with its Code and Message. */
int kines_call_query(kines_client *c, const char *signing_name, const char *version,
                     const char *operation, const kines_param *params, size_t param_count,
                     char **response_xml, kines_error *err);

/* The text of the next element named `name` in an XML answer at or after *pos (0 to start; pos
 * may be NULL), with the five XML entities and character references decoded, as a new string
 * (caller frees); NULL when there is none. *pos moves past the element, so calls in a loop walk
 * a list ("member" gives each member's inner XML, to look into with the same call). */
char *kines_xml_text(const char *xml, const char *name, size_t *pos);

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

/* ---- streams by name or ARN, one page at a time ------------------------------------------- */

/* Names a stream for the calls that accept either: set name, arn or both (both are sent). */
typedef struct kines_stream_ref {
    const char *name;
    const char *arn;
} kines_stream_ref;

int kines_describe_stream_summary_ref(kines_client *c, const kines_stream_ref *stream,
                                      kines_stream *out, kines_error *err);
/* One DescribeStream page: at most `limit` shards (0: the service default of 100) after
 * exclusive_start_shard_id (NULL: from the first); *has_more is HasMoreShards. */
int kines_describe_stream_page(kines_client *c, const kines_stream_ref *stream, int limit,
                               const char *exclusive_start_shard_id, kines_stream *out,
                               bool *has_more, kines_error *err);

typedef struct kines_list_shards_request {
    kines_stream_ref stream;
    const char *next_token; /* continues a listing: then only max_results is sent with it */
    const char *exclusive_start_shard_id;
    int max_results;             /* 0: the service default (1000) */
    const char *filter_type;     /* ShardFilter Type, e.g. "AT_LATEST"; NULL: no filter */
    const char *filter_shard_id; /* AFTER_SHARD_ID */
    double filter_timestamp;     /* AT_TIMESTAMP, FROM_TIMESTAMP: seconds since the epoch */
} kines_list_shards_request;

typedef struct kines_shard_page {
    kines_shard *shards;
    size_t count;
    const char *next_token; /* NULL on the last page */
    struct kines_mem *mem;
} kines_shard_page;

int kines_list_shards_page(kines_client *c, const kines_list_shards_request *req,
                           kines_shard_page *out, kines_error *err);
void kines_shard_page_free(kines_shard_page *p);

/* One ListStreams page. Each stream has name, arn, status, mode and creation_timestamp. */
typedef struct kines_stream_page {
    kines_stream *streams;
    size_t count;
    bool has_more;
    const char *next_token; /* NULL on the last page */
    struct kines_mem *mem;
} kines_stream_page;

/* limit 0: the service default; next_token NULL: the first page. */
int kines_list_streams_page(kines_client *c, int limit, const char *next_token,
                            kines_stream_page *out, kines_error *err);
void kines_stream_page_free(kines_stream_page *p);

/* The stream calls above, with the stream named by name or ARN. (Records, iterators and the
 * tag-by-stream calls by ARN: kines_put_record_ref and the others at the end of this file.) */
int kines_delete_stream_ref(kines_client *c, const kines_stream_ref *stream, kines_error *err);
int kines_update_shard_count_ref(kines_client *c, const kines_stream_ref *stream, int target,
                                 kines_error *err);
int kines_split_shard_ref(kines_client *c, const kines_stream_ref *stream, const char *shard_id,
                          const char *new_starting_hash_key, kines_error *err);
int kines_merge_shards_ref(kines_client *c, const kines_stream_ref *stream, const char *shard_id,
                           const char *adjacent_shard_id, kines_error *err);
int kines_increase_retention_ref(kines_client *c, const kines_stream_ref *stream, int hours,
                                 kines_error *err);
int kines_decrease_retention_ref(kines_client *c, const kines_stream_ref *stream, int hours,
                                 kines_error *err);

/* ---- stream features: monitoring, encryption, record size, warm throughput ------------------ */

typedef struct kines_monitoring {
    const char *stream_name, *stream_arn;
    const char **current; /* CurrentShardLevelMetrics */
    size_t current_count;
    const char **desired; /* DesiredShardLevelMetrics */
    size_t desired_count;
    struct kines_mem *mem;
} kines_monitoring;

/* metrics: "IncomingBytes", ..., or "ALL". out may be NULL. */
int kines_enable_enhanced_monitoring(kines_client *c, const kines_stream_ref *stream,
                                     const char *const *metrics, size_t count,
                                     kines_monitoring *out, kines_error *err);
int kines_disable_enhanced_monitoring(kines_client *c, const kines_stream_ref *stream,
                                      const char *const *metrics, size_t count,
                                      kines_monitoring *out, kines_error *err);
void kines_monitoring_free(kines_monitoring *m);

/* KMS encryption with key_id (a key ARN, alias, or "alias/aws/kinesis"). */
int kines_start_stream_encryption(kines_client *c, const kines_stream_ref *stream,
                                  const char *key_id, kines_error *err);
int kines_stop_stream_encryption(kines_client *c, const kines_stream_ref *stream,
                                 const char *key_id, kines_error *err);

/* 1024..10240 KiB. UpdateMaxRecordSize names the stream by ARN. */
int kines_update_max_record_size(kines_client *c, const char *stream_arn, int kib,
                                 kines_error *err);

typedef struct kines_warm_throughput {
    const char *stream_name, *stream_arn;
    int target_mibps, current_mibps;
    struct kines_mem *mem;
} kines_warm_throughput;

/* out may be NULL. */
int kines_update_stream_warm_throughput(kines_client *c, const kines_stream_ref *stream, int mibps,
                                        kines_warm_throughput *out, kines_error *err);
void kines_warm_throughput_free(kines_warm_throughput *w);

/* ---- resources by ARN: tags and resource policies (streams and consumers) -------------------- */

int kines_tag_resource(kines_client *c, const char *resource_arn, const kines_tag *tags,
                       size_t count, kines_error *err);
int kines_untag_resource(kines_client *c, const char *resource_arn, const char *const *keys,
                         size_t count, kines_error *err);
int kines_list_tags_for_resource(kines_client *c, const char *resource_arn, kines_tag_list *out,
                                 kines_error *err);

/* policy: the JSON text of an IAM resource policy. *policy (caller frees). */
int kines_put_resource_policy(kines_client *c, const char *resource_arn, const char *policy,
                              kines_error *err);
int kines_get_resource_policy(kines_client *c, const char *resource_arn, char **policy,
                              kines_error *err);
int kines_delete_resource_policy(kines_client *c, const char *resource_arn, kines_error *err);

/* ---- enhanced fan-out consumers ----------------------------------------------------------------
 */

typedef struct kines_stream_consumer {
    const char *name, *arn, *status; /* status: CREATING, ACTIVE or DELETING */
    const char *stream_arn;          /* DescribeStreamConsumer only; NULL otherwise */
    double creation_timestamp;       /* seconds since the epoch */
} kines_stream_consumer;

typedef struct kines_stream_consumer_list {
    kines_stream_consumer *consumers; /* Register and Describe: exactly one */
    size_t count;
    const char *next_token; /* ListStreamConsumers: NULL on the last page */
    struct kines_mem *mem;
} kines_stream_consumer_list;

/* A consumer by consumer_arn, or by stream_arn and consumer_name. */
typedef struct kines_consumer_ref {
    const char *stream_arn, *consumer_name, *consumer_arn;
} kines_consumer_ref;

int kines_register_stream_consumer(kines_client *c, const char *stream_arn, const char *name,
                                   kines_stream_consumer_list *out, kines_error *err);
int kines_describe_stream_consumer(kines_client *c, const kines_consumer_ref *consumer,
                                   kines_stream_consumer_list *out, kines_error *err);
int kines_deregister_stream_consumer(kines_client *c, const kines_consumer_ref *consumer,
                                     kines_error *err);
/* One page: max_results 0 is the service default (100); next_token NULL: the first page. */
int kines_list_stream_consumers(kines_client *c, const char *stream_arn, int max_results,
                                const char *next_token, kines_stream_consumer_list *out,
                                kines_error *err);
void kines_stream_consumer_list_free(kines_stream_consumer_list *l);

/* ---- account settings: the minimum throughput billing commitment ------------------------------
 */

typedef struct kines_account_settings {
    const char *status; /* ENABLED, DISABLED or ENABLED_UNTIL_EARLIEST_ALLOWED_END */
    double started_at, ended_at, earliest_allowed_end_at; /* seconds since the epoch; 0: none */
    struct kines_mem *mem;
} kines_account_settings;

int kines_describe_account_settings(kines_client *c, kines_account_settings *out, kines_error *err);
/* out may be NULL. */
int kines_update_account_settings(kines_client *c, bool commitment_enabled,
                                  kines_account_settings *out, kines_error *err);
void kines_account_settings_free(kines_account_settings *s);

/* ---- records, iterators and stream tags with the stream named by name or ARN -----------------
 * (kines_stream_ref); the same calls as kines_put_record and the others above. */

int kines_put_record_ref(kines_client *c, const kines_stream_ref *stream,
                         const kines_put_entry *entry, kines_put_results *out, kines_error *err);
int kines_put_records_ref(kines_client *c, const kines_stream_ref *stream,
                          const kines_put_entry *entries, size_t count, kines_put_results *out,
                          kines_error *err);
int kines_get_shard_iterator_ref(kines_client *c, const kines_stream_ref *stream,
                                 const char *shard_id, const kines_position *from, char **iterator,
                                 kines_error *err);
int kines_add_tags_ref(kines_client *c, const kines_stream_ref *stream, const kines_tag *tags,
                       size_t count, kines_error *err);
int kines_remove_tags_ref(kines_client *c, const kines_stream_ref *stream, const char *const *keys,
                          size_t count, kines_error *err);
int kines_list_tags_ref(kines_client *c, const kines_stream_ref *stream, kines_tag_list *out,
                        kines_error *err);

#ifdef __cplusplus
}
#endif

#endif
