/* cmd_put_record.c - PutRecord latency: --records single-record calls, one after the other on
 * one connection, each timed from sending to its answer. Figures: p50/p99 and calls/s. */
#include <stdio.h>
#include <stdlib.h>

#include "bodies.h"
#include "commands.h"
#include "latency.h"

/* Sends the calls; returns how many failed. */
static long put_sequentially(hc_conn *c, const bench_options *o, latency *lat, long *sent)
{
    unsigned char *data = calloc(1, (size_t)o->record_bytes);
    if (!data)
        abort();
    kbuf body = KBUF_INIT;
    long errors = 0;
    int64_t start = clock_mono_ns();
    int status = 0;
    for (*sent = 0; *sent < o->records && status >= 0; ++*sent) {
        if (seconds_since(start) >= (double)o->max_seconds)
            break;
        body_put_record(&body, o->stream, data, (size_t)o->record_bytes, *sent);
        kinesis_request(c, &o->endpoint, "PutRecord", &body);
        int64_t sent_ns = clock_mono_ns();
        status = hc_roundtrip(c);
        latency_add(lat, clock_mono_ns() - sent_ns);
        if (status != 200 && errors++ == 0)
            kinesis_report_failure("PutRecord", status, hc_body(c), hc_body_len(c));
    }
    kbuf_free(&body);
    free(data);
    return errors;
}

int cmd_put_record(const bench_options *o)
{
    hc_conn c;
    latency lat = LATENCY_INIT;
    long sent = 0, errors = 1;
    if (kinesis_connect(&c, &o->endpoint) == 0) {
        int64_t start = clock_mono_ns();
        errors = put_sequentially(&c, o, &lat, &sent);
        printf("putrecord requests=%ld errors=%ld calls/s=%.0f p50_ms=%.2f p99_ms=%.2f\n", sent,
               errors, (double)sent / seconds_since(start), latency_percentile_ms(&lat, 50),
               latency_percentile_ms(&lat, 99));
    }
    hc_close(&c);
    uv_run(uv_default_loop(), UV_RUN_NOWAIT);
    latency_free(&lat);
    return errors == 0 ? 0 : 1;
}
