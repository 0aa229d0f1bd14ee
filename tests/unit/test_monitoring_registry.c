/* test_monitoring_registry.c - the metrics registry: a metric is one series whatever the order of
 * its dimensions, owners and names tell series apart, samples from several threads recorded while
 * the collector drains are all counted exactly once (run it under ASan and TSan), the tables of
 * threads that exited are drained and freed, nothing is recorded while metrics are off; and the
 * cost of recording, printed (never asserted). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "common/clock.h"
#include "monitoring/series.h"

#define THREADS 4
#define ADDS 20000
#define STREAMS 5

typedef struct drained {
    double count, sum;
    double hist_count;
} drained;

static void sum_drained(series *s, const stat_acc *acc, const uint32_t *hist, void *arg)
{
    drained *d = arg;
    (void)s;
    d->count += acc->count;
    d->sum += acc->sum;
    for (int b = 0; b < HIST_BUCKETS; b++)
        d->hist_count += hist[b];
}

static int reset(void **state)
{
    (void)state;
    metrics_set_enabled(true);
    metrics_reset();
    return 0;
}

static void test_dimension_order_does_not_matter(void **state)
{
    (void)state;
    metric_dim ab[] = {{"StreamName", "s"}, {"ShardId", "shardId-000000000001"}};
    metric_dim ba[] = {{"ShardId", "shardId-000000000001"}, {"StreamName", "s"}};
    metric_scope one = {"000000000000", "us-east-1", "AWS/Kinesis", ab, 2};
    metric_scope two = {"000000000000", "us-east-1", "AWS/Kinesis", ba, 2};
    metric_add(&one, "IncomingRecords", METRIC_COUNTER, 3, UNIT_COUNT);
    metric_add(&two, "IncomingRecords", METRIC_COUNTER, 4, UNIT_COUNT);
    series *s = series_find(&one, "IncomingRecords");
    assert_non_null(s);
    assert_ptr_equal(series_find(&two, "IncomingRecords"), s);
    assert_string_equal(s->dims[0].name, "ShardId"); /* kept sorted */
    drained d = {0};
    metrics_drain(sum_drained, &d);
    assert_true(d.count == 2 && d.sum == 7 && d.hist_count == 2);
}

static void test_owners_and_names_are_separate(void **state)
{
    (void)state;
    metric_dim dim = {"StreamName", "s"};
    metric_scope mine = {"111111111111", "us-east-1", "AWS/Kinesis", &dim, 1};
    metric_scope theirs = {"222222222222", "us-east-1", "AWS/Kinesis", &dim, 1};
    metric_scope kinesd = {NULL, NULL, "AWS/Kinesis", &dim, 1};
    metric_add(&mine, "IncomingRecords", METRIC_COUNTER, 1, UNIT_COUNT);
    metric_add(&theirs, "IncomingRecords", METRIC_COUNTER, 1, UNIT_COUNT);
    metric_add(&kinesd, "IncomingRecords", METRIC_COUNTER, 1, UNIT_COUNT);
    metric_add(&mine, "IncomingBytes", METRIC_COUNTER, 1, UNIT_BYTES);
    int n = 0;
    for (series *s = series_newest(); s; s = s->older)
        n++;
    assert_int_equal(n, 4);
    assert_string_equal(series_find(&kinesd, "IncomingRecords")->account, "");
    assert_int_equal(series_find(&mine, "IncomingBytes")->unit, UNIT_BYTES);
    assert_null(series_find(&mine, "OutgoingBytes"));
}

static void test_nothing_is_recorded_when_off(void **state)
{
    (void)state;
    metric_scope scope = {NULL, NULL, "kinesd", NULL, 0};
    metrics_set_enabled(false);
    metric_add(&scope, "Requests", METRIC_COUNTER, 1, UNIT_COUNT);
    metrics_set_enabled(true);
    assert_null(series_newest());
    metric_dim too_many[METRIC_MAX_DIMS + 1];
    for (int i = 0; i <= METRIC_MAX_DIMS; i++)
        too_many[i] = (metric_dim){"D", "v"};
    scope.dims = too_many;
    scope.n_dims = METRIC_MAX_DIMS + 1;
    metric_add(&scope, "Requests", METRIC_COUNTER, 1, UNIT_COUNT);
    assert_null(series_newest());
}

