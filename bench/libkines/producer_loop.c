/* producer_loop.c - the libkines-producer figure: --records records of --record-bytes, partition
 * keys cycling through --keys distinct ones, handed to kines_producer_put as fast as it takes them
 * (default producer options but --in-flight: batching, linger, concurrent requests), then a
 * flush. The time runs
 * from the first put to the end of the flush; putting stops after --max-seconds, and records live
 * at most that long again (their TTL), so the run stays bounded when kinesd stops answering. */
#include <stdio.h>
#include <stdlib.h>

#include "bench_libkines.h"
#include "common/clock.h"
#include "kines/producer.h"

static int put_all(kines_producer *p, const loop_options *o, int64_t deadline_ns)
{
    unsigned char *data = calloc(1, (size_t)o->record_bytes);
    if (!data)
        abort();
    int rc = 0;
    for (long i = 0; rc == 0 && i < o->records && clock_mono_ns() < deadline_ns; i++) {
        char key[32];
        snprintf(key, sizeof key, "pk-%ld", i % o->keys);
        kines_error err;
        rc = kines_producer_put(p, data, (size_t)o->record_bytes, key, NULL, NULL, &err);
        if (rc != 0)
            fprintf(stderr, "kinesd-bench-libkines: put: %s\n", err.message);
    }
    free(data);
    return rc;
}

int producer_loop(const loop_options *o, loop_result *out)
{
    kines_options opts = bench_client_options(o);
    kines_producer_options po = {.record_ttl_ms = (int)o->max_seconds * 1000,
                                 .max_in_flight = (int)o->in_flight};
    kines_error err;
    kines_producer *p = kines_producer_new(&opts, o->stream, &po, &err);
    if (!p) {
        fprintf(stderr, "kinesd-bench-libkines: %s\n", err.message);
        return -1;
    }
    int64_t start = clock_mono_ns();
    int rc = put_all(p, o, start + o->max_seconds * 1000000000LL);
    kines_producer_flush(p);
    out->seconds = (double)(clock_mono_ns() - start) / 1e9;
    kines_producer_stats s;
    kines_producer_stats_get(p, &s);
    out->written = (long)s.records_delivered;
    out->failed = (long)s.records_failed;
    kines_producer_close(p);
    return rc;
}
