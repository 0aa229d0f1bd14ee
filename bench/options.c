/* options.c - parsing kinesd-bench's command line (see options.h). */
#include "options.h"

#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_ENDPOINT = 1000,
    OPT_STREAM,
    OPT_SHARDS,
    OPT_CONNECTIONS,
    OPT_RECORDS,
    OPT_RECORD_BYTES,
    OPT_BATCH,
    OPT_LIMIT,
    OPT_EXPECT,
    OPT_MAX_SECONDS,
    OPT_INTERVAL_MS,
    OPT_SINCE_NS,
};

static const struct option long_options[] = {
    {"endpoint", required_argument, NULL, OPT_ENDPOINT},
    {"stream", required_argument, NULL, OPT_STREAM},
    {"shards", required_argument, NULL, OPT_SHARDS},
    {"connections", required_argument, NULL, OPT_CONNECTIONS},
    {"records", required_argument, NULL, OPT_RECORDS},
    {"record-bytes", required_argument, NULL, OPT_RECORD_BYTES},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"expect", required_argument, NULL, OPT_EXPECT},
    {"max-seconds", required_argument, NULL, OPT_MAX_SECONDS},
    {"interval-ms", required_argument, NULL, OPT_INTERVAL_MS},
    {"since-ns", required_argument, NULL, OPT_SINCE_NS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

void options_usage(void)
{
    fputs("usage: kinesd-bench COMMAND --endpoint http://127.0.0.1:PORT [flags]\n"
          "commands (each prints one line of figures):\n"
          "  wait-ready     poll ListStreams until kinesd answers (--since-ns: report start-up)\n"
          "  create-stream  create --stream with --shards and wait until it is ACTIVE\n"
          "  put-records    PutRecords of --batch x --record-bytes over --connections\n"
          "  put-record     --records sequential single-record PutRecord calls: latency\n"
          "  get-records    read every shard of --stream from TRIM_HORIZON (--limit, --expect)\n"
          "  put-to-get     put --records timestamped records, read them from LATEST: latency\n"
          "flags: --stream S (bench) --shards N (1) --connections N (1) --records N\n"
          "       --record-bytes N (100) --batch N (500) --limit N (10000) --expect N\n"
          "       --max-seconds S (30) --interval-ms N (2) --since-ns MONOTONIC_NS\n",
          stderr);
}

static void set_defaults(bench_options *o)
{
    memset(o, 0, sizeof(*o));
    o->stream = "bench";
    o->shards = 1;
    o->connections = 1;
    o->records = 2000;
    o->record_bytes = 100;
    o->batch = 500;
    o->limit = 10000;
    o->expect = -1;
    o->max_seconds = 30;
    o->interval_ms = 2;
}

/* The numeric flags: their option, bounds and field. */
typedef struct number_flag {
    int opt;
    long min, max;
    size_t offset;
} number_flag;

static const number_flag number_flags[] = {
    {OPT_SHARDS, 1, 10000, offsetof(bench_options, shards)},
    {OPT_CONNECTIONS, 1, 1024, offsetof(bench_options, connections)},
    {OPT_RECORDS, 1, 100000000, offsetof(bench_options, records)},
    {OPT_RECORD_BYTES, 1, 1048576, offsetof(bench_options, record_bytes)},
    {OPT_BATCH, 1, 500, offsetof(bench_options, batch)},
    {OPT_LIMIT, 1, 10000, offsetof(bench_options, limit)},
    {OPT_EXPECT, 0, 100000000, offsetof(bench_options, expect)},
    {OPT_MAX_SECONDS, 1, 3600, offsetof(bench_options, max_seconds)},
    {OPT_INTERVAL_MS, 0, 10000, offsetof(bench_options, interval_ms)},
    {OPT_SINCE_NS, 0, LONG_MAX, offsetof(bench_options, since_ns)},
};

/* Stores the value of numeric flag `opt`; -1 (message printed) when it is not one or is bad. */
static int apply_number(bench_options *o, int opt, const char *arg)
{
    for (size_t i = 0; i < sizeof(number_flags) / sizeof(number_flags[0]); i++) {
        const number_flag *f = &number_flags[i];
        if (f->opt != opt)
            continue;
        char *end;
        long v = strtol(arg, &end, 10);
        if (*arg == '\0' || *end != '\0' || v < f->min || v > f->max) {
            fprintf(stderr, "kinesd-bench: --%s wants a number in [%ld, %ld], not %s\n",
                    long_options[opt - OPT_ENDPOINT].name, f->min, f->max, arg);
            return -1;
        }
        *(long *)((char *)o + f->offset) = v;
        return 0;
    }
    return -1;
}

int options_parse(int argc, char **argv, bench_options *o)
{
    set_defaults(o);
    if (argc < 2 || argv[1][0] == '-') {
        options_usage();
        return -1;
    }
    o->command = argv[1];
    const char *endpoint = NULL;
    int opt;
    optind = 2;
    while ((opt = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
        if (opt == OPT_ENDPOINT)
            endpoint = optarg;
        else if (opt == OPT_STREAM)
            o->stream = optarg;
        else if (opt == 'h' || apply_number(o, opt, optarg) != 0) {
            options_usage();
            return -1;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "kinesd-bench: unexpected argument %s\n", argv[optind]);
        return -1;
    }
    return kinesis_endpoint_parse(&o->endpoint, endpoint);
}
