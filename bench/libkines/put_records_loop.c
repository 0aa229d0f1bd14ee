/* put_records_loop.c - kinesd-bench-libkines: producer throughput through libkines.
 *
 * One kines_client sends PutRecords calls of --batch records of --record-bytes (distinct
 * partition keys), each as soon as the previous one is answered, until --records are written or
 * --max-seconds have passed, and prints one figure line:
 *   libkines-putrecords batch=500 record_bytes=100 records=N failed=N seconds=S records/s=R MB/s=M
 * Credentials and region resolve as libkines does (AWS_* variables); without them fixed bench
 * credentials and us-east-1 are used. usage:
 *   kinesd-bench-libkines --endpoint http://127.0.0.1:PORT --stream S [--records N]
 *       [--record-bytes N] [--batch N] [--max-seconds S] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "kines/kines.h"

typedef struct loop_options {
    const char *endpoint, *stream;
    long records, record_bytes, batch, max_seconds;
} loop_options;

static int parse(int argc, char **argv, loop_options *o)
{
    *o = (loop_options){NULL, NULL, 20000, 100, 500, 20};
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *flag = argv[i], *value = argv[i + 1];
        if (strcmp(flag, "--endpoint") == 0)
            o->endpoint = value;
        else if (strcmp(flag, "--stream") == 0)
            o->stream = value;
        else if (strcmp(flag, "--records") == 0)
            o->records = atol(value);
        else if (strcmp(flag, "--record-bytes") == 0)
            o->record_bytes = atol(value);
        else if (strcmp(flag, "--batch") == 0)
            o->batch = atol(value);
        else if (strcmp(flag, "--max-seconds") == 0)
            o->max_seconds = atol(value);
        else
            return -1;
    }
    bool loopback = o->endpoint && (strncmp(o->endpoint, "http://127.0.0.1:", 17) == 0 ||
                                    strncmp(o->endpoint, "http://localhost:", 17) == 0);
    bool sane = o->records > 0 && o->record_bytes > 0 && o->batch > 0 &&
                o->batch <= KINES_MAX_BATCH_RECORDS && o->max_seconds > 0;
    return argc % 2 == 1 && loopback && o->stream && sane ? 0 : -1;
}

static kines_client *connect_client(const loop_options *o)
{
    const char *key = getenv("AWS_ACCESS_KEY_ID"), *secret = getenv("AWS_SECRET_ACCESS_KEY");
    kines_options opts = {.endpoint_url = o->endpoint};
    if (!key || !secret) {
        opts.access_key_id = "AKIDKINESDBENCH00000";
        opts.secret_access_key = "kinesd-bench-secret-access-key-000000000";
    }
    if (!getenv("AWS_REGION") && !getenv("AWS_DEFAULT_REGION"))
        opts.region = "us-east-1";
    kines_error err;
    kines_client *c = kines_client_new(&opts, &err);
    if (!c)
        fprintf(stderr, "kinesd-bench-libkines: %s\n", err.message);
    return c;
}

/* Writes the batches; returns -1 when a call failed as a whole. */
static int put_loop(kines_client *c, const loop_options *o, long *written, long *failed)
{
    unsigned char *data = calloc(1, (size_t)o->record_bytes);
    kines_put_entry *entries = calloc((size_t)o->batch, sizeof(*entries));
    char(*keys)[32] = calloc((size_t)o->batch, sizeof(*keys));
    if (!data || !entries || !keys)
        abort();
    int64_t start = clock_mono_ns();
    int rc = 0;
    while (rc == 0 && *written + *failed < o->records &&
           clock_mono_ns() - start < o->max_seconds * 1000000000LL) {
        long count = o->records - *written - *failed;
        count = count < o->batch ? count : o->batch;
        for (long i = 0; i < count; i++) {
            snprintf(keys[i], sizeof(keys[i]), "pk-%ld", *written + *failed + i);
            entries[i] = (kines_put_entry){data, (size_t)o->record_bytes, keys[i], NULL};
        }
        kines_put_results results;
        kines_error err;
        rc = kines_put_records(c, o->stream, entries, (size_t)count, &results, &err);
        if (rc != 0) {
            fprintf(stderr, "kinesd-bench-libkines: PutRecords: %s %s\n", err.type, err.message);
            break;
        }
        *failed += results.failed_count;
        *written += count - results.failed_count;
        kines_put_results_free(&results);
    }
    free(keys);
    free(entries);
    free(data);
    return rc;
}

int main(int argc, char **argv)
{
    loop_options o;
    if (parse(argc, argv, &o) != 0) {
        fputs("usage: kinesd-bench-libkines --endpoint http://127.0.0.1:PORT --stream S "
              "[--records N] [--record-bytes N] [--batch N] [--max-seconds S]\n",
              stderr);
        return 2;
    }
    kines_client *c = connect_client(&o);
    if (!c)
        return 1;
    long written = 0, failed = 0;
    int64_t start = clock_mono_ns();
    int rc = put_loop(c, &o, &written, &failed);
    double seconds = (double)(clock_mono_ns() - start) / 1e9;
    printf("libkines-putrecords batch=%ld record_bytes=%ld records=%ld failed=%ld seconds=%.2f "
           "records/s=%.0f MB/s=%.1f\n",
           o.batch, o.record_bytes, written, failed, seconds, (double)written / seconds,
           (double)written * (double)o.record_bytes / seconds / 1e6);
    kines_client_free(c);
    return rc == 0 && failed == 0 ? 0 : 1;
}
