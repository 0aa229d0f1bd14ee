/* test_client_api_live.c - every libkines call added in src/client/ops_*.c, against a real
 * kinesd at $KINES_TEST_ENDPOINT (tests/integration/test_libkines_api.py starts one and runs
 * this); without that variable every test is skipped.
 *
 * `test_client_api_live consumer-expiry STREAM` is a step of the integration test instead: it
 * reads 3 records with a kines_consumer, says "READ 3", waits for a line on stdin (meanwhile the
 * test restarts kinesd with its clock 6 minutes ahead, so every iterator has expired), checks that
 * an old iterator is now refused, and reads on to 6 records: r0..r5, each exactly once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kines/consumer.h"
#include "kines/kines.h"

static kines_options options(void)
{
    return (kines_options){.endpoint_url = getenv("KINES_TEST_ENDPOINT"),
                           .region = "us-east-1",
                           .access_key_id = "AKIDEXAMPLE",
                           .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                           .max_attempts = 20,
                           .retry_budget_ms = 10000};
}

static kines_client *client;
static kines_error err;

#define OK(call) assert_int_equal((call), 0)

/* A new ACTIVE stream (shards 0: ON_DEMAND); returns its ARN (caller frees). */
static char *new_stream(const char *name, int shards)
{
    OK(kines_create_stream(client, name, shards, &err));
    OK(kines_wait_stream(client, name, false, 10000, &err));
    kines_stream s;
    OK(kines_describe_stream_summary(client, name, &s, &err));
    char *arn = strdup(s.arn);
    kines_stream_free(&s);
    return arn;
}

static bool contains(const char *const *items, size_t count, const char *wanted)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(items[i], wanted) == 0)
            return true;
    return false;
}

/* ---- paging --------------------------------------------------------------------------------- */

static void test_describe_stream_pages_by_arn(void **state)
{
    (void)state;
    char *arn = new_stream("api-pages", 3);
    kines_stream_ref ref = {.arn = arn};
    kines_stream s;
    OK(kines_describe_stream_summary_ref(client, &ref, &s, &err));
    assert_string_equal(s.name, "api-pages");
    assert_int_equal(s.open_shard_count, 3);
    kines_stream_free(&s);

    char last[64] = "";
    bool more = true;
    int pages = 0;
    while (more) {
        OK(kines_describe_stream_page(client, &ref, 1, last[0] ? last : NULL, &s, &more, &err));
        assert_int_equal(s.shard_count, 1);
        snprintf(last, sizeof last, "%s", s.shards[0].shard_id);
        kines_stream_free(&s);
        pages++;
    }
    assert_int_equal(pages, 3);
    assert_string_equal(last, "shardId-000000000002");
    free(arn);
}

static void test_list_shards_and_streams_pages(void **state)
{
    (void)state;
    kines_list_shards_request req = {.stream = {.name = "api-pages"}, .max_results = 2};
    kines_shard_page p;
    OK(kines_list_shards_page(client, &req, &p, &err));
    assert_int_equal(p.count, 2);
    assert_non_null(p.next_token);
    char *token = strdup(p.next_token);
    kines_shard_page_free(&p);
    req.next_token = token;
    OK(kines_list_shards_page(client, &req, &p, &err));
    assert_int_equal(p.count, 1);
    assert_string_equal(p.shards[0].shard_id, "shardId-000000000002");
    assert_null(p.next_token);
    kines_shard_page_free(&p);
    free(token);

    kines_list_shards_request after = {.stream = {.name = "api-pages"},
                                       .filter_type = "AFTER_SHARD_ID",
                                       .filter_shard_id = "shardId-000000000000"};
    OK(kines_list_shards_page(client, &after, &p, &err));
    assert_int_equal(p.count, 2);
    kines_shard_page_free(&p);

    free(new_stream("api-pages-2", 1));
    kines_stream_page sp;
    OK(kines_list_streams_page(client, 1, NULL, &sp, &err));
    assert_int_equal(sp.count, 1);
    assert_true(sp.has_more);
    assert_non_null(sp.next_token);
    token = strdup(sp.next_token);
    kines_stream_page_free(&sp);
    OK(kines_list_streams_page(client, 10, token, &sp, &err));
    assert_true(sp.count >= 1);
    assert_non_null(sp.streams[0].arn);
    assert_string_equal(sp.streams[0].status, "ACTIVE");
    kines_stream_page_free(&sp);
    free(token);
}

