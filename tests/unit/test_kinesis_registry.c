/* test_kinesis_registry.c - the registry itself: even hash ranges, routing, shard ids, status
 * transitions, and what survives a close and reopen of meta.sqlite. */
#include <sys/stat.h>

#include "kinesis_fixture.h"

#define ACCOUNT "123456789012"
#define REGION "eu-west-1"
#define NOW 1700000000000LL

static u128 parse(const char *digits)
{
    u128 v;
    assert_true(u128_parse(digits, strlen(digits), &v));
    return v;
}

static void test_even_ranges(void **state)
{
    (void)state;
    u128 start, end;
    hash_range_even(0, 1, &start, &end);
    assert_true(start == 0 && end == U128_MAX);
    hash_range_even(0, 2, &start, &end);
    assert_true(end == parse("170141183460469231731687303715884105727"));
    hash_range_even(1, 2, &start, &end);
    assert_true(start == parse("170141183460469231731687303715884105728") && end == U128_MAX);
    /* 2^128 = 3 * 113427455640312821154458202477256070485 + 1: the last range takes the 1 */
    hash_range_even(2, 3, &start, &end);
    assert_true(start == parse("226854911280625642308916404954512140970") && end == U128_MAX);
}

static void test_route_and_ids(void **state)
{
    (void)state;
    registry_write_lock();
    stream *s = registry_create_stream(ACCOUNT, REGION, "r", 2, false, 0, NOW, NOW);
    assert_non_null(s);
    assert_int_equal(s->status, STREAM_ACTIVE);
    assert_ptr_equal(stream_route(s, 0), s->shards[0]);
    assert_ptr_equal(stream_route(s, U128_MAX), s->shards[1]);
    assert_ptr_equal(stream_shard_by_id(s, "shardId-000000000001"), s->shards[1]);
    assert_null(stream_shard_by_id(s, "shardId-000000000002"));
    assert_null(stream_shard_by_id(s, "shardId-00000000000x"));
    assert_null(stream_shard_by_id(s, "shard-000000000001"));
    assert_null(stream_shard_by_id(s, "shardId-"));

    shard_close(s->shards[0]);
    shard *child = stream_add_shard(s, 0, s->shards[0]->hash_end, 0, -1, NOW);
    assert_non_null(child);
    assert_int_equal(child->index, 2);
    assert_string_equal(child->id, "shardId-000000000002");
    assert_true(child->created_ms > s->shards[0]->created_ms);
    assert_ptr_equal(stream_route(s, 0), child);
    assert_int_equal(stream_open_shards(s), 2);
    assert_int_equal(registry_open_shards(ACCOUNT, REGION), 2);
    assert_int_equal(registry_open_shards(ACCOUNT, "us-east-1"), 0);
    registry_unlock();
}

static void test_resolve(void **state)
{
    (void)state;
    registry_write_lock();
    assert_non_null(registry_create_stream(ACCOUNT, REGION, "named", 1, false, 0, NOW, NOW));
    registry_unlock();
    const char *keys[] = {"StreamARN"};
    kval vals[] = {{.type = KV_STRING}};
    vals[0].u.s.ptr = "arn:aws:kinesis:eu-west-1:123456789012:stream/named";
    vals[0].u.s.len = strlen(vals[0].u.s.ptr);
    kval input = {.type = KV_MAP};
    input.u.map.keys = keys;
    input.u.map.vals = vals;
    input.u.map.n = 1;
    aws_error err;
    aws_error_init(&err);
    registry_read_lock();
    stream *s = registry_resolve(&input, ACCOUNT, REGION, &err);
    assert_non_null(s);
    assert_string_equal(s->arn, vals[0].u.s.ptr);
    assert_null(registry_resolve(&input, "000000000000", REGION, &err));
    assert_string_equal(err.type, "AccessDeniedException");
    vals[0].u.s.ptr = "arn:aws:kinesis:eu-west-1:123456789012:streams/named";
    vals[0].u.s.len = strlen(vals[0].u.s.ptr);
    assert_null(registry_resolve(&input, ACCOUNT, REGION, &err));
    assert_string_equal(err.type, "InvalidArgumentException");
    registry_unlock();
    aws_error_free(&err);
}

/* Transitions run on the monotonic clock: a wall clock stepped back an hour does not hold a
 * stream in CREATING, nor does one stepped forward end its transition early. */
