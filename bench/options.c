/* options.c - parsing kinesd-bench's command line (see options.h). */
#include "options.h"

#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every flag taking a value: the three strings, then the numbers with their bounds and field. */
typedef struct flag {
    const char *name;
    long min, max;
    size_t offset; /* of the number's `long` in bench_options */
} flag;

enum { FLAG_ENDPOINT, FLAG_STREAM, FLAG_PROTOCOL };

static const flag flags[] = {
    {"endpoint", 0, 0, 0},
    {"stream", 0, 0, 0},
    {"protocol", 0, 0, 0},
    {"shards", 1, 10000, offsetof(bench_options, shards)},
    {"connections", 1, 1024, offsetof(bench_options, connections)},
    {"http", 1, 2, offsetof(bench_options, http)},
    {"streams", 1, 100, offsetof(bench_options, streams)},
    {"records", 1, 100000000, offsetof(bench_options, records)},
    {"record-bytes", 1, 1048576, offsetof(bench_options, record_bytes)},
    {"batch", 1, 500, offsetof(bench_options, batch)},
    {"limit", 1, 10000, offsetof(bench_options, limit)},
    {"expect", 0, 100000000, offsetof(bench_options, expect)},
    {"max-seconds", 1, 3600, offsetof(bench_options, max_seconds)},
    {"interval-ms", 0, 10000, offsetof(bench_options, interval_ms)},
    {"poll-pause-ms", 0, 10000, offsetof(bench_options, poll_pause_ms)},
    {"since-ns", 0, LONG_MAX, offsetof(bench_options, since_ns)},
};

#define FLAG_COUNT ((int)(sizeof(flags) / sizeof(flags[0])))
#define FLAG_VAL 1000 /* what getopt_long returns for flags[i] is FLAG_VAL + i */

/* The getopt_long table for `flags`, and --help. */
static void fill_long_options(struct option out[FLAG_COUNT + 2])
{
    for (int i = 0; i < FLAG_COUNT; i++)
        out[i] = (struct option){flags[i].name, required_argument, NULL, FLAG_VAL + i};
    out[FLAG_COUNT] = (struct option){"help", no_argument, NULL, 'h'};
    out[FLAG_COUNT + 1] = (struct option){NULL, 0, NULL, 0};
}

void options_usage(void)
{
    fputs("usage: kinesd-bench COMMAND --endpoint http://127.0.0.1:PORT [flags]\n"
          "commands (each prints one line of figures):\n"
          "  wait-ready     poll ListStreams until kinesd answers (--since-ns: report start-up)\n"
          "  create-stream  create --stream with --shards and wait until it is ACTIVE\n"
          "  put-records    PutRecords of --batch x --record-bytes over --connections (over h2c\n"
          "                 with --http 2: --streams requests in flight on each connection)\n"
          "  put-record     --records sequential single-record PutRecord calls: latency\n"
          "  get-records    read every shard of --stream from TRIM_HORIZON (--limit, --expect)\n"
          "  put-to-get     put --records timestamped records, read them from LATEST: latency\n"
          "flags: --stream S (bench) --shards N (1) --connections N (1) --records N\n"
          "       --record-bytes N (100) --batch N (500) --limit N (10000) --expect N\n"
          "       --max-seconds S (30) --interval-ms N (2) --poll-pause-ms N (0)\n"
          "       --since-ns MONOTONIC_NS --protocol json|cbor (json, put-records)\n"
          "       --http 1|2 (1, put-records) --streams N (1, only with --http 2)\n",
          stderr);
}

static void set_defaults(bench_options *o)
{
    memset(o, 0, sizeof(*o));
    o->stream = "bench";
    o->shards = 1;
    o->connections = 1;
    o->http = 1;
    o->streams = 1;
    o->records = 2000;
    o->record_bytes = 100;
    o->batch = 500;
    o->limit = 10000;
    o->expect = -1;
    o->max_seconds = 30;
    o->interval_ms = 2;
}

/* Stores the value of numeric flag f; -1 (message printed) when it is bad. */
static int apply_number(bench_options *o, const flag *f, const char *arg)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (*arg == '\0' || *end != '\0' || v < f->min || v > f->max) {
        fprintf(stderr, "kinesd-bench: --%s wants a number in [%ld, %ld], not %s\n", f->name,
                f->min, f->max, arg);
        return -1;
    }
    *(long *)((char *)o + f->offset) = v;
    return 0;
}

/* --protocol: "json" or "cbor"; -1 (message printed) for anything else. */
static int apply_protocol(bench_options *o, const char *arg)
{
    if (strcmp(arg, "json") != 0 && strcmp(arg, "cbor") != 0) {
        fprintf(stderr, "kinesd-bench: --protocol wants json or cbor, not %s\n", arg);
        return -1;
    }
    o->cbor = strcmp(arg, "cbor") == 0;
    return 0;
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
    struct option long_options[FLAG_COUNT + 2];
    fill_long_options(long_options);
    int opt;
    optind = 2;
    while ((opt = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
        int i = opt - FLAG_VAL; /* negative for 'h' and '?' */
        if (i == FLAG_ENDPOINT)
            endpoint = optarg;
        else if (i == FLAG_STREAM)
            o->stream = optarg;
        else if (i == FLAG_PROTOCOL
                     ? apply_protocol(o, optarg) != 0
                     : i < 0 || i >= FLAG_COUNT || apply_number(o, &flags[i], optarg) != 0) {
            options_usage();
            return -1;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "kinesd-bench: unexpected argument %s\n", argv[optind]);
        return -1;
    }
    if (o->streams > 1 && o->http != 2) {
        fprintf(stderr, "kinesd-bench: --streams is for h2c connections (--http 2)\n");
        return -1;
    }
    return kinesis_endpoint_parse(&o->endpoint, endpoint);
}
