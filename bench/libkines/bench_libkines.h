/* bench_libkines.h - kinesd-bench-libkines: the options its figures share and the figures. */
#ifndef KINESD_BENCH_LIBKINES_H
#define KINESD_BENCH_LIBKINES_H

#include "kines/kines.h"

typedef struct loop_options {
    const char *endpoint, *stream;
    long records, record_bytes, batch, keys, in_flight, max_seconds;
} loop_options;

/* What a figure run wrote. */
typedef struct loop_result {
    long written, failed;
    double seconds;
} loop_result;

/* Client options for the bench: AWS_* credentials and region when set, else fixed dummies and
 * us-east-1. */
kines_options bench_client_options(const loop_options *o);

/* libkines-putrecords: a closed loop of kines_put_records calls on one client. */
int put_records_loop(const loop_options *o, loop_result *out);

/* libkines-producer: the same records through the batching producer. */
int producer_loop(const loop_options *o, loop_result *out);

/* schema-validate: a 1 KB event validated `records` times (at most max_seconds) against a
 * compiled schema; no server. */
int schema_loop(long records, long max_seconds, loop_result *out);
size_t schema_event_bytes(void); /* the event's size */

#endif