/* Polls until the stream is ACTIVE; returns its open shard count. */
static int open_shards(const char *name)
{
    OK(kines_wait_stream(client, name, false, 10000, &err));
    kines_stream s;
    OK(kines_describe_stream_summary(client, name, &s, &err));
    int open = s.open_shard_count;
    kines_stream_free(&s);
    return open;
}

static void test_stream_calls_by_arn(void **state)
{
    (void)state;
    char *arn = new_stream("api-by-arn", 1);
    kines_stream_ref ref = {.arn = arn};
    kines_stream s;
    OK(kines_increase_retention_ref(client, &ref, 48, &err));
    OK(kines_describe_stream_summary_ref(client, &ref, &s, &err));
    assert_int_equal(s.retention_hours, 48);
    kines_stream_free(&s);
    OK(kines_decrease_retention_ref(client, &ref, 24, &err));

    OK(kines_split_shard_ref(client, &ref, "shardId-000000000000",
                             "170141183460469231731687303715884105728", &err));
    assert_int_equal(open_shards("api-by-arn"), 2);
    OK(kines_merge_shards_ref(client, &ref, "shardId-000000000001", "shardId-000000000002", &err));
    assert_int_equal(open_shards("api-by-arn"), 1);
    OK(kines_update_shard_count_ref(client, &ref, 2, &err));
    assert_int_equal(open_shards("api-by-arn"), 2);
    OK(kines_delete_stream_ref(client, &ref, &err));
    OK(kines_wait_stream(client, "api-by-arn", true, 10000, &err));
    free(arn);
}

/* ---- stream features ------------------------------------------------------------------------ */

static void test_monitoring_encryption_record_size(void **state)
{
    (void)state;
    char *arn = new_stream("api-features", 1);
    kines_stream_ref by_name = {.name = "api-features"}, by_arn = {.arn = arn};
    const char *metrics[] = {"IncomingBytes", "OutgoingRecords"};
    kines_monitoring m;
    OK(kines_enable_enhanced_monitoring(client, &by_name, metrics, 2, &m, &err));
    assert_string_equal(m.stream_name, "api-features");
    assert_true(contains(m.desired, m.desired_count, "IncomingBytes"));
    assert_true(contains(m.desired, m.desired_count, "OutgoingRecords"));
    kines_monitoring_free(&m);
    OK(kines_disable_enhanced_monitoring(client, &by_arn, metrics, 1, &m, &err));
    assert_int_equal(m.desired_count, 1);
    assert_string_equal(m.desired[0], "OutgoingRecords");
    kines_monitoring_free(&m);
    OK(kines_disable_enhanced_monitoring(client, &by_arn, metrics + 1, 1, NULL, &err));

    OK(kines_start_stream_encryption(client, &by_arn, "alias/aws/kinesis", &err));
    OK(kines_wait_stream(client, "api-features", false, 10000, &err));
    OK(kines_stop_stream_encryption(client, &by_name, "alias/aws/kinesis", &err));
    OK(kines_wait_stream(client, "api-features", false, 10000, &err));

    OK(kines_update_max_record_size(client, arn, 2048, &err));
    assert_int_equal(kines_update_max_record_size(client, arn, 100, &err), -1);
    assert_int_equal(err.status, KINES_ERR_SERVICE);
    free(arn);
}

/* ---- resources ------------------------------------------------------------------------------ */

