/* cmd_setup.c - the set-up subcommands: wait-ready (and the start-up figure) and create-stream. */
#include <stdio.h>
#include <string.h>

#include "bodies.h"
#include "commands.h"
#include "json_scan.h"

/* One attempt at an answered ListStreams on a fresh connection: true when it got HTTP 200. */
static bool list_streams_answered(const bench_options *o)
{
    hc_conn c;
    bool answered = false;
    if (hc_connect(&c, uv_default_loop(), (const struct sockaddr *)&o->endpoint.addr) == 0) {
        kbuf body = KBUF_INIT;
        kbuf_puts(&body, "{}");
        answered = kinesis_call(&c, &o->endpoint, "ListStreams", &body) == 200;
        kbuf_free(&body);
    }
    hc_close(&c);
    uv_run(uv_default_loop(), UV_RUN_NOWAIT);
    return answered;
}

int cmd_wait_ready(const bench_options *o)
{
    int64_t start = o->since_ns ? o->since_ns : clock_mono_ns();
    int64_t polls = 0;
    while (!list_streams_answered(o)) {
        polls++;
        if (seconds_since(start) > (double)o->max_seconds) {
            fprintf(stderr, "kinesd-bench: no answer from %s within %ld s\n", o->endpoint.host,
                    o->max_seconds);
            return 1;
        }
        uv_sleep(1);
    }
    printf("startup ms=%.1f polls=%lld\n", seconds_since(start) * 1e3, (long long)polls + 1);
    return 0;
}

/* True when DescribeStreamSummary says the stream is ACTIVE. */
static bool stream_active(hc_conn *c, const bench_options *o, kbuf *body)
{
    body_stream(body, o->stream);
    if (kinesis_call(c, &o->endpoint, "DescribeStreamSummary", body) != 200)
        return false;
    size_t pos = 0, len;
    const char *status;
    return json_next_string(hc_body(c), hc_body_len(c), "StreamStatus", &pos, &status, &len) &&
           len == 6 && memcmp(status, "ACTIVE", 6) == 0;
}

/* Creates the stream (an existing one is fine) and waits for it to become ACTIVE. */
static int create_and_wait(hc_conn *c, const bench_options *o)
{
    kbuf body = KBUF_INIT;
    int64_t start = clock_mono_ns();
    body_create_stream(&body, o->stream, o->shards);
    int status = kinesis_call(c, &o->endpoint, "CreateStream", &body);
    if (status != 200 &&
        !(status == 400 && memmem(hc_body(c), hc_body_len(c), "ResourceInUseException", 22))) {
        kinesis_report_failure("CreateStream", status, hc_body(c), hc_body_len(c));
        kbuf_free(&body);
        return 1;
    }
    bool active;
    while (!(active = stream_active(c, o, &body)) && seconds_since(start) < (double)o->max_seconds)
        uv_sleep(10);
    kbuf_free(&body);
    if (!active) {
        fprintf(stderr, "kinesd-bench: stream %s not ACTIVE within %ld s\n", o->stream,
                o->max_seconds);
        return 1;
    }
    printf("create-stream stream=%s shards=%ld ms=%.1f\n", o->stream, o->shards,
           seconds_since(start) * 1e3);
    return 0;
}

int cmd_create_stream(const bench_options *o)
{
    hc_conn c;
    int rc = kinesis_connect(&c, &o->endpoint) == 0 ? create_and_wait(&c, o) : 1;
    hc_close(&c);
    uv_run(uv_default_loop(), UV_RUN_NOWAIT);
    return rc;
}
