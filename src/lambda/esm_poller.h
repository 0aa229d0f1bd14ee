/* esm_poller.h - the inside of an event source mapping's pollers, shared by esm_poller.c (runners
 * and shards: following the stream, reading, checkpoints, wake-ups) and esm_lane.c (batches).
 *
 * Everything here lives on the lambda-env thread. A runner is one enabled mapping: a copy of its
 * settings and one esm_shard per shard of its stream (open or closed, in index order). A shard
 * is read only once its parents are finished, from its checkpoint, into ParallelizationFactor
 * lanes by partition key (so records of one key stay in order); each lane runs one batch at a
 * time. A shard's checkpoint is the lowest offset a lane still holds (or the read position when
 * they hold none): every record below it was processed, given up or filtered out. */
#ifndef KINESD_LAMBDA_ESM_POLLER_H
#define KINESD_LAMBDA_ESM_POLLER_H

#include <json-c/json.h>

#include "esm.h"
#include "esm_event.h"

#define ESM_SPLITS_MAX 24 /* bisections pending in a lane: log2(10000) is 14 */

typedef struct esm_runner esm_runner;
typedef struct esm_shard esm_shard;

typedef struct esm_lane {
    esm_shard *shard;           /* its shard */
    esm_record *head, *tail;    /* records held, by offset; the batch is the first batch_n */
    int held;                   /* records held */
    int batch_n;                /* records in the current batch; 0: none formed yet */
    int attempts;               /* invocations of the current batch */
    int splits[ESM_SPLITS_MAX]; /* sizes of the bisected parts still to run, the next one last */
    int n_splits;               /* entries in splits */
    bool invoking;              /* an invocation is out */
    int64_t not_before_ms;      /* a retry waits until then */
    char request_id[40];        /* of the last invocation (for the failure record) */
    char version[16];           /* the version it ran */
    bool function_error;        /* it failed with an Unhandled error */
    bool final_invoke;          /* it was its window's final invocation */
    bool window_open;           /* tumbling windows: a window's state is being carried */
    int64_t window_start_ms;    /* the open window's start */
    char *window_state;         /* its state (JSON object); NULL: {} */
    bool window_terminated;     /* its state outgrew ESM_STATE_MAX: end it early */
} esm_lane;

struct esm_shard {
    esm_runner *runner;      /* its mapping's runner */
    kinesis_shard_view view; /* as last resolved */
    uint64_t read_pos;       /* the next offset to read */
    bool finished;           /* closed, and every record done */
    esm_lane *lanes;         /* ParallelizationFactor of them */
    int held;                /* records held by its lanes */
    size_t held_bytes;       /* their payload bytes */
};

struct esm_runner {
    esm_config *cfg;        /* a copy of the mapping's settings */
    json_object **filters;  /* FilterCriteria, parsed */
    size_t n_filters;       /* entries in filters */
    esm_progress *progress; /* the mapping's (a reference) */
    kinesis_source src;     /* the stream as last resolved */
    esm_shard **shards;     /* by shard index */
    int n_shards;           /* entries in shards */
    int in_flight;          /* invocations out */
    bool stopping;          /* freed once in_flight is 0 */
    esm_runner *next;       /* in the list of runners */
};

/* esm_poller.c */
/* Updates the shard's progress entry (checkpoint, phase, counts) under the progress mutex. */
void esm_shard_report(esm_shard *s, const char *phase);
/* Runs the pollers now (a batch finished, a retry is due). */
void esm_pump(void);
/* Asks for a wake-up at at_ms (the earliest one asked for in a pump wins). */
void esm_wake_at(int64_t at_ms);
/* An invocation came back for a runner that was stopped: frees it when it was the last. */
void esm_runner_released(esm_runner *r);

/* esm_lane.c */
/* Adds a record read from the shard to the lane. */
void esm_lane_add(esm_lane *l, esm_record *r);
/* Moves the lane along: gives up records too old, forms a batch when one is due and invokes the
 * function with it. */
void esm_lane_step(esm_lane *l, int64_t now_ms);
/* Whether the lane holds nothing and has no window to finish. */
bool esm_lane_idle(const esm_lane *l);
/* Frees what the lane holds. */
void esm_lane_clear(esm_lane *l);

#endif
