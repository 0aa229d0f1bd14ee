/* test_monitoring_history.c - the collector and the history: what threads record is written as
 * one-second and one-minute points, read back in periods with the right statistics and
 * percentiles, survives closing and reopening, merges with samples dated in the past
 * (PutMetricData), is pruned by age and by size; and GET /metrics shows the totals in Prometheus'
 * format. The clock is passed in, so nothing here waits. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "monitoring/collect.h"
#include "monitoring/monitoring.h"
#include "monitoring/query.h"
#include "monitoring/stats.h"

#define T0_MS 1800000000000LL /* a minute boundary */
#define MAX_BYTES (64LL << 20)

static char dir[64], path[96];
static history *h;

static const metric_dim stream_dim = {"StreamName", "orders"};
static const metric_scope stream_scope = {"000000000000", "us-east-1", "AWS/Kinesis", &stream_dim,
                                          1};

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/kinesd-metrics-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/metrics.sqlite", dir);
    assert_non_null(h = history_open(path, MAX_BYTES));
    metrics_set_enabled(true);
    collector_start(h, T0_MS);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    collector_finish(T0_MS);
    history_close(h);
    metrics_reset();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* The periods of a query, summed up. */
typedef struct seen {
    int periods;
    int64_t first_t;
    stat_acc acc;
    double p50;
} seen;

static void note(const period_point *p, void *arg)
{
    seen *s = arg;
    if (!s->periods++)
        s->first_t = p->t;
    acc_merge(&s->acc, &p->acc);
    stat_spec median = {STAT_PERCENTILE, 50};
    if (!stat_value(&median, &p->acc, p->hist, p->whole, &s->p50))
        s->p50 = NAN;
}

static seen query(const char *name, int64_t from_s, int64_t to_s, int64_t period)
{
    seen s = {0};
    series *sr = series_find(&stream_scope, name);
    assert_non_null(sr);
    assert_int_equal(query_periods(h, sr, from_s, to_s, period, note, &s), 0);
    return s;
}

static void record_second(int64_t second_ms, int records)
{
    for (int i = 1; i <= records; i++)
        metric_add(&stream_scope, "IncomingRecords", METRIC_COUNTER, i, UNIT_COUNT);
    collector_tick(second_ms + 1000); /* the next second began: this one is written */
}

static void test_seconds_and_minutes(void **state)
{
    (void)state;
    record_second(T0_MS, 3);         /* 1 + 2 + 3 */
    record_second(T0_MS + 1000, 4);  /* 1 + 2 + 3 + 4 */
    record_second(T0_MS + 61000, 1); /* the next minute */
    int64_t t0 = T0_MS / 1000;
    seen s = query("IncomingRecords", t0, t0 + 120, 60);
    assert_int_equal(s.periods, 2);
    assert_true(s.acc.count == 8 && s.acc.sum == 17 && s.acc.min == 1 && s.acc.max == 4);
    s = query("IncomingRecords", t0, t0 + 60, 1);
    assert_int_equal(s.periods, 2);
    assert_true(s.acc.sum == 16);
    s = query("IncomingRecords", t0 + 1, t0 + 2, 1);
    assert_int_equal(s.periods, 1);
    assert_true(s.first_t == t0 + 1 && s.acc.sum == 10 && s.p50 >= 2 && s.p50 <= 3);
    s = query("IncomingRecords", t0 + 30, t0 + 90, 60); /* starts at the minute */
    assert_int_equal(s.periods, 2);
    assert_true(s.first_t == t0 && s.acc.sum == 17);
}

static void test_history_survives_reopening(void **state)
{
    (void)state;
    record_second(T0_MS, 5);
    collector_finish(T0_MS + 1500);
    history_close(h);
    metrics_reset();
    assert_non_null(h = history_open(path, MAX_BYTES));
    assert_int_equal(history_load_series(h), 0);
    collector_start(h, T0_MS + 2000);
    record_second(T0_MS + 2000, 1); /* same row as before the restart */
    seen s = query("IncomingRecords", T0_MS / 1000, T0_MS / 1000 + 60, 60);
    assert_true(s.acc.count == 6 && s.acc.sum == 16);
    assert_true(series_find(&stream_scope, "IncomingRecords")->last_ms > 0);
}

static void test_samples_put_in_the_past_merge(void **state)
{
    (void)state;
    series *s = series_get(&stream_scope, "Custom", series_hash(&stream_scope, "Custom"),
                           METRIC_HISTOGRAM, UNIT_MILLISECONDS);
    double *hist = hist_new();
    stat_acc acc = {0};
    for (int v = 1; v <= 100; v++) {
        acc_add(&acc, v, 1);
        hist[hist_bucket(v)]++;
    }
    assert_int_equal(history_begin(h), 0);
    assert_int_equal(collector_put(s, T0_MS - 600000, &acc, hist, T0_MS), 0);
    assert_int_equal(collector_put(s, T0_MS - 599000, &acc, NULL, T0_MS), 0); /* no histogram */
    assert_int_equal(history_commit(h), 0);
    int64_t minute = T0_MS / 1000 - 600;
    seen got = query("Custom", minute, minute + 60, 60);
    assert_true(got.acc.count == 200 && got.acc.sum == 10100);
    assert_true(isnan(got.p50)); /* half the samples came without their values */
    got = query("Custom", minute, minute + 1, 1);
    assert_true(got.acc.count == 100 && fabs(got.p50 - 50) <= 4);
    free(hist);
}