static atomic_bool recording;

/* A loop thread's share of the load: ADDS samples over STREAMS streams, three metrics each. */
static void *record(void *arg)
{
    (void)arg;
    char names[STREAMS][8];
    for (int i = 0; i < STREAMS; i++)
        snprintf(names[i], sizeof names[i], "s%d", i);
    for (int i = 0; i < ADDS; i++) {
        metric_dim dim = {"StreamName", names[i % STREAMS]};
        metric_scope scope = {"000000000000", "us-east-1", "AWS/Kinesis", &dim, 1};
        metric_sample samples[] = {
            {"IncomingRecords", METRIC_COUNTER, 2, UNIT_COUNT},
            {"IncomingBytes", METRIC_COUNTER, 100, UNIT_BYTES},
            {"PutRecords.Latency", METRIC_HISTOGRAM, 1.5, UNIT_MILLISECONDS}};
        metric_add_all(&scope, samples, 3);
    }
    return NULL;
}

static void *collect(void *arg)
{
    drained *d = arg;
    while (atomic_load(&recording))
        metrics_drain(sum_drained, d);
    return NULL;
}

static void test_threads_and_the_collector(void **state)
{
    (void)state;
    pthread_t writers[THREADS], collector;
    drained d = {0};
    atomic_store(&recording, true);
    pthread_create(&collector, NULL, collect, &d);
    for (int i = 0; i < THREADS; i++)
        pthread_create(&writers[i], NULL, record, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(writers[i], NULL);
    atomic_store(&recording, false);
    pthread_join(collector, NULL);
    metrics_drain(sum_drained, &d); /* what is left, and the exited threads' tables are freed */
    double samples = 3.0 * THREADS * ADDS;
    assert_true(d.count == samples);
    assert_true(d.hist_count == samples);
    assert_true(d.sum == THREADS * ADDS * (2 + 100 + 1.5));
    int n = 0;
    for (series *s = series_newest(); s; s = s->older)
        n++;
    assert_int_equal(n, 3 * STREAMS);
}

/* What recording costs a PutRecords call (nine samples in one scope), on one thread. */
static void test_cost_of_recording(void **state)
{
    (void)state;
    metric_dim dim = {"StreamName", "bench-c8"};
    metric_scope scope = {"000000000000", "us-east-1", "AWS/Kinesis", &dim, 1};
    metric_sample samples[9];
    const char *names[] = {"PutRecords.Success",
                           "WriteProvisionedThroughputExceeded",
                           "PutRecords.TotalRecords",
                           "PutRecords.SuccessfulRecords",
                           "PutRecords.FailedRecords",
                           "PutRecords.ThrottledRecords",
                           "PutRecords.Bytes",
                           "IncomingRecords",
                           "IncomingBytes"};
    for (int i = 0; i < 9; i++)
        samples[i] = (metric_sample){names[i], METRIC_COUNTER, 500, UNIT_COUNT};
    int calls = 200000;
    metric_add_all(&scope, samples, 9);
    int64_t start = clock_mono_ns();
    for (int i = 0; i < calls; i++)
        metric_add_all(&scope, samples, 9);
    double ns = (double)(clock_mono_ns() - start) / calls;
    printf("  recording a PutRecords call (9 samples): %.0f ns; one sample: %.0f ns\n", ns, ns / 9);
    drained d = {0};
    metrics_drain(sum_drained, &d);
    assert_true(d.count == 9.0 * (calls + 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dimension_order_does_not_matter, reset, reset),
        cmocka_unit_test_setup_teardown(test_owners_and_names_are_separate, reset, reset),
        cmocka_unit_test_setup_teardown(test_nothing_is_recorded_when_off, reset, reset),
        cmocka_unit_test_setup_teardown(test_threads_and_the_collector, reset, reset),
        cmocka_unit_test_setup_teardown(test_cost_of_recording, reset, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