static void test_transitions_follow_the_monotonic_clock(void **state)
{
    (void)state;
    kinesd_cfg.transition_ms = 100;
    registry_write_lock();
    stream *s = registry_create_stream(ACCOUNT, REGION, "t", 1, false, 0, NOW, 5000);
    assert_non_null(s);
    assert_int_equal(s->transition_at_ms, 5100);
    registry_unlock();
    registry_tick(NOW + 3600 * 1000, 5099);
    registry_read_lock();
    assert_int_equal(registry_find(ACCOUNT, REGION, "t")->status, STREAM_CREATING);
    registry_unlock();
    registry_tick(NOW - 3600 * 1000, 5100);
    registry_read_lock();
    assert_int_equal(registry_find(ACCOUNT, REGION, "t")->status, STREAM_ACTIVE);
    assert_true(registry_find(ACCOUNT, REGION, "t")->created_ms == NOW); /* shown: wall clock */
    registry_unlock();
}

static void test_reopen_keeps_everything(void **state)
{
    (void)state;
    kinesd_cfg.transition_ms = 100;
    registry_write_lock();
    stream *a = registry_create_stream(ACCOUNT, REGION, "a", 2, false, 0, NOW, NOW);
    stream *b = registry_create_stream(ACCOUNT, REGION, "b", 1, true, 0, NOW, NOW);
    assert_non_null(a);
    assert_non_null(b);
    uint64_t uid_b = b->uid;
    assert_true(uid_b > a->uid);
    b->retention_hours = 48;
    shard_close(a->shards[1]);
    assert_non_null(
        stream_add_shard(a, a->shards[1]->hash_start, a->shards[1]->hash_end, 1, -1, NOW + 5));
    assert_int_equal(stream_start_transition(a, STREAM_UPDATING, NOW + 5), 0);
    assert_int_equal(stream_start_transition(b, STREAM_DELETING, NOW + 5), 0);
    registry_unlock();

    close_registry();
    open_registry();

    registry_read_lock();
    assert_int_equal(registry_stream_count(), 2);
    a = registry_find(ACCOUNT, REGION, "a");
    b = registry_find(ACCOUNT, REGION, "b");
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->status, STREAM_UPDATING);
    /* a deadline on the old process's monotonic clock means nothing now: a whole transition */
    assert_in_range(a->transition_at_ms, 100, clock_mono_ms() + 100);
    assert_int_equal(a->shard_count, 3);
    assert_true(a->shards[1]->closed);
    assert_int_equal(a->shards[2]->parent, 1);
    assert_int_equal(a->shards[2]->adjacent_parent, -1);
    assert_true(a->shards[2]->hash_end == U128_MAX);
    assert_true(a->shards[2]->created_ms == NOW + 5);
    assert_string_equal(a->arn, "arn:aws:kinesis:eu-west-1:123456789012:stream/a");
    assert_true(b->on_demand);
    assert_int_equal(b->status, STREAM_DELETING);
    assert_int_equal(b->retention_hours, 48);
    registry_unlock();

    registry_tick(NOW + 105, NOW + 105);
    registry_read_lock();
    assert_int_equal(registry_stream_count(), 1);
    assert_int_equal(registry_find(ACCOUNT, REGION, "a")->status, STREAM_ACTIVE);
    assert_null(registry_find(ACCOUNT, REGION, "b"));
    registry_unlock();
    char path[512];
    struct stat sb;
    snprintf(path, sizeof(path), "%s/streams/%llu", data_dir, (unsigned long long)uid_b);
    assert_int_not_equal(stat(path, &sb), 0);

    close_registry();
    open_registry();
    registry_write_lock();
    assert_int_equal(registry_stream_count(), 1);
    stream *c = registry_create_stream(ACCOUNT, REGION, "c", 1, false, 0, NOW, NOW);
    assert_true(c->uid > uid_b); /* uids are never reused */
    registry_unlock();
}

static void test_sorted_listing(void **state)
{
    (void)state;
    registry_write_lock();
    assert_non_null(registry_create_stream(ACCOUNT, REGION, "m", 1, false, 0, NOW, NOW));
    assert_non_null(registry_create_stream(ACCOUNT, REGION, "b", 1, false, 0, NOW, NOW));
    assert_non_null(registry_create_stream(ACCOUNT, "us-east-1", "a", 1, false, 0, NOW, NOW));
    assert_non_null(registry_create_stream("000000000000", REGION, "z", 1, false, 0, NOW, NOW));
    size_t i = registry_stream_after(ACCOUNT, REGION, "");
    assert_string_equal(registry_stream_at(i)->name, "b");
    assert_string_equal(registry_stream_at(i + 1)->name, "m");
    assert_string_equal(registry_stream_at(i + 2)->name, "a"); /* next region */
    assert_string_equal(registry_stream_at(registry_stream_after(ACCOUNT, REGION, "b"))->name, "m");
    assert_string_equal(registry_stream_at(registry_stream_after(ACCOUNT, REGION, "c"))->name, "m");
    registry_unlock();
}