static void test_pruning(void **state)
{
    (void)state;
    record_second(T0_MS, 1);
    int64_t t0 = T0_MS / 1000;
    history_prune(h, t0 + HISTORY_SECONDS_KEPT + 10);
    assert_int_equal(query("IncomingRecords", t0, t0 + 60, 1).periods, 0);
    assert_int_equal(query("IncomingRecords", t0, t0 + 60, 60).periods, 1);
    history_prune(h, t0 + HISTORY_MINUTES_KEPT + 60);
    assert_int_equal(query("IncomingRecords", t0, t0 + 60, 60).periods, 0);
}

static void test_size_bound(void **state)
{
    (void)state;
    history_close(h);
    assert_non_null(h = history_open(path, 64 * 1024));
    collector_start(h, T0_MS);
    for (int m = 0; m < 200; m++) {
        for (int d = 0; d < 10; d++) {
            char name[16];
            snprintf(name, sizeof name, "M%d", d);
            metric_add(&stream_scope, name, METRIC_COUNTER, m, UNIT_COUNT);
        }
        collector_tick(T0_MS + m * 60000LL + 1000);
    }
    history_prune(h, T0_MS / 1000 + 200 * 60);
    seen s = query("M0", T0_MS / 1000, T0_MS / 1000 + 200 * 60, 60);
    assert_true(s.periods > 0 && s.periods < 200); /* the oldest went */
    assert_true(s.first_t > T0_MS / 1000);
}

static void test_prometheus_text(void **state)
{
    (void)state;
    metric_dim op[] = {{"Service", "kinesis"}, {"Operation", "PutRecords"}};
    metric_scope health = {NULL, NULL, MONITORING_NAMESPACE, op, 2};
    metric_add(&stream_scope, "IncomingRecords", METRIC_COUNTER, 500, UNIT_COUNT);
    metric_add(&stream_scope, "IncomingRecords", METRIC_COUNTER, 250, UNIT_COUNT);
    metric_add(&stream_scope, "GetRecords.IteratorAgeMilliseconds", METRIC_GAUGE, 1500,
               UNIT_MILLISECONDS);
    metric_add(&health, "RequestLatency", METRIC_HISTOGRAM, 3, UNIT_MILLISECONDS);
    metric_add(&health, "RequestLatency", METRIC_HISTOGRAM, 0.5, UNIT_MILLISECONDS);
    metric_scope custom = {"000000000000", "us-east-1", "My App", NULL, 0};
    metric_add(&custom, "Queue\"Depth", METRIC_GAUGE, 7, UNIT_NONE);
    collector_tick(T0_MS + 1000);
    kbuf out = KBUF_INIT;
    prometheus_write(&out);
    const char *expected[] = {
        "# TYPE kinesd_incoming_records_total counter\n",
        "kinesd_incoming_records_total{account=\"000000000000\",region=\"us-east-1\","
        "stream=\"orders\"} 750\n",
        "# TYPE kinesd_get_records_iterator_age_seconds gauge\n",
        "kinesd_get_records_iterator_age_seconds{account=\"000000000000\",region=\"us-east-1\","
        "stream=\"orders\"} 1.5\n",
        "# TYPE kinesd_request_latency_seconds histogram\n",
        "kinesd_request_latency_seconds_bucket{operation=\"PutRecords\",service=\"kinesis\","
        "le=\"0.001\"} 1\n",
        "kinesd_request_latency_seconds_bucket{operation=\"PutRecords\",service=\"kinesis\","
        "le=\"0.004\"} 2\n",
        "kinesd_request_latency_seconds_bucket{operation=\"PutRecords\",service=\"kinesis\","
        "le=\"+Inf\"} 2\n",
        "kinesd_request_latency_seconds_sum{operation=\"PutRecords\",service=\"kinesis\"} 0.0035\n",
        "kinesd_request_latency_seconds_count{operation=\"PutRecords\",service=\"kinesis\"} 2\n",
        "kinesd_custom_queue_depth{account=\"000000000000\",region=\"us-east-1\","
        "namespace=\"My App\"} 7\n",
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        if (!strstr(out.data, expected[i]))
            fail_msg("missing %s in:\n%s", expected[i], out.data);
    kbuf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_seconds_and_minutes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_survives_reopening, setup, teardown),
        cmocka_unit_test_setup_teardown(test_samples_put_in_the_past_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pruning, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prometheus_text, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
