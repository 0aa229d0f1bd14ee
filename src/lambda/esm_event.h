/* esm_event.h - what an event source mapping sends and receives: the records it holds, the
 * invocation payload (Lambda's Kinesis event, with the tumbling-window fields when the mapping
 * has windows), the function's answer (batchItemFailures, state) and the failure record its
 * OnFailure destination gets. */
#ifndef KINESD_LAMBDA_ESM_EVENT_H
#define KINESD_LAMBDA_ESM_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../kinesis/kinesis_internal.h"

/* A record a poller holds, copied out of the shard log, until its batch is done. */
typedef struct esm_record {
    uint64_t offset;                             /* in its shard */
    int64_t arrival_ms;                          /* ApproximateArrivalTimestamp */
    int64_t read_ms;                             /* when the poller read it (batching window) */
    char sequence_number[KINESIS_SEQNO_LEN + 1]; /* its sequence number */
    char *partition_key;                         /* owned */
    size_t partition_key_len;                    /* bytes */
    char *data;                                  /* owned */
    size_t data_len;                             /* bytes */
    size_t event_bytes;                          /* at most this much of a payload is its */
    struct esm_record *next;                     /* in its lane, by offset */
} esm_record;

esm_record *esm_record_new(const kinesis_record *rec, int64_t now_ms);
void esm_record_free(esm_record *r);

/* What the records of one shard's events share. */
typedef struct esm_event_source {
    const char *shard_id;     /* "shardId-000000000001" (eventID's prefix) */
    const char *stream_arn;   /* eventSourceARN */
    const char *region;       /* awsRegion */
    const char *identity_arn; /* invokeIdentityArn: the function's execution role */
} esm_event_source;

/* A tumbling window's fields of an event. */
typedef struct esm_window {
    int64_t start_ms;      /* window.start */
    int64_t end_ms;        /* window.end */
    const char *state;     /* state: a JSON object's text */
    bool final;            /* isFinalInvokeForWindow */
    bool terminated_early; /* isWindowTerminatedEarly (the state grew past 1 MB) */
} esm_window;

#define ESM_EVENT_OVERHEAD 1024 /* the event's own bytes besides its records */
#define ESM_STATE_MAX (1024 * 1024)

/* The event for n records from first on (window NULL when the mapping has none); *len its
 * bytes. */
char *esm_event_build(const esm_event_source *src, const esm_record *first, int n,
                      const esm_window *window, size_t *len);

/* How the function answered a batch. */
typedef struct esm_answer {
    bool ok;       /* the whole batch succeeded */
    int failed_at; /* else: the index of the lowest record it reported failed; -1: all failed */
    char *state;   /* the tumbling window's new state (a JSON object's text, owned); NULL */
} esm_answer;

/* Reads the function's answer to the n records from first on: function_ok (it returned rather
 * than failed), its body, whether the mapping takes ReportBatchItemFailures and whether it has
 * windows (then the state is read). */
void esm_answer_read(const char *body, size_t len, bool function_ok, bool report_failures,
                     bool windows, const esm_record *first, int n, esm_answer *out);

/* What a failure record says. */
typedef struct esm_failure {
    const char *request_id;       /* of the last invocation, or a new id when none was made */
    const char *function_arn;     /* as the mapping names it (qualified only if it was) */
    const char *condition;        /* RetryAttemptsExhausted, RecordAgeExceeded */
    int invoke_count;             /* approximateInvokeCount */
    const char *executed_version; /* responseContext (NULL: the batch was never invoked) */
    bool function_error;          /* the last invocation failed with an Unhandled error */
    const char *shard_id;         /* KinesisBatchInfo */
    const char *stream_arn;       /* KinesisBatchInfo.streamArn */
    const esm_record *first;      /* the batch's records */
    int n;                        /* how many */
} esm_failure;

/* Lambda's failure record for a Kinesis batch (JSON, owned by the caller). */
char *esm_failure_record(const esm_failure *f);

/* "2019-11-14T00:38:04.835Z". */
void esm_iso_time(int64_t ms, char out[32]);

#endif
