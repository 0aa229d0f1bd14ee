/* put_records_loop.c - the libkines-putrecords figure: one kines_client sends PutRecords calls of
 * --batch records of --record-bytes (distinct partition keys), each as soon as the previous one is
 * answered, until --records are written or --max-seconds have passed. */
#include <stdio.h>
#include <stdlib.h>

#include "bench_libkines.h"
#include "common/clock.h"

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

int put_records_loop(const loop_options *o, loop_result *out)
{
    kines_options opts = bench_client_options(o);
    kines_error err;
    kines_client *c = kines_client_new(&opts, &err);
    if (!c) {
        fprintf(stderr, "kinesd-bench-libkines: %s\n", err.message);
        return -1;
    }
    int64_t start = clock_mono_ns();
    int rc = put_loop(c, o, &out->written, &out->failed);
    out->seconds = (double)(clock_mono_ns() - start) / 1e9;
    kines_client_free(c);
    return rc;
}