static void test_resource_tags_and_policy(void **state)
{
    (void)state;
    char *arn = new_stream("api-resource", 1);
    kines_tag tags[] = {{"team", "data"}, {"tier", ""}};
    OK(kines_tag_resource(client, arn, tags, 2, &err));
    kines_tag_list l;
    OK(kines_list_tags_for_resource(client, arn, &l, &err));
    assert_int_equal(l.count, 2);
    kines_tag_list_free(&l);
    const char *gone[] = {"tier"};
    OK(kines_untag_resource(client, arn, gone, 1, &err));
    OK(kines_list_tags_for_resource(client, arn, &l, &err));
    assert_int_equal(l.count, 1);
    assert_string_equal(l.tags[0].key, "team");
    assert_string_equal(l.tags[0].value, "data");
    kines_tag_list_free(&l);

    const char *policy = "{\"Version\":\"2012-10-17\",\"Statement\":[]}";
    OK(kines_put_resource_policy(client, arn, policy, &err));
    char *got;
    OK(kines_get_resource_policy(client, arn, &got, &err));
    assert_string_equal(got, policy);
    free(got);
    OK(kines_delete_resource_policy(client, arn, &err));
    OK(kines_get_resource_policy(client, arn, &got, &err));
    assert_string_equal(got, "{}");
    free(got);
    assert_int_equal(kines_put_resource_policy(client, arn, "not json", &err), -1);
    assert_string_equal(err.type, "InvalidArgumentException");
    free(arn);
}

/* ---- consumers ------------------------------------------------------------------------------ */

static void test_stream_consumers(void **state)
{
    (void)state;
    char *arn = new_stream("api-consumers", 1);
    kines_stream_consumer_list l;
    OK(kines_register_stream_consumer(client, arn, "one", &l, &err));
    assert_int_equal(l.count, 1);
    assert_string_equal(l.consumers[0].name, "one");
    char *one_arn = strdup(l.consumers[0].arn);
    kines_stream_consumer_list_free(&l);
    OK(kines_register_stream_consumer(client, arn, "two", NULL, &err));

    OK(kines_describe_stream_consumer(client, &(kines_consumer_ref){.consumer_arn = one_arn}, &l,
                                      &err));
    assert_string_equal(l.consumers[0].name, "one");
    assert_string_equal(l.consumers[0].stream_arn, arn);
    kines_stream_consumer_list_free(&l);
    OK(kines_describe_stream_consumer(client, &(kines_consumer_ref){arn, "two", NULL}, &l, &err));
    assert_string_equal(l.consumers[0].name, "two");
    kines_stream_consumer_list_free(&l);

    OK(kines_list_stream_consumers(client, arn, 1, NULL, &l, &err));
    assert_int_equal(l.count, 1);
    assert_non_null(l.next_token);
    char *token = strdup(l.next_token);
    kines_stream_consumer_list_free(&l);
    OK(kines_list_stream_consumers(client, arn, 1, token, &l, &err));
    assert_int_equal(l.count, 1);
    kines_stream_consumer_list_free(&l);
    free(token);

    OK(kines_deregister_stream_consumer(client, &(kines_consumer_ref){.consumer_arn = one_arn},
                                        &err));
    OK(kines_deregister_stream_consumer(client, &(kines_consumer_ref){arn, "two", NULL}, &err));
    free(one_arn);
    free(arn);
}

/* ---- account settings and warm throughput --------------------------------------------------- */

static void test_account_settings_and_warm_throughput(void **state)
{
    (void)state;
    kines_account_settings s;
    OK(kines_describe_account_settings(client, &s, &err));
    assert_string_equal(s.status, "DISABLED");
    kines_account_settings_free(&s);
    OK(kines_update_account_settings(client, true, &s, &err));
    assert_string_equal(s.status, "ENABLED");
    assert_true(s.started_at > 0);
    assert_true(s.earliest_allowed_end_at > s.started_at);
    kines_account_settings_free(&s);

    char *arn = new_stream("api-warm", 0);
    kines_warm_throughput w;
    OK(kines_update_stream_warm_throughput(client, &(kines_stream_ref){.arn = arn}, 50, &w, &err));
    assert_string_equal(w.stream_name, "api-warm");
    assert_int_equal(w.target_mibps, 50);
    kines_warm_throughput_free(&w);

    OK(kines_update_account_settings(client, false, NULL, &err));
    OK(kines_describe_account_settings(client, &s, &err));
    assert_string_equal(s.status, "ENABLED_UNTIL_EARLIEST_ALLOWED_END");
    kines_account_settings_free(&s);
    free(arn);
}

