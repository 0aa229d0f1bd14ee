/* test_monitoring_summary.c - the pieces the metrics registry computes with: the log-linear
 * histogram (buckets, percentiles, its encoding), sample summaries, statistic names, and how
 * queries cut time into periods. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "monitoring/query.h"
#include "monitoring/stats.h"
#include "monitoring/summary.h"

static void test_buckets_hold_their_values(void **state)
{
    (void)state;
    const double values[] = {1e-7, 0.001, 0.5, 1, 1.1, 2, 3.99, 100, 12345.678, 1e11};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        int b = hist_bucket(values[i]);
        assert_true(b > 0 && b < HIST_BUCKETS);
        assert_true(hist_bucket_low(b) <= values[i]);
        assert_true(values[i] < hist_bucket_high(b));
        assert_true(hist_bucket_high(b) / hist_bucket_low(b) <= 1.126); /* ~12 % wide at most */
    }
    assert_int_equal(hist_bucket(0), 0);
    assert_int_equal(hist_bucket(-5), 0);
    assert_int_equal(hist_bucket(NAN), 0);
    assert_int_equal(hist_bucket(1e-30), 1);
    assert_int_equal(hist_bucket(1e30), HIST_BUCKETS - 1);
    /* every power of two starts an octave: Prometheus' buckets are exact */
    assert_true(hist_bucket_low(hist_octave_bucket(24)) == 1.0);
    assert_int_equal(hist_bucket(1.0), hist_octave_bucket(24));
}

static void test_percentiles_are_close(void **state)
{
    (void)state;
    double *h = hist_new();
    stat_acc acc = {0};
    for (int v = 1; v <= 1000; v++) {
        acc_add(&acc, v, 1);
        h[hist_bucket(v)] += 1;
    }
    const double p[] = {10, 50, 90, 99};
    for (size_t i = 0; i < 4; i++) {
        double got = hist_percentile(h, acc.count, p[i], acc.min, acc.max);
        assert_true(fabs(got - p[i] * 10) <= 0.07 * p[i] * 10);
    }
    assert_true(hist_percentile(h, acc.count, 100, acc.min, acc.max) == 1000);
    assert_true(acc.sum == 500500 && acc.min == 1 && acc.max == 1000 && acc.last == 1000);
    free(h);
}

static void test_histogram_encoding_round_trips(void **state)
{
    (void)state;
    double *h = hist_new(), *back = hist_new(), added = 0;
    h[0] = 2;
    h[hist_bucket(3.5)] = 1.5;
    h[HIST_BUCKETS - 1] = 7;
    kbuf blob = KBUF_INIT;
    hist_encode(h, &blob);
    assert_int_equal(blob.len, 3 * 10);
    assert_true(hist_decode_add(blob.data, blob.len, back, &added));
    assert_memory_equal(h, back, HIST_BUCKETS * sizeof *h);
    assert_true(added == 10.5);
    assert_false(hist_decode_add(blob.data, blob.len - 1, back, NULL));
    kbuf_free(&blob);
    free(h);
    free(back);
}

static void test_summaries_merge(void **state)
{
    (void)state;
    stat_acc a = {0}, b = {0}, empty = {0};
    acc_add(&a, 5, 1);
    acc_add(&a, 3, 2);
    acc_add(&b, 10, 1);
    acc_merge(&a, &empty);
    acc_merge(&a, &b);
    assert_true(a.count == 4 && a.sum == 21 && a.min == 3 && a.max == 10 && a.last == 10);
}

static void test_statistic_names(void **state)
{
    (void)state;
    stat_spec s;
    assert_true(stat_parse("SampleCount", false, &s) && s.kind == STAT_SAMPLE_COUNT);
    assert_true(stat_parse("Maximum", true, &s) && s.kind == STAT_MAXIMUM);
    assert_true(stat_parse("p99", true, &s) && s.kind == STAT_PERCENTILE && s.p == 99);
    assert_true(stat_parse("p99.99", true, &s) && s.p == 99.99);
    assert_true(stat_parse("p100", true, &s) && s.p == 100);
    assert_false(stat_parse("p99", false, &s));
    const char *bad[] = {"p0", "p101", "p99.999", "p", "p9x", "p.5", "P50", "tm99", "sum", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(stat_parse(bad[i], true, &s));
    stat_acc acc = {4, 10, 1, 4, 2};
    double v;
    s = (stat_spec){STAT_AVERAGE, 0};
    assert_true(stat_value(&s, &acc, NULL, false, &v) && v == 2.5);
    s = (stat_spec){STAT_PERCENTILE, 50};
    assert_false(stat_value(&s, &acc, NULL, false, &v)); /* no histogram: no percentile */
    stat_acc none = {0};
    s = (stat_spec){STAT_SUM, 0};
    assert_false(stat_value(&s, &none, NULL, true, &v));
}

static void test_periods(void **state)
{
    (void)state;
    const int64_t valid[] = {1, 5, 10, 30, 60, 120, 3600, 86400};
    const int64_t invalid[] = {0, -60, 2, 15, 45, 61, 90};
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
        assert_true(query_period_valid(valid[i]));
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
        assert_false(query_period_valid(invalid[i]));
    assert_int_equal(query_start(1000, 60), 960);  /* rounded down to the minute */
    assert_int_equal(query_start(1000, 300), 960); /* also for longer periods */
    assert_int_equal(query_start(1007, 5), 1005);
    assert_int_equal(query_start(1007, 1), 1007);
    assert_int_equal(query_period_count(960, 1020, 60), 1);
    assert_int_equal(query_period_count(1000, 1021, 60), 2);
    assert_int_equal(query_period_count(0, 86400, 1), 86400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buckets_hold_their_values),
        cmocka_unit_test(test_percentiles_are_close),
        cmocka_unit_test(test_histogram_encoding_round_trips),
        cmocka_unit_test(test_summaries_merge),
        cmocka_unit_test(test_statistic_names),
        cmocka_unit_test(test_periods),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
