/* test_kinesis_sub_claims.c - one SubscribeToShard per consumer and shard every 5 seconds: refusal
 * within the interval, takeover after it, and claims of other shards and consumers apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "kinesis/sub_claims.h"

static const char arn_a[] = "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/a:1";
static const char arn_b[] = "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/b:1";

static void test_refused_within_interval(void **state)
{
    (void)state;
    sub_claim *first = sub_claim_take(arn_a, 0, 1000);
    assert_non_null(first);
    assert_null(sub_claim_take(arn_a, 0, 1000 + SUBSCRIBE_RETRY_MS - 1));
    sub_claim_release(first); /* a subscription that ended still counts */
    assert_null(sub_claim_take(arn_a, 0, 1000 + SUBSCRIBE_RETRY_MS - 1));
    sub_claim *later = sub_claim_take(arn_a, 0, 1000 + SUBSCRIBE_RETRY_MS);
    assert_non_null(later);
    sub_claim_release(later);
}

static void test_takeover_supersedes(void **state)
{
    (void)state;
    int64_t t = 100000;
    sub_claim *first = sub_claim_take(arn_a, 1, t);
    assert_non_null(first);
    assert_false(sub_claim_superseded(first));
    sub_claim *second = sub_claim_take(arn_a, 1, t + SUBSCRIBE_RETRY_MS);
    assert_non_null(second);
    assert_true(sub_claim_superseded(first));
    assert_false(sub_claim_superseded(second));
    sub_claim_release(first);
    sub_claim_release(second);
}

static void test_other_shards_and_consumers_apart(void **state)
{
    (void)state;
    int64_t t = 200000;
    sub_claim *a0 = sub_claim_take(arn_a, 5, t);
    sub_claim *a1 = sub_claim_take(arn_a, 6, t);
    sub_claim *b0 = sub_claim_take(arn_b, 5, t);
    assert_non_null(a0);
    assert_non_null(a1);
    assert_non_null(b0);
    sub_claim_release(a0);
    sub_claim_release(a1);
    sub_claim_release(b0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_within_interval),
        cmocka_unit_test(test_takeover_supersedes),
        cmocka_unit_test(test_other_shards_and_consumers_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