static bool collect_tag(const char *key, const char *value, void *arg)
{
    kbuf *out = arg;
    kbuf_printf(out, "%s=%s;", key, value);
    return true;
}

static void test_tags(void **state)
{
    (void)state;
    meta *m = registry_meta();
    assert_int_equal(meta_tag_put(m, 7, "b", "2"), 0);
    assert_int_equal(meta_tag_put(m, 7, "a", "1"), 0);
    assert_int_equal(meta_tag_put(m, 7, "a", "one"), 0);
    assert_int_equal(meta_tag_put(m, 8, "x", ""), 0);
    assert_int_equal(meta_tag_count(m, 7), 2);
    kbuf out = KBUF_INIT;
    assert_int_equal(meta_tags_each(m, 7, NULL, collect_tag, &out), 0);
    assert_string_equal(out.data, "a=one;b=2;");
    kbuf_reset(&out);
    assert_int_equal(meta_tags_each(m, 7, "a", collect_tag, &out), 0);
    assert_string_equal(out.data, "b=2;");
    assert_int_equal(meta_tag_delete(m, 7, "a"), 0);
    assert_int_equal(meta_tag_count(m, 7), 1);
    assert_int_equal(meta_delete_stream(m, 8), 0);
    assert_int_equal(meta_tag_count(m, 8), 0);
    kbuf_free(&out);
}

static bool exists(const char *relpath)
{
    char path[512];
    struct stat sb;
    snprintf(path, sizeof(path), "%s/%s", data_dir, relpath);
    return stat(path, &sb) == 0;
}

static void touch(const char *relpath)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "mkdir -p $(dirname %s/%s) && touch %s/%s", data_dir, relpath,
             data_dir, relpath);
    assert_int_equal(system(cmd), 0);
}

/* Logs that a crash left behind without a committed row are removed, never reused. */
static void test_uncommitted_leftovers(void **state)
{
    (void)state;
    registry_write_lock();
    stream *s = registry_create_stream(ACCOUNT, REGION, "left", 1, false, 0, NOW, NOW);
    char rel[128];
    snprintf(rel, sizeof(rel), "streams/%llu/1/stale", (unsigned long long)s->uid);
    touch(rel);
    shard_close(s->shards[0]);
    assert_non_null(stream_add_shard(s, 0, U128_MAX, 0, -1, NOW));
    assert_false(exists(rel));
    registry_unlock();

    touch("streams/999/0/stale");
    close_registry();
    open_registry();
    assert_false(exists("streams/999"));
    registry_read_lock();
    s = registry_find(ACCOUNT, REGION, "left");
    assert_non_null(s);
    assert_int_equal(s->shard_count, 1); /* the uncommitted child is forgotten */
    registry_unlock();
}

static void test_undo(void **state)
{
    (void)state;
    registry_write_lock();
    stream *s = registry_create_stream(ACCOUNT, REGION, "u", 2, false, 0, NOW, NOW);
    stream_undo undo;
    stream_undo_begin(s, &undo);
    shard_close(s->shards[0]);
    assert_non_null(stream_add_shard(s, 0, 5, 0, -1, NOW));
    shard_close(s->shards[2]);
    shard_close(s->shards[1]);
    assert_non_null(stream_add_shard(s, 0, U128_MAX, 2, 1, NOW));
    s->retention_hours = 48;
    s->status = STREAM_UPDATING;
    stream_undo_apply(s, &undo);
    assert_int_equal(s->shard_count, 2);
    assert_false(s->shards[0]->closed);
    assert_false(s->shards[1]->closed);
    assert_int_equal(s->retention_hours, 24);
    assert_int_equal(s->status, STREAM_ACTIVE);
    assert_ptr_equal(stream_route(s, 0), s->shards[0]);
    char rel[128];
    snprintf(rel, sizeof(rel), "streams/%llu/2", (unsigned long long)s->uid);
    assert_false(exists(rel));
    registry_unlock();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_even_ranges),
        cmocka_unit_test_setup_teardown(test_route_and_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transitions_follow_the_monotonic_clock, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reopen_keeps_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sorted_listing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uncommitted_leftovers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_undo, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
