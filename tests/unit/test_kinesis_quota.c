/* test_kinesis_quota.c - the throughput quotas (quota.c) against an explicit clock: a shard's
 * write rate and burst, PutRecords' admitted prefix, an on-demand stream's capacity doubling once
 * its peak is 15 minutes old, the read calls and the read debt after a large read,
 * GetShardIterator, the SubscribeToShard pace, the control-plane rates and their messages, and
 * nothing at all when the quotas are off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/config.h"
#include "kinesis/quota.h"
#include "protocol/decode.h"
#include "protocol/model.h"

#define SECOND_NS 1000000000LL
#define MS_NS 1000000LL
#define T0 (1000 * SECOND_NS) /* an arbitrary monotonic time */

static log_record_in recs[5000];

static int setup(void **state)
{
    (void)state;
    kinesd_cfg.throughput_limits = true;
    for (size_t i = 0; i < sizeof recs / sizeof *recs; i++)
        recs[i] = (log_record_in){"k", 1, "x", 9}; /* 10 bytes each */
    quota_reset_calls();
    return 0;
}

static size_t write_shard(shard_quota *q, size_t n, size_t data_len, int64_t now)
{
    for (size_t i = 0; i < n; i++)
        recs[i].data_len = data_len;
    return quota_admit_writes(q, NULL, false, recs, n, now);
}

static void test_shard_records_rate_and_burst(void **state)
{
    (void)state;
    shard_quota *q = shard_quota_new();
    assert_int_equal(write_shard(q, 1500, 9, T0), 1000); /* one second's worth at once */
    assert_int_equal(write_shard(q, 100, 9, T0), 0);
    assert_int_equal(write_shard(q, 1000, 9, T0 + 500 * MS_NS), 500);
    assert_int_equal(write_shard(q, 1000, 9, T0 + 10 * SECOND_NS), 1000); /* no more than a burst */
    shard_quota_free(q);
}

static void test_shard_bytes_rate(void **state)
{
    (void)state;
    shard_quota *q = shard_quota_new();
    /* 100 KiB records (with their 1-byte key): about ten a second */
    size_t first = write_shard(q, 40, 100 * 1024 - 1, T0);
    assert_in_range(first, 10, 11);
    assert_int_equal(write_shard(q, 40, 100 * 1024 - 1, T0), 0);
    assert_in_range(write_shard(q, 40, 100 * 1024 - 1, T0 + 500 * MS_NS), 4, 6);
    /* idle for long: one second's burst again, not more */
    assert_in_range(write_shard(q, 40, 100 * 1024 - 1, T0 + 30 * SECOND_NS), 10, 11);
    /* a record larger than the burst still goes in on an idle shard */
    assert_int_equal(write_shard(q, 1, 1024 * 1024, T0 + 60 * SECOND_NS), 1);
    shard_quota_free(q);
}

static void test_off_admits_everything(void **state)
{
    (void)state;
    kinesd_cfg.throughput_limits = false;
    shard_quota *q = shard_quota_new();
    assert_int_equal(write_shard(q, 5000, 9, T0), 5000);
    for (int i = 0; i < 100; i++)
        assert_true(quota_admit_read(q, T0));
    quota_charge_read(q, 100 << 20, T0);
    assert_true(quota_admit_read(q, T0));
    assert_true(quota_admit_iterator(q, T0));
    rate_gate pace = {0};
    quota_push_charge(&pace, 100 << 20, T0);
    assert_true(quota_push_open(&pace, T0));
    assert_int_equal(q->throttled_reads, 0);
    shard_quota_free(q);
    kinesd_cfg.throughput_limits = true;
}

/* An on-demand stream offered `per_second` records every second for `seconds` from `start`;
 * returns how many it took in the last second. */
static size_t offer_on_demand(stream_quota *q, size_t per_second, int seconds, int64_t start)
{
    size_t taken = 0;
    for (int s = 0; s < seconds; s++)
        for (int tenth = 0; tenth < 10; tenth++) {
            int64_t now = start + s * SECOND_NS + tenth * 100 * MS_NS;
            size_t got = quota_admit_writes(NULL, q, true, recs, per_second / 10, now);
            taken = tenth == 0 ? got : taken + got;
        }
    return taken;
}

static void test_on_demand_capacity_doubles_after_15_minutes(void **state)
{
    (void)state;
    stream_quota *q = stream_quota_new();
    /* 4,000 records a second to start: 8,000 offered, about half taken */
    size_t taken = offer_on_demand(q, 8000, 2, T0);
    assert_in_range(taken, 3900, 4100);
    /* 4,000 a second for 16 minutes: that peak, 15 minutes old, doubles the capacity */
    offer_on_demand(q, 4000, 16 * 60, T0 + 2 * SECOND_NS);
    taken = offer_on_demand(q, 8000, 2, T0 + (2 + 16 * 60) * SECOND_NS);
    assert_in_range(taken, 7800, 8000);
    stream_quota_free(q);
}