static void test_errors_name_the_aws_type(void **state)
{
    (void)state;
    kines_stream s;
    kines_stream_ref missing = {.arn = "arn:aws:kinesis:us-east-1:000000000000:stream/nope"};
    assert_int_equal(kines_describe_stream_summary_ref(client, &missing, &s, &err), -1);
    assert_int_equal(err.status, KINES_ERR_SERVICE);
    assert_string_equal(err.type, "ResourceNotFoundException");
    assert_null(s.mem);
}

/* ---- the consumer across expired iterators (a step driven by the integration test) ---------- */

/* Reads records until `total` were handed out in all, checking they are r<n> in order. */
static int read_until(kines_consumer *cons, int *seen, int total)
{
    for (int polls = 0; *seen < total && polls < 200; polls++) {
        kines_consumer_record r;
        int got = kines_consumer_next(cons, &r, 100, &err);
        if (got < 0) {
            fprintf(stderr, "next: %s %s\n", err.type, err.message);
            return -1;
        }
        if (got == 0)
            continue;
        char want[16];
        snprintf(want, sizeof want, "r%d", *seen);
        if (r.len != strlen(want) || memcmp(r.data, want, r.len) != 0) {
            fprintf(stderr, "record %d is %.*s\n", *seen, (int)r.len, (const char *)r.data);
            return -1;
        }
        ++*seen;
    }
    return *seen == total ? 0 : -1;
}

static int consumer_expiry(const char *stream)
{
    kines_options o = options();
    kines_consumer_options co = {.idle_ms = 20};
    kines_consumer *cons = kines_consumer_new(&o, stream, &co, &err);
    char *old = NULL;
    kines_position horizon = {KINES_TRIM_HORIZON, NULL, 0};
    int seen = 0;
    if (!cons ||
        kines_get_shard_iterator(client, stream, "shardId-000000000000", &horizon, &old, &err) !=
            0 ||
        read_until(cons, &seen, 3) != 0)
        return 1;
    printf("READ 3\n");
    fflush(stdout);
    char line[16];
    if (!fgets(line, sizeof line, stdin))
        return 1;
    kines_records page;
    bool expired = kines_get_records(client, old, 0, &page, &err) != 0 &&
                   strcmp(err.type, "ExpiredIteratorException") == 0;
    if (!expired)
        fprintf(stderr, "the old iterator did not expire\n");
    int rc = expired && read_until(cons, &seen, 6) == 0 ? 0 : 1;
    kines_consumer_record extra;
    if (rc == 0 && kines_consumer_next(cons, &extra, 500, &err) != 0) {
        fprintf(stderr, "a record came twice or an error: %s\n", err.type);
        rc = 1;
    }
    printf("READ %d\n", seen);
    free(old);
    kines_consumer_free(cons);
    return rc;
}

int main(int argc, char **argv)
{
    kines_options o = options();
    client = o.endpoint_url ? kines_client_new(&o, &err) : NULL;
    if (o.endpoint_url && !client) {
        fprintf(stderr, "client: %s\n", err.message);
        return 1;
    }
    if (argc == 3 && strcmp(argv[1], "consumer-expiry") == 0) {
        int rc = client ? consumer_expiry(argv[2]) : 1;
        kines_client_free(client);
        return rc;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_describe_stream_pages_by_arn),
        cmocka_unit_test(test_list_shards_and_streams_pages),
        cmocka_unit_test(test_stream_calls_by_arn),
        cmocka_unit_test(test_monitoring_encryption_record_size),
        cmocka_unit_test(test_resource_tags_and_policy),
        cmocka_unit_test(test_stream_consumers),
        cmocka_unit_test(test_account_settings_and_warm_throughput),
        cmocka_unit_test(test_errors_name_the_aws_type),
    };
    if (!client) {
        printf("KINES_TEST_ENDPOINT is not set: skipping the live libkines tests\n");
        return 0;
    }
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    kines_client_free(client);
    return failed;
}
