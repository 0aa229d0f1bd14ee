/* test_kinesis_closed_end.c - where a shard closed by a reshard ends: after its last appended
 * record normally, but after its last committed one once the store has failed, since records
 * appended then never commit and a reader must still be able to reach the end. */
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "kinesis_fixture.h"
#include "store/shardlog_impl.h"

#define ACCOUNT "123456789012"
#define REGION "eu-west-1"

/* Makes every later write of the shard's tail segment fail, as a full or failing disk would. */
static void break_writes(shardlog *log)
{
    int readonly = open("/dev/null", O_RDONLY);
    assert_int_equal(dup2(readonly, log->tail->fd), log->tail->fd);
    close(readonly);
}

static stream *one_shard_stream(const char *name)
{
    stream_request req = {.shard_count = 1};
    stream *s = registry_create_stream(ACCOUNT, REGION, name, &req, now_ms);
    assert_non_null(s);
    return s;
}

/* Splits the stream's only shard (transition_ms is 0: the parent closes at once). */
static void split(stream *s)
{
    reshard r;
    reshard_begin(&r, s);
    assert_true(reshard_split(&r, reshard_shard(&r, 0), (u128)1 << 127, now_ms));
    assert_int_equal(reshard_commit(&r, now_ms), 0);
}

static void append(shard *sh)
{
    log_record_in rec = {"k", 1, "data", 4};
    uint64_t first, ticket;
    int64_t arrival;
    assert_int_equal(shardlog_append(sh->log, &rec, 1, now_ms, &first, &arrival, &ticket), 0);
}

static void test_healthy_store_ends_after_appended(void **state)
{
    (void)state;
    stream *s = one_shard_stream("healthy");
    append(s->shards[0]);
    split(s);
    assert_true(s->shards[0]->closed);
    assert_int_equal(s->shards[0]->end_offset, 1);
}

static void test_failed_store_ends_after_committed(void **state)
{
    (void)state;
    stream *s = one_shard_stream("failed");
    shardlog *log = s->shards[0]->log;
    break_writes(log);
    append(s->shards[0]);
    for (int i = 0; i < 1000 && !store_failed(st); i++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    assert_true(store_failed(st));
    assert_int_equal(shardlog_next_offset(log), 1);
    split(s);
    assert_true(s->shards[0]->closed);
    assert_int_equal(s->shards[0]->end_offset, shardlog_committed(log));
    assert_int_equal(s->shards[0]->end_offset, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_healthy_store_ends_after_appended, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_store_ends_after_committed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
