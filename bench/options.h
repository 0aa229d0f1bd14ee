/* options.h - kinesd-bench's command line: one subcommand and the flags every subcommand shares. */
#ifndef KINESD_BENCH_OPTIONS_H
#define KINESD_BENCH_OPTIONS_H

#include <stdbool.h>

#include "kinesis_call.h"

typedef struct bench_options {
    const char *command;       /* "put-records", ... */
    kinesis_endpoint endpoint; /* --endpoint http://127.0.0.1:PORT */
    const char *stream;        /* --stream, default "bench" */
    bool cbor; /* --protocol cbor: put-records sends CBOR 1.1 bodies (default json) */
    /* Numbers are all `long` (64 bits here) so that one table parses them. */
    long shards;        /* --shards for create-stream, default 1 */
    long connections;   /* --connections, default 1 */
    long http;          /* --http 1 or 2 (h2c, put-records only), default 1 */
    long streams;       /* --streams in flight on each h2c connection (--http 2), default 1 */
    long records;       /* --records to write (requests for put-record), default 2000 */
    long record_bytes;  /* --record-bytes of data per record, default 100 */
    long batch;         /* --batch records per PutRecords, default 500 */
    long limit;         /* --limit per GetRecords, default 10000 */
    long expect;        /* --expect records for get-records to verify, -1: no check */
    long max_seconds;   /* --max-seconds bound on the run, default 30 */
    long interval_ms;   /* --interval-ms between puts of put-to-get, default 2 */
    long poll_pause_ms; /* --poll-pause-ms of put-to-get's reader after an empty answer, default
                         * 0: a tight poller */
    long since_ns;      /* --since-ns: CLOCK_MONOTONIC time kinesd was spawned */
} bench_options;

/* Parses argv into o. Prints usage and returns -1 on a bad command line. */
int options_parse(int argc, char **argv, bench_options *o);

void options_usage(void);

#endif
