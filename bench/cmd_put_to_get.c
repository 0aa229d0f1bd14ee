/* cmd_put_to_get.c - put-to-get latency: a writer puts --records single records, --interval-ms
 * apart, each carrying its send time (CLOCK_MONOTONIC ns, as text); a reader on a LATEST iterator
 * polls GetRecords (again at once after records; after an empty answer after --poll-pause-ms, by
 * default at once too: a tight poller) and times each record from its send time to its arrival.
 * --stream must have one shard. Figures: p50/p99. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bodies.h"
#include "commands.h"
#include "common/base64.h"
#include "json_scan.h"
#include "latency.h"
#include "shards.h"

typedef struct ptg_run {
    const bench_options *o;
    hc_conn writer, reader;
    uv_timer_t writer_pause, reader_pause;
    kbuf writer_body, reader_body, iterator;
    long put, received, errors;
    int64_t start_ns;
    latency lat;
} ptg_run;

static bool run_over(const ptg_run *run)
{
    return run->errors > 0 || seconds_since(run->start_ns) >= (double)run->o->max_seconds;
}

static void put_next(uv_timer_t *timer);
static void poll_next(uv_timer_t *timer);

static void on_put(hc_conn *c, int status, const char *body, size_t len)
{
    ptg_run *run = c->user;
    if (status != 200 && run->errors++ == 0)
        kinesis_report_failure("PutRecord", status, body, len);
    if (++run->put < run->o->records && !run_over(run))
        uv_timer_start(&run->writer_pause, put_next, (uint64_t)run->o->interval_ms, 0);
}

static void put_next(uv_timer_t *timer)
{
    ptg_run *run = timer->data;
    size_t size = (size_t)run->o->record_bytes > 32 ? (size_t)run->o->record_bytes : 32;
    char *data = malloc(size);
    if (!data)
        abort();
    memset(data, 'x', size);
    int n = snprintf(data, size, "%lld", (long long)clock_mono_ns());
    data[n] = ' ';
    body_put_record(&run->writer_body, run->o->stream, data, size, run->put);
    free(data);
    kinesis_request(&run->writer, &run->o->endpoint, "PutRecord", &run->writer_body);
    hc_send(&run->writer, on_put);
}

/* Times every record of one GetRecords answer; returns how many it had. */
static long time_records(ptg_run *run, const char *s, size_t n)
{
    int64_t now = clock_mono_ns();
    size_t pos = 0, len, out_len;
    const char *data;
    char decoded[64];
    long count = 0;
    while (json_next_string(s, n, "Data", &pos, &data, &len)) {
        count++;
        size_t head = len < 40 ? len / 4 * 4 : 40;
        if (!base64_decode(data, head, decoded, &out_len))
            continue;
        decoded[out_len] = '\0';
        latency_add(&run->lat, now - strtoll(decoded, NULL, 10));
    }
    return count;
}

static void on_records(hc_conn *c, int status, const char *s, size_t n)
{
    ptg_run *run = c->user;
    size_t pos = 0, len;
    const char *next;
    if (status != 200 || !json_next_string(s, n, "NextShardIterator", &pos, &next, &len)) {
        if (run->errors++ == 0)
            kinesis_report_failure("GetRecords", status, s, n);
        return;
    }
    long count = time_records(run, s, n);
    run->received += count;
    kbuf_reset(&run->iterator);
    kbuf_append(&run->iterator, next, len);
    if (run->received < run->o->records && !run_over(run))
        uv_timer_start(&run->reader_pause, poll_next, count ? 0 : (uint64_t)run->o->poll_pause_ms,
                       0);
}

static void poll_next(uv_timer_t *timer)
{
    ptg_run *run = timer->data;
    body_get_records(&run->reader_body, run->iterator.data, run->iterator.len, run->o->limit);
    kinesis_request(&run->reader, &run->o->endpoint, "GetRecords", &run->reader_body);
    hc_send(&run->reader, on_records);
}

/* The LATEST iterator of the stream's only shard, into run->iterator. */
static int latest_iterator(ptg_run *run)
{
    shard_list shards;
    const bench_options *o = run->o;
    if (shards_list(&run->reader, &o->endpoint, o->stream, &shards) != 0)
        return -1;
    int rc = -1;
    if (shards.count == 1)
        rc = shards_iterator(&run->reader, &o->endpoint, o->stream, shards.ids[0], "LATEST",
                             &run->iterator);
    else
        fprintf(stderr, "kinesd-bench: put-to-get wants a stream with one shard, %s has %zu\n",
                o->stream, shards.count);
    shards_free(&shards);
    return rc;
}

/* Starts the writer and the reader on connected connections, runs the loop until both stopped. */
static int measure(ptg_run *run)
{
    if (latest_iterator(run) != 0)
        return -1;
    run->writer.user = run->reader.user = run;
    run->writer_pause.data = run->reader_pause.data = run;
    run->start_ns = clock_mono_ns();
    uv_timer_start(&run->reader_pause, poll_next, 0, 0);
    uv_timer_start(&run->writer_pause, put_next, 0, 0);
    while (uv_is_active((uv_handle_t *)&run->writer_pause) || run->writer.busy ||
           uv_is_active((uv_handle_t *)&run->reader_pause) || run->reader.busy)
        uv_run(uv_default_loop(), UV_RUN_ONCE);
    return run->errors ? -1 : 0;
}

int cmd_put_to_get(const bench_options *o)
{
    ptg_run run = {.o = o, .lat = LATENCY_INIT};
    uv_timer_init(uv_default_loop(), &run.writer_pause);
    uv_timer_init(uv_default_loop(), &run.reader_pause);
    int writer_rc = kinesis_connect(&run.writer, &o->endpoint);
    int reader_rc = kinesis_connect(&run.reader, &o->endpoint);
    int rc = writer_rc == 0 && reader_rc == 0 ? measure(&run) : -1;
    printf("put-to-get records=%ld received=%ld interval_ms=%ld poll_pause_ms=%ld p50_ms=%.2f "
           "p99_ms=%.2f\n",
           run.put, run.received, o->interval_ms, o->poll_pause_ms,
           latency_percentile_ms(&run.lat, 50), latency_percentile_ms(&run.lat, 99));
    hc_close(&run.writer);
    hc_close(&run.reader);
    uv_close((uv_handle_t *)&run.writer_pause, NULL);
    uv_close((uv_handle_t *)&run.reader_pause, NULL);
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    kbuf_free(&run.writer_body);
    kbuf_free(&run.reader_body);
    kbuf_free(&run.iterator);
    latency_free(&run.lat);
    return rc == 0 && run.received == run.put ? 0 : 1;
}
