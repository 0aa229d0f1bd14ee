/* esm.h - event source mappings: Kinesis streams (or enhanced fan-out consumers of them) that
 * invoke a function with batches of their records, as Lambda's "triggers" do.
 *
 *   esm_ops.c     the API: Create/Get/List/Update/DeleteEventSourceMapping
 *   esm_config.c  a mapping's settings: read from the API's input with AWS's checks and
 *                 defaults, written back as EventSourceMappingConfiguration
 *   esm_store.c   lambda.sqlite: the mappings and their per-shard checkpoints; the control
 *                 thread's tick (state transitions, storing checkpoints)
 *   esm_poller.c  the pollers: one per shard of each enabled mapping, state machines on the
 *                 lambda-env thread (see docs/threading.md)
 *   esm_lane.c    a poller's batches: forming, invoking, retrying, bisecting, giving up
 *   esm_event.c   the invocation payload (Lambda's Kinesis event), the function's answer
 *                 (batchItemFailures, tumbling-window state) and the failure record
 *   esm_filter.c  FilterCriteria: Lambda's event-filtering pattern language
 *   esm_status.c  GET /_kinesd/lambda/triggers/ACCOUNT/REGION: each mapping's shards (kinesctl
 *                 triggers)
 *
 * Threads: the control thread alone changes mappings (commit to lambda.sqlite, then publish under
 * lambda_lock held exclusively); loop threads read them under lambda_lock shared; the lambda-env
 * thread copies a mapping's settings under lambda_lock shared when it starts its pollers, and
 * reports progress (checkpoints, counts, errors) through the mapping's esm_progress, whose mutex
 * is taken alone. The control thread stores dirty checkpoints every CHECKPOINT_EVERY_MS, after a
 * store_flush (so that failure records sent to queues and streams before a checkpoint moved are
 * durable first): after kill -9, processing resumes at the last stored checkpoint, at least once
 * and never skipping a record. */
#ifndef KINESD_LAMBDA_ESM_H
#define KINESD_LAMBDA_ESM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../core/call.h"
#include "../store/store.h"
#include "function.h"

#define ESM_UUID_LEN 36
#define ESM_ARN_MAX 512
#define ESM_DEFAULT_BATCH 100
#define ESM_PAYLOAD_MAX (6 * 1024 * 1024) /* a synchronous invocation's payload */

typedef enum {
    ESM_CREATING,
    ESM_ENABLING,
    ESM_ENABLED,
    ESM_DISABLING,
    ESM_DISABLED,
    ESM_UPDATING,
    ESM_DELETING,
} esm_state;

/* "Enabled", as the API reports a state. */
const char *esm_state_name(esm_state state);

/* A mapping's settings. Immutable once published: an update publishes a new copy. */
typedef struct esm_config {
    char uuid[ESM_UUID_LEN + 1];         /* its id */
    char account[16];                    /* owner */
    char region[32];                     /* where it lives */
    fn_ref function;                     /* the function (and qualifier; "" = $LATEST) it invokes */
    char function_arn[FN_ARN_MAX + 130]; /* FunctionArn: qualified when a qualifier was given */
    char source_arn[ESM_ARN_MAX];        /* EventSourceArn: a stream, or a consumer of one */
    char starting_position[16];          /* TRIM_HORIZON, LATEST or AT_TIMESTAMP */
    int64_t starting_ts_ms;              /* StartingPositionTimestamp (AT_TIMESTAMP) */
    int batch_size;                      /* 1..10000, default 100 */
    int window_s;                        /* MaximumBatchingWindowInSeconds, 0..300 */
    int parallelization;                 /* ParallelizationFactor: concurrent batches per shard */
    int max_retries;                     /* MaximumRetryAttempts: -1 (forever) or 0..10000 */
    int max_record_age_s;                /* MaximumRecordAgeInSeconds: -1 (forever) or 60..604800 */
    int tumbling_s;                      /* TumblingWindowInSeconds, 0 (none) .. 900 */
    bool bisect;                         /* BisectBatchOnFunctionError */
    bool report_item_failures;           /* FunctionResponseTypes [ReportBatchItemFailures] */
    char *filters;                /* the Filters' patterns as a JSON array of strings; NULL */
    char on_failure[ESM_ARN_MAX]; /* DestinationConfig.OnFailure.Destination; "" for none */
    bool enabled;                 /* wanted Enabled (else Disabled) */
    esm_state state;              /* as reported */
    int64_t transition_at_ms;     /* when the state's transition ends; 0: none pending */
    int64_t last_modified_ms;     /* LastModified */
    unsigned generation;          /* bumped by every change: pollers restart with it */
} esm_config;

/* A copy (filters duplicated) and its release. */
esm_config *esm_config_copy(const esm_config *c);
void esm_config_free(esm_config *c);

/* Whether the mapping's pollers should run. */
bool esm_config_polls(const esm_config *c);

/* AWS's defaults for a Kinesis source (BatchSize 100, no retry or age limit, enabled). */
void esm_config_defaults(esm_config *c);
/* Applies the settings of a Create (creating: StartingPosition too) or Update input over c;
 * false with err set (nothing of c is to be used then). */
