/* main.c - kinesd-bench-libkines: producer throughput through libkines, one figure line a run.
 *
 *   kinesd-bench-libkines put-records --endpoint http://127.0.0.1:PORT --stream S [flags]
 *     (or https://localhost:PORT, trusting the CAs of AWS_CA_BUNDLE)
 *   kinesd-bench-libkines producer --endpoint http://127.0.0.1:PORT --stream S [flags]
 *   kinesd-bench-libkines schema [--records N] [--max-seconds S]
 * flags: --records N --record-bytes N --max-seconds S, for put-records --batch N, for producer
 *        --keys N (partition keys, cycled) and --in-flight N (max_in_flight; 0: the default)
 * prints
 *   libkines-putrecords batch=500 record_bytes=100 records=N failed=N seconds=S records/s=R MB/s=M
 *   libkines-producer keys=10000 record_bytes=100 records=N failed=N seconds=S records/s=R MB/s=M
 *   schema-validate event_bytes=B validations=N invalid=N seconds=S us=U
 * and exits 0, or 1 when a record or call failed (2 on a bad command line). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_libkines.h"

static const char usage[] =
    "usage: kinesd-bench-libkines put-records|producer --endpoint http://127.0.0.1:PORT --stream "
    "S\n"
    "       [--records N] [--record-bytes N] [--batch N] [--keys N] [--in-flight N]\n"
    "       [--max-seconds S]\n"
    "       kinesd-bench-libkines schema [--records N] [--max-seconds S]\n";

static long *numeric_flag(loop_options *o, const char *flag)
{
    static const char *names[] = {"--records", "--record-bytes", "--batch",
                                  "--keys",    "--in-flight",    "--max-seconds"};
    long *fields[] = {&o->records, &o->record_bytes, &o->batch,
                      &o->keys,    &o->in_flight,    &o->max_seconds};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(flag, names[i]) == 0)
            return fields[i];
    return NULL;
}

static int parse(int argc, char **argv, loop_options *o)
{
    *o = (loop_options){NULL, NULL, 20000, 100, 500, 10000, 0, 20};
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *flag = argv[i], *value = argv[i + 1];
        long *number = numeric_flag(o, flag);
        if (number)
            *number = atol(value);
        else if (strcmp(flag, "--endpoint") == 0)
            o->endpoint = value;
        else if (strcmp(flag, "--stream") == 0)
            o->stream = value;
        else
            return -1;
    }
    const char *authority = o->endpoint ? strstr(o->endpoint, "://") : NULL;
    bool web = o->endpoint && (strncmp(o->endpoint, "http://", 7) == 0 ||
                               strncmp(o->endpoint, "https://", 8) == 0);
    bool loopback = web && (strncmp(authority, "://127.0.0.1:", 13) == 0 ||
                            strncmp(authority, "://localhost:", 13) == 0);
    bool sane = o->records > 0 && o->record_bytes > 0 && o->batch > 0 &&
                o->batch <= KINES_MAX_BATCH_RECORDS && o->keys > 0 && o->in_flight >= 0 &&
                o->max_seconds > 0;
    return argc % 2 == 0 && loopback && o->stream && sane ? 0 : -1;
}

kines_options bench_client_options(const loop_options *o)
{
    kines_options opts = {.endpoint_url = o->endpoint};
    if (!getenv("AWS_ACCESS_KEY_ID") || !getenv("AWS_SECRET_ACCESS_KEY")) {
        opts.access_key_id = "AKIDKINESDBENCH00000";
        opts.secret_access_key = "kinesd-bench-secret-access-key-000000000";
    }
    if (!getenv("AWS_REGION") && !getenv("AWS_DEFAULT_REGION"))
        opts.region = "us-east-1";
    return opts;
}

static void print_figure(const char *name, const char *shape, const loop_options *o,
                         const loop_result *r)
{
    printf("%s %s record_bytes=%ld records=%ld failed=%ld seconds=%.2f records/s=%.0f "
           "MB/s=%.1f\n",
           name, shape, o->record_bytes, r->written, r->failed, r->seconds,
           (double)r->written / r->seconds,
           (double)r->written * (double)o->record_bytes / r->seconds / 1e6);
}

/* The schema-validate figure: no server, so only --records and --max-seconds. */
static int schema_figure(int argc, char **argv)
{
    loop_options o;
    if (argc % 2 != 0)
        return 2;
    o = (loop_options){NULL, NULL, 200000, 0, 0, 0, 0, 20};
    for (int i = 2; i + 1 < argc; i += 2) {
        long *number = numeric_flag(&o, argv[i]);
        if (number != &o.records && number != &o.max_seconds)
            return 2;
        *number = atol(argv[i + 1]);
    }
    loop_result r = {0};
    if (o.records <= 0 || o.max_seconds <= 0 || schema_loop(o.records, o.max_seconds, &r) != 0)
        return o.records <= 0 || o.max_seconds <= 0 ? 2 : 1;
    printf("schema-validate event_bytes=%zu validations=%ld invalid=%ld seconds=%.2f us=%.2f\n",
           schema_event_bytes(), r.written, r.failed, r.seconds,
           r.seconds * 1e6 / (double)(r.written + r.failed));
    return r.failed == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    loop_options o;
    if (argc > 1 && strcmp(argv[1], "schema") == 0) {
        int rc = schema_figure(argc, argv);
        if (rc == 2)
            fputs(usage, stderr);
        return rc;
    }
    bool producer = argc > 1 && strcmp(argv[1], "producer") == 0;
    if (argc < 2 || (!producer && strcmp(argv[1], "put-records") != 0) || parse(argc, argv, &o)) {
        fputs(usage, stderr);
        return 2;
    }
    loop_result r = {0};
    char shape[64];
    int rc;
    if (producer) {
        rc = producer_loop(&o, &r);
        if (o.in_flight)
            snprintf(shape, sizeof shape, "keys=%ld in_flight=%ld", o.keys, o.in_flight);
        else
            snprintf(shape, sizeof shape, "keys=%ld in_flight=default", o.keys);
    } else {
        rc = put_records_loop(&o, &r);
        snprintf(shape, sizeof shape, "batch=%ld", o.batch);
    }
    if (r.seconds > 0)
        print_figure(producer ? "libkines-producer" : "libkines-putrecords", shape, &o, &r);
    return rc == 0 && r.failed == 0 ? 0 : 1;
}
