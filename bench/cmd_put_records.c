/* cmd_put_records.c - PutRecords throughput: --connections keep-alive connections, each sending
 * batches of --batch records of --record-bytes as soon as its previous batch is answered, until
 * --records are written or --max-seconds have passed, in JSON 1.1 or (--protocol cbor) CBOR 1.1.
 * Over HTTP/1.1, or (--http 2) over h2c with --streams batches in flight on each connection: the
 * batches are the same, only the sending differs (send_body). Figures: records/s, MB/s of record
 * data, and request latency p50/p99. */
#include <stdbool.h>
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
    int64_t start_ns;    /* when the first batches went out */
    latency requests;    /* send to answer of each request answered */
} put_run;

/* One connection of the run: HTTP/1.1 (one request at a time) or h2c (--streams at a time). */
typedef struct put_link {
    hc_conn http1;     /* --http 1 */
    h2_conn h2;        /* --http 2 */
    long workers_left; /* workers still sending on it; it is closed when none is */
} put_link;

/* One request in flight at a time: a connection's own with HTTP/1.1, a stream with h2c. */
typedef struct put_worker {
    put_run *run;
    put_link *link;  /* the connection it sends on (shared by --streams workers over h2c) */
    kbuf body;       /* its batch in flight; h2c reads it until the answer */
    int64_t sent_ns; /* when that batch was sent */
} put_worker;

static bool link_broken(const put_run *run, const put_link *link)
{
    return run->o->http == 2 ? link->h2.broken : link->http1.broken;
}

static void link_close(const put_run *run, put_link *link)
{
    if (run->o->http == 2)
        h2_close(&link->h2);
    else
        hc_close(&link->http1);
}

/* The worker stops; the last one on its connection closes it. */
static void worker_done(put_worker *w)
{
    if (--w->link->workers_left == 0)
        link_close(w->run, w->link);
}

/* Counts one answer into the run. */
static void count_answer(put_run *run, int status, const char *body, size_t len)
{
    long long failed = 0;
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
}

/* Hands the worker its next batch and sends it; stops the worker when the run is over. */
static void send_next(put_worker *w);

static void on_answer(void *user, int status, const char *body, size_t len)
{
    put_worker *w = user;
    if (status > 0)
        latency_add(&w->run->requests, clock_mono_ns() - w->sent_ns);
    count_answer(w->run, status, body, len);
    if (status < 0)
        worker_done(w);
    else
        send_next(w);
}

static void on_http1_answer(hc_conn *c, int status, const char *body, size_t len)
{
    on_answer(c->user, status, body, len);
}

/* Sends the worker's body over its connection. */
static void send_body(put_worker *w)
{
    const bench_options *o = w->run->o;
    const char *type = o->cbor ? "application/x-amz-cbor-1.1" : "application/x-amz-json-1.1";
    if (o->http == 2) {
        kinesis_post_h2(&w->link->h2, &o->endpoint, "PutRecords", type, &w->body, on_answer, w);
        return;
    }
    kinesis_request_as(&w->link->http1, &o->endpoint, "PutRecords", type, &w->body);
    w->link->http1.user = w;
    hc_send(&w->link->http1, on_http1_answer);
}

static void send_next(put_worker *w)
{
    put_run *run = w->run;
    const bench_options *o = run->o;
    long count = o->records - run->next_key;
    if (count > o->batch)
        count = o->batch;
    if (count <= 0 || seconds_since(run->start_ns) >= (double)o->max_seconds || run->errors > 100) {
        worker_done(w);
        return;
    }
    if (o->cbor)
        body_put_records_cbor(&w->body, o->stream, run->data, (size_t)o->record_bytes,
                              run->next_key, count);
    else
        body_put_records(&w->body, o->stream, run->data_b64, run->next_key, count);
    run->next_key += count;
    w->sent_ns = clock_mono_ns();
    send_body(w);
}

static void report(put_run *run)
{
    const bench_options *o = run->o;
    double seconds = seconds_since(run->start_ns);
    printf("putrecords%s%s conns=%ld", o->http == 2 ? "-h2c" : "", o->cbor ? "-cbor" : "",
           o->connections);
    if (o->http == 2)
        printf(" streams=%ld", o->streams);
    printf(" batch=%ld record_bytes=%ld records=%ld failed=%ld errors=%ld seconds=%.2f "
           "records/s=%.0f MB/s=%.1f p50_ms=%.2f p99_ms=%.2f\n",
           o->batch, o->record_bytes, run->written, run->failed, run->errors, seconds,
           (double)run->written / seconds,
           (double)run->written * (double)o->record_bytes / seconds / 1e6,
           latency_percentile_ms(&run->requests, 50), latency_percentile_ms(&run->requests, 99));
}

/* Connects every link; returns how many are up (the others are closed). */
static long connect_links(put_run *run, put_link *links)
{
    const bench_options *o = run->o;
    long connected = 0;
    for (long i = 0; i < o->connections; i++) {
        int rc = o->http == 2 ? kinesis_connect_h2(&links[i].h2, &o->endpoint)
                              : kinesis_connect(&links[i].http1, &o->endpoint);
        links[i].workers_left = o->streams;
        if (rc == 0)
            connected++;
        else
            link_close(run, &links[i]);
    }
    return connected;
}

int cmd_put_records(const bench_options *o)
{
    put_run run = {.o = o, .requests = LATENCY_INIT};
    run.data_b64 = body_random_data((size_t)o->record_bytes);
    run.data = body_random_bytes((size_t)o->record_bytes);
    long worker_count = o->connections * o->streams;
    put_link *links = calloc((size_t)o->connections, sizeof(*links));
    put_worker *workers = calloc((size_t)worker_count, sizeof(*workers));
    if (!links || !workers)
        abort();
    long connected = connect_links(&run, links);
    run.start_ns = clock_mono_ns();
    for (long i = 0; i < worker_count; i++) {
        workers[i] = (put_worker){.run = &run, .link = &links[i / o->streams]};
        if (!link_broken(&run, workers[i].link))
            send_next(&workers[i]);
    }
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    if (connected > 0)
        report(&run);
    for (long i = 0; i < worker_count; i++)
        kbuf_free(&workers[i].body);
    free(workers);
    free(links);
    free(run.data_b64);
    free(run.data);
    latency_free(&run.requests);
    return connected == o->connections && run.errors == 0 && run.failed == 0 ? 0 : 1;
}