static void test_reads_calls_and_debt(void **state)
{
    (void)state;
    shard_quota *q = shard_quota_new();
    for (int i = 0; i < 5; i++)
        assert_true(quota_admit_read(q, T0));
    assert_false(quota_admit_read(q, T0)); /* five a second */
    assert_int_equal(q->throttled_reads, 1);
    assert_true(quota_admit_read(q, T0 + SECOND_NS));
    quota_charge_read(q, 10 << 20, T0 + SECOND_NS); /* 10 MiB: 5 s at 2 MiB/s */
    assert_false(quota_admit_read(q, T0 + 5900 * MS_NS));
    assert_true(quota_admit_read(q, T0 + 6001 * MS_NS));
    for (int i = 0; i < 5; i++)
        assert_true(quota_admit_iterator(q, T0));
    assert_false(quota_admit_iterator(q, T0));
    assert_int_equal(q->throttled_iterators, 1);
    shard_quota_free(q);
}

static void test_subscription_pace(void **state)
{
    (void)state;
    rate_gate pace = {0};
    assert_true(quota_push_open(&pace, T0));
    quota_push_charge(&pace, 1 << 20, T0); /* 1 MiB: half a second */
    assert_false(quota_push_open(&pace, T0 + 400 * MS_NS));
    assert_true(quota_push_open(&pace, T0 + 501 * MS_NS));
}

/* Calls the control-plane admission for operation with a JSON input at now. */
static bool admit(const char *operation, const char *body, int64_t now, char *message)
{
    arena a;
    arena_init(&a);
    aws_error err;
    aws_error_init(&err);
    const model_op *op = model_find_op(model_get(MODEL_KINESIS), operation);
    kval *in = decode_json(op, body, strlen(body), &a, &err);
    assert_non_null(in);
    op_call call = {.operation = operation,
                    .account = "123456789012",
                    .region = "us-east-1",
                    .input = in,
                    .arena = &a,
                    .err = &err};
    bool ok = quota_admit_call_at(&call, now);
    if (!ok) {
        assert_string_equal(err.type, "LimitExceededException");
        assert_int_equal(err.status, 400);
        snprintf(message, 256, "%s", err.message.data);
    }
    aws_error_free(&err);
    arena_free(&a);
    return ok;
}

static void test_control_plane_rates(void **state)
{
    (void)state;
    char message[256];
    assert_true(admit("DescribeLimits", "{}", T0, message));
    assert_false(admit("DescribeLimits", "{}", T0, message));
    assert_string_equal(message, "Rate exceeded for account 123456789012.");
    assert_true(admit("DescribeLimits", "{}", T0 + SECOND_NS, message));
    for (int i = 0; i < 10; i++)
        assert_true(admit("DescribeStream", "{\"StreamName\":\"a\"}", T0, message));
    /* per account: another stream shares the rate; the message names the stream */
    assert_false(admit("DescribeStream", "{\"StreamName\":\"b\"}", T0, message));
    assert_string_equal(message, "Rate exceeded for stream b under account 123456789012.");
    /* per stream: each stream has its own */
    for (int i = 0; i < 5; i++)
        assert_true(admit("ListStreamConsumers",
                          "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:123456789012:stream/c\"}", T0,
                          message));
    assert_false(admit("ListStreamConsumers",
                       "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:123456789012:stream/c\"}", T0,
                       message));
    assert_true(admit("ListStreamConsumers",
                      "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:123456789012:stream/d\"}", T0,
                      message));
    /* the data plane is not rated here */
    for (int i = 0; i < 100; i++)
        assert_true(admit("PutRecord",
                          "{\"StreamName\":\"a\",\"Data\":\"eA==\",\"PartitionKey\":\"k\"}", T0,
                          message));
    assert_true(quota_refused_calls() >= 3);
}

static void test_control_plane_table_forgets_idle_gates(void **state)
{
    (void)state;
    char message[256], body[128];
    /* more streams than the table has slots: idle gates are dropped, busy ones kept */
    for (int i = 0; i < 6000; i++) {
        snprintf(body, sizeof body, "{\"StreamName\":\"s%d\"}", i);
        assert_true(admit("ListShards", body, T0 + i * 10 * MS_NS, message));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_shard_records_rate_and_burst, setup),
        cmocka_unit_test_setup(test_shard_bytes_rate, setup),
        cmocka_unit_test_setup(test_off_admits_everything, setup),
        cmocka_unit_test_setup(test_on_demand_capacity_doubles_after_15_minutes, setup),
        cmocka_unit_test_setup(test_reads_calls_and_debt, setup),
        cmocka_unit_test_setup(test_subscription_pace, setup),
        cmocka_unit_test_setup(test_control_plane_rates, setup),
        cmocka_unit_test_setup(test_control_plane_table_forgets_idle_gates, setup),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    quota_reset_calls();
    return rc;
}
