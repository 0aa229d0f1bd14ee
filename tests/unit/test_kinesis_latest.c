/* test_kinesis_latest.c - where a LATEST shard iterator starts when records were appended but are
 * not committed: after the last committed record, so that records which a store failure keeps
 * from ever existing leave no gap that the iterator could never read past. */
#include <fcntl.h>
#include <unistd.h>

#include "kinesis_fixture.h"
#include "kinesis_ops_fixture.h"
#include "kinesis/iterator.h"
#include "store/shardlog_impl.h"

/* The offset a GetShardIterator of type LATEST starts at. */
static uint64_t latest_offset(void)
{
    json_object *o = ok("GetShardIterator", "{\"StreamName\":\"s\",\"ShardId\":"
                                            "\"shardId-000000000000\",\"ShardIteratorType\":"
                                            "\"LATEST\"}");
    const char *text = str_at(o, "ShardIterator");
    shard_iterator it;
    aws_error err;
    aws_error_init(&err);
    assert_true(iterator_decode(text, strlen(text), now_ms, &it, &err));
    aws_error_free(&err);
    json_object_put(o);
    return it.offset;
}

/* Makes every later write of the shard's tail segment fail, as a full or failing disk would. */
static void break_writes(shardlog *log)
{
    int readonly = open("/dev/null", O_RDONLY);
    assert_int_equal(dup2(readonly, log->tail->fd), log->tail->fd);
    close(readonly);
}

static void test_latest_starts_after_committed(void **state)
{
    (void)state;
    char why[512];
    assert_int_equal(iterator_init(data_dir, why, sizeof(why)), 0);
    json_object_put(ok("CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":1}"));
    tick_at(now_ms + 1);
    registry_read_lock();
    shard *sh = registry_find(ACCOUNT, REGION, "s")->shards[0];
    registry_unlock();
    assert_int_equal(latest_offset(), 0);

    break_writes(sh->log);
    log_record_in rec = {"k", 1, "lost", 4};
    uint64_t first, ticket;
    int64_t arrival;
    assert_int_equal(shardlog_append(sh->log, &rec, 1, now_ms, &first, &arrival, &ticket), 0);
    assert_int_equal(shardlog_next_offset(sh->log), 1);
    assert_int_equal(shardlog_committed(sh->log), 0);
    assert_int_equal(latest_offset(), 0);
}

int main(void)
{
    if (!model_get(MODEL_KINESIS))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_latest_starts_after_committed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
