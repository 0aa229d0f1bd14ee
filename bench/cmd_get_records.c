/* cmd_get_records.c - GetRecords throughput: reads every shard of --stream from TRIM_HORIZON to
 * its end, --limit records per call, following NextShardIterator, and checks that the number of
 * records read equals --expect. A shard ends at an empty answer that is not behind the tip (or
 * at a closed shard's missing NextShardIterator). Figures: records/s and MB/s of record data. */
#include <stdio.h>

#include "bodies.h"
#include "commands.h"
#include "json_scan.h"
#include "shards.h"

typedef struct read_totals {
    long records;
    long calls;
    double data_bytes; /* decoded record data */
} read_totals;

/* Bytes of data a base64 text of this length decodes to (padding ignored: off by < 3). */
static size_t decoded_len(size_t b64_len)
{
    return b64_len / 4 * 3;
}

/* Counts one GetRecords answer into t, one record per "Data" member, in one pass over the
 * records; *after is where they end (the iterator and the lag follow them). Returns its record
 * count. */
static long count_answer(const char *s, size_t n, read_totals *t, size_t *after)
{
    long records = 0;
    size_t len;
    const char *data;
    while (json_next_string(s, n, "Data", after, &data, &len)) {
        t->data_bytes += (double)decoded_len(len);
        records++;
    }
    t->records += records;
    t->calls++;
    return records;
}

/* Reads one shard to its end (or the deadline). Returns 0, or -1 with the failure printed. */
static int read_shard(hc_conn *c, const bench_options *o, const char *shard_id, int64_t start,
                      read_totals *t)
{
    kbuf iterator = KBUF_INIT, body = KBUF_INIT;
    int rc = shards_iterator(c, &o->endpoint, o->stream, shard_id, "TRIM_HORIZON", &iterator);
    while (rc == 0 && seconds_since(start) < (double)o->max_seconds) {
        body_get_records(&body, iterator.data, iterator.len, o->limit);
        int status = kinesis_call(c, &o->endpoint, "GetRecords", &body);
        const char *s = hc_body(c);
        size_t n = hc_body_len(c), pos = 0, len;
        if (status != 200) {
            kinesis_report_failure("GetRecords", status, s, n);
            rc = -1;
            break;
        }
        long records = count_answer(s, n, t, &pos);
        long long behind = 0;
        json_integer(s + pos, n - pos, "MillisBehindLatest", &behind);
        const char *next;
        bool has_next = json_next_string(s, n, "NextShardIterator", &pos, &next, &len);
        if ((records == 0 && behind == 0) || !has_next)
            break;
        kbuf_reset(&iterator);
        kbuf_append(&iterator, next, len);
    }
    kbuf_free(&iterator);
    kbuf_free(&body);
    return rc;
}

static void report(const bench_options *o, size_t shards, const read_totals *t, double seconds)
{
    const char *verified = o->expect < 0 ? "unchecked" : t->records == o->expect ? "yes" : "NO";
    printf("getrecords shards=%zu limit=%ld records=%ld expected=%ld verified=%s calls=%ld "
           "seconds=%.2f records/s=%.0f MB/s=%.1f\n",
           shards, o->limit, t->records, o->expect, verified, t->calls, seconds,
           (double)t->records / seconds, t->data_bytes / seconds / 1e6);
}

int cmd_get_records(const bench_options *o)
{
    hc_conn c;
    shard_list shards = {NULL, 0};
    read_totals totals = {0, 0, 0};
    int rc = -1;
    if (kinesis_connect(&c, &o->endpoint) == 0 &&
        shards_list(&c, &o->endpoint, o->stream, &shards) == 0) {
        int64_t start = clock_mono_ns();
        rc = 0;
        for (size_t i = 0; i < shards.count && rc == 0; i++)
            rc = read_shard(&c, o, shards.ids[i], start, &totals);
        report(o, shards.count, &totals, seconds_since(start));
    }
    shards_free(&shards);
    hc_close(&c);
    uv_run(uv_default_loop(), UV_RUN_NOWAIT);
    bool verified = o->expect < 0 || totals.records == o->expect;
    return rc == 0 && verified ? 0 : 1;
}