bool esm_config_read(op_call *call, esm_config *c, bool creating);
/* EventSourceMappingConfiguration, with LastProcessingResult. */
void esm_config_write(kenc *e, const esm_config *c, const char *last_result);

/* How one shard of a mapping is doing, for checkpoints and for kinesctl triggers. */
typedef struct esm_shard_progress {
    int index;               /* the shard's index in its stream */
    char id[24];             /* "shardId-000000000003" */
    uint64_t checkpoint;     /* every record below this offset is done */
    uint64_t version;        /* bumped with each checkpoint change */
    uint64_t stored_version; /* the version last stored in lambda.sqlite */
    uint64_t read;           /* the offset read up to */
    uint64_t committed;      /* the shard's committed end when last read */
    int64_t iterator_age_ms; /* age of the last record of the last batch, when it finished */
    uint64_t records;        /* records sent to the function in successful batches */
    uint64_t filtered;       /* records left out by FilterCriteria */
    uint64_t batches_ok;     /* successful invocations */
    uint64_t batches_failed; /* failed invocations (each retry counts) */
    uint64_t given_up;       /* records given up (sent to OnFailure, if any) */
    char phase[24];          /* "waiting-for-parent", "reading", "invoking", "retrying", ... */
    char last_error[200];    /* the last failure's reason; "" */
} esm_shard_progress;

/* A mapping's progress: written by its pollers, stored by the control thread, read by the
 * status route. Reference counted (the published mapping and its poller each hold one). */
typedef struct esm_progress {
    atomic_int refs;            /* holders */
    pthread_mutex_t mu;         /* over the fields below; taken alone */
    uint64_t stream_uid;        /* the stream the checkpoints belong to; 0: unknown */
    esm_shard_progress *shards; /* by shard, in the order first seen */
    int n_shards;               /* entries in shards */
    int cap_shards;             /* allocated entries */
    char last_result[256];      /* LastProcessingResult */
} esm_progress;

esm_progress *esm_progress_new(void);
esm_progress *esm_progress_ref(esm_progress *p);
void esm_progress_unref(esm_progress *p);
/* The entry of shard `index` (added, with checkpoint `start`, when absent). Holding p->mu. */
esm_shard_progress *esm_progress_shard(esm_progress *p, int index, const char *id, uint64_t start);
/* The entry of shard `index`, NULL when absent. Holding p->mu. */
esm_shard_progress *esm_progress_find(esm_progress *p, int index);

/* A published mapping. */
typedef struct esm_mapping {
    esm_config *cfg;        /* its settings (swapped by updates) */
    esm_progress *progress; /* its progress (one reference) */
} esm_mapping;

/* The mappings in memory, in creation order (lambda_lock, see above). */
int esm_count(void);
esm_mapping *esm_at(int i);
esm_mapping *esm_find(const char *uuid);

/* --- esm_store.c ---------------------------------------------------------------------------- */

/* Loads the mappings and checkpoints from lambda.sqlite (after fnmeta_open). -1 on error. */
int esm_store_open(store *st);
void esm_store_close(void);
/* Inserts or replaces a mapping's row, with the initial checkpoints of a new one (progress; NULL
 * for none), in one transaction. -1 (logged) on error. */
int esm_store_put(const esm_config *c, esm_progress *initial);
/* Deletes a mapping and its checkpoints. */
int esm_store_delete(const char *uuid);
/* Publishes a new mapping (taking ownership), replaces the settings of one, removes one. Control
 * thread; each takes lambda_lock exclusively. */
void esm_insert(esm_config *c, esm_progress *p);
void esm_replace(esm_mapping *m, esm_config *c);
void esm_remove(esm_mapping *m);

/* The control thread's tick: transitions, and stores changed checkpoints. */
void esm_tick(int64_t now_ms);

/* --- esm_poller.c --------------------------------------------------------------------------- */

/* Starts the pollers of the published mappings (after envmgr_start). */
void esm_start(void);
/* The mappings changed (control thread): pollers start, stop or restart soon. */
void esm_changed(void);
/* The store made more records durable (loop threads): the pollers read them soon. */
void esm_on_durable(void);
/* Stops every poller (before envmgr_stop; their invocations end with it). */
void esm_stop(void);
/* Frees what the pollers left (after envmgr_stop). */
void esm_free_pollers(void);

/* --- esm_ops.c ------------------------------------------------------------------------------ */

void op_create_event_source_mapping(op_call *call);
void op_get_event_source_mapping(op_call *call);
void op_list_event_source_mappings(op_call *call);
void op_update_event_source_mapping(op_call *call);
void op_delete_event_source_mapping(op_call *call);
/* The mapping ARN the input's UUID names (IAM resource); -1 with err when none. */
int esm_resource(op_call *call, const char **arns, int max);

/* --- esm_status.c --------------------------------------------------------------------------- */

#define ESM_STATUS_ROUTE "/_kinesd/lambda/triggers/" /* + ACCOUNT/REGION */
/* A signed route: only the caller's own account's mappings (403 for another account's). */
void esm_status_route(http_exchange *ex, const http_request *req, const caller *who);

#endif
