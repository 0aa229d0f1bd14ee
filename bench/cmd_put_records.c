/* cmd_put_records.c - PutRecords throughput: --connections keep-alive connections, each sending
 * batches of --batch records of --record-bytes as soon as its previous batch is answered, until
 * --records are written or --max-seconds have passed, in JSON 1.1 or (--protocol cbor) CBOR 1.1.
 * Figures: records/s, MB/s of record data, and request latency p50/p99. */
#include <stdio.h>
#include <stdlib.h>

#include "bodies.h"
#include "cbor_scan.h"
#include "commands.h"
#include "json_scan.h"
#include "latency.h"

typedef struct put_run {
    const bench_options *o;
    char *data_b64;      /* every record's data (JSON bodies) */
    unsigned char *data; /* the same bytes (CBOR bodies) */
    long next_key;       /* records handed out so far, also the next partition key */
    long written;        /* records acknowledged with a SequenceNumber */
    long failed;         /* records the server reported failed */
    long errors;         /* requests that failed as a whole */
    int64_t start_ns;
    latency requests;
} put_run;

typedef struct put_worker {
    hc_conn conn;
    put_run *run;
    kbuf body;
    int64_t sent_ns;
} put_worker;

/* Hands the worker its next batch and sends it; closes the connection when the run is over. */
static void send_next(put_worker *w);

static void on_answer(hc_conn *c, int status, const char *body, size_t len)
{
    put_worker *w = c->user;
    put_run *run = w->run;
    long long failed = 0;
    if (status > 0)
        latency_add(&run->requests, clock_mono_ns() - w->sent_ns);
    if (status == 200 && run->o->cbor) {
        run->written += (long)cbor_count_key(body, len, "SequenceNumber");
        if (cbor_integer(body, len, "FailedRecordCount", &failed))
            run->failed += (long)failed;
    } else if (status == 200) {
        run->written += (long)json_count_key(body, len, "SequenceNumber");
        if (json_integer(body, len, "FailedRecordCount", &failed))
            run->failed += (long)failed;
    } else {
        if (run->errors++ == 0)
            kinesis_report_failure("PutRecords", status, body, len);
    }
    if (status < 0) {
        hc_close(c);
        return;
    }
    send_next(w);
}

static void send_next(put_worker *w)
{
    put_run *run = w->run;
    const bench_options *o = run->o;
    long count = o->records - run->next_key;
    if (count > o->batch)
        count = o->batch;
    if (count <= 0 || seconds_since(run->start_ns) >= (double)o->max_seconds || run->errors > 100) {
        hc_close(&w->conn);
        return;
    }
    if (o->cbor) {
        body_put_records_cbor(&w->body, o->stream, run->data, (size_t)o->record_bytes,
                              run->next_key, count);
        kinesis_request_as(&w->conn, &o->endpoint, "PutRecords", "application/x-amz-cbor-1.1",
                           &w->body);
    } else {
        body_put_records(&w->body, o->stream, run->data_b64, run->next_key, count);
        kinesis_request(&w->conn, &o->endpoint, "PutRecords", &w->body);
    }
    run->next_key += count;
    w->sent_ns = clock_mono_ns();
    hc_send(&w->conn, on_answer);
}

static void report(put_run *run)
{
    double seconds = seconds_since(run->start_ns);
    printf("putrecords%s conns=%ld batch=%ld record_bytes=%ld records=%ld failed=%ld errors=%ld "
           "seconds=%.2f records/s=%.0f MB/s=%.1f p50_ms=%.2f p99_ms=%.2f\n",
           run->o->cbor ? "-cbor" : "", run->o->connections, run->o->batch, run->o->record_bytes,
           run->written, run->failed, run->errors, seconds, (double)run->written / seconds,
           (double)run->written * (double)run->o->record_bytes / seconds / 1e6,
           latency_percentile_ms(&run->requests, 50), latency_percentile_ms(&run->requests, 99));
}

int cmd_put_records(const bench_options *o)
{
    put_run run = {.o = o, .requests = LATENCY_INIT};
    run.data_b64 = body_random_data((size_t)o->record_bytes);
    run.data = body_random_bytes((size_t)o->record_bytes);
    put_worker *workers = calloc((size_t)o->connections, sizeof(*workers));
    if (!workers)
        abort();
    int connected = 0;
    for (long i = 0; i < o->connections; i++) {
        workers[i].run = &run;
        if (kinesis_connect(&workers[i].conn, &o->endpoint) == 0)
            connected++;
        workers[i].conn.user = &workers[i];
    }
    run.start_ns = clock_mono_ns();
    for (long i = 0; i < o->connections; i++) {
        if (workers[i].conn.broken)
            hc_close(&workers[i].conn);
        else
            send_next(&workers[i]);
    }
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    if (connected > 0)
        report(&run);
    for (long i = 0; i < o->connections; i++)
        kbuf_free(&workers[i].body);
    free(workers);
    free(run.data_b64);
    free(run.data);
    latency_free(&run.requests);
    return connected == o->connections && run.errors == 0 && run.failed == 0 ? 0 : 1;
}
