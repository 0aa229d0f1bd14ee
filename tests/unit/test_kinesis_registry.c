/* test_kinesis_registry.c - the registry itself: even hash ranges, routing, shard ids, status
 * transitions, reshards that take effect when their transition ends, and what survives a close
 * and reopen of meta.sqlite (including a crash in the middle of a change). */
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

/* A stream created at NOW (the made-up clock is set there: transitions run from it). */
static stream *create(const char *region, const char *name, int shards, bool on_demand)
{
    now_ms = NOW;
    stream_request req = {.shard_count = shards, .on_demand = on_demand};
    return registry_create_stream(ACCOUNT, region, name, &req, NOW);
}

/* Splits shard `index` of s at key at `now`: committed, pending until the transition ends. */
static void split(stream *s, int index, u128 key, int64_t now)
{
    now_ms = now;
    reshard r;
    reshard_begin(&r, s);
    assert_true(reshard_split(&r, reshard_shard(&r, index), key, now));
    assert_int_equal(reshard_commit(&r, now), 0);
}

static void append_one(shard *sh)
{
    log_record_in rec = {"k", 1, "v", 1};
    uint64_t offset, ticket;
    int64_t arrival;
    assert_int_equal(shardlog_append(sh->log, &rec, 1, NOW, &offset, &arrival, &ticket), 0);
}

static void test_route_and_ids(void **state)
{
    (void)state;
    stream *s = create(REGION, "r", 2, false);
    assert_non_null(s);
    assert_int_equal(s->status, STREAM_ACTIVE);
    assert_ptr_equal(stream_route(s, 0), s->shards[0]);
    assert_ptr_equal(stream_route(s, U128_MAX), s->shards[1]);
    assert_ptr_equal(stream_shard_by_id(s, "shardId-000000000001"), s->shards[1]);
    assert_null(stream_shard_by_id(s, "shardId-000000000002"));
    assert_null(stream_shard_by_id(s, "shardId-00000000000x"));
    assert_null(stream_shard_by_id(s, "shardId-"));
    assert_null(stream_shard_by_id(s, "a-b-1"));
    /* AWS reads any "<anything>-<digits>" or bare digits */
    assert_ptr_equal(stream_shard_by_id(s, "shard-000000000001"), s->shards[1]);
    assert_ptr_equal(stream_shard_by_id(s, "abc-1"), s->shards[1]);
    assert_ptr_equal(stream_shard_by_id(s, "0"), s->shards[0]);
    assert_int_equal(shard_id_index("2147483647"), 2147483647);
    assert_int_equal(shard_id_index("2147483648"), -1);
    char padded[24];
    shard_id_format(5, padded);
    assert_string_equal(padded, "shardId-000000000005");

    split(s, 0, s->shards[0]->hash_end / 2, NOW);
    shard *child = s->shards[2];
    assert_int_equal(s->shard_count, 4);
    assert_string_equal(child->id, "shardId-000000000002");
    assert_true(child->created_ms > s->shards[0]->created_ms);
    assert_true(s->shards[0]->closed);
    assert_ptr_equal(stream_route(s, 0), child);
    assert_int_equal(stream_open_shards(s), 3);
    assert_int_equal(registry_open_shards(ACCOUNT, REGION), 3);
    assert_int_equal(registry_open_shards(ACCOUNT, "us-east-1"), 0);
}

/* As on AWS, a reshard's parents keep taking records while the stream is UPDATING; when the
 * transition ends they close after their last record and the children take over. */
static void test_reshard_waits_for_its_transition(void **state)
{
    (void)state;
    kinesd_cfg.transition_ms = 100;
    stream *s = create(REGION, "w", 1, false);
    tick_at(NOW + 100);
    assert_int_equal(s->status, STREAM_ACTIVE);
    split(s, 0, (u128)1 << 127, NOW + 200);
    assert_int_equal(s->status, STREAM_UPDATING);
    assert_int_equal(s->shard_count, 1);
    assert_int_equal(s->pending_count, 2);
    assert_false(s->shards[0]->closed);
    assert_ptr_equal(stream_route(s, U128_MAX), s->shards[0]);
    assert_int_equal(registry_open_shards(ACCOUNT, REGION), 2); /* as it will be */
    append_one(s->shards[0]);
    append_one(s->shards[0]);
    tick_at(NOW + 299);
    assert_int_equal(s->pending_count, 2);
    tick_at(NOW + 300);
    assert_int_equal(s->status, STREAM_ACTIVE);
    assert_int_equal(s->shard_count, 3);
    assert_int_equal(s->pending_count, 0);
    assert_true(s->shards[0]->closed);
    assert_int_equal(s->shards[0]->end_offset, 2);
    assert_ptr_equal(stream_route(s, U128_MAX), s->shards[2]);
    close_registry();
    open_registry();
    s = registry_find(ACCOUNT, REGION, "w");
    assert_int_equal(s->shard_count, 3);
    assert_int_equal(s->shards[0]->end_offset, 2);
    assert_int_equal(s->status, STREAM_ACTIVE);
}

/* A crash while a reshard is pending: the next start knows it, and its tick finishes it with the
 * parent closed where its recovered log ends. */
static void test_pending_reshard_survives_a_restart(void **state)
{
    (void)state;
    kinesd_cfg.transition_ms = 100;
    stream *s = create(REGION, "p", 1, false);
    tick_at(NOW + 100);
    split(s, 0, (u128)1 << 127, NOW + 200);
    append_one(s->shards[0]);
    store_flush(st);
    close_registry();
    open_registry();
    s = registry_find(ACCOUNT, REGION, "p");
    assert_int_equal(s->status, STREAM_UPDATING);
    assert_int_equal(s->shard_count, 1);
    assert_int_equal(s->pending_count, 2);
    assert_int_equal(s->pending[1]->parent, 0);
    tick_at(NOW + 300);
    assert_int_equal(s->shard_count, 3);
    assert_true(s->shards[0]->closed);
    assert_int_equal(s->shards[0]->end_offset, 1);
}

/* Transitions run on the deadline (monotonic) clock: a wall clock stepped back an hour does not
 * hold a stream in CREATING, nor does one stepped forward end its transition early. */
static void test_transitions_follow_the_monotonic_clock(void **state)
{
    (void)state;
    kinesd_cfg.transition_ms = 100;
    now_ms = 5000; /* the deadline clock; the wall clock is NOW */
    stream_request req = {.shard_count = 1};
    stream *s = registry_create_stream(ACCOUNT, REGION, "t", &req, NOW);
    assert_non_null(s);
    assert_int_equal(s->transition_at_ms, 5100);
    now_ms = 5099;
    registry_tick(NOW + 3600 * 1000);
    assert_int_equal(s->status, STREAM_CREATING);
    now_ms = 5100;
    registry_tick(NOW - 3600 * 1000);
    assert_int_equal(s->status, STREAM_ACTIVE);
    assert_true(s->created_ms == NOW); /* shown to clients: the wall clock */
}

static void test_resolve(void **state)
{
    (void)state;
    assert_non_null(create(REGION, "named", 1, false));
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
    stream *s = registry_resolve(&input, ACCOUNT, REGION, &err);
    assert_non_null(s);
    assert_string_equal(s->arn, vals[0].u.s.ptr);
    assert_null(registry_resolve(&input, "000000000000", REGION, &err));
    assert_string_equal(err.type, "AccessDeniedException");
    vals[0].u.s.ptr = "arn:aws:kinesis:eu-west-1:123456789012:streams/named";
    vals[0].u.s.len = strlen(vals[0].u.s.ptr);
    assert_null(registry_resolve(&input, ACCOUNT, REGION, &err));
    assert_string_equal(err.type, "InvalidArgumentException");
    aws_error_free(&err);
}

static void test_reopen_keeps_everything(void **state)
{
    (void)state;
    kinesd_cfg.transition_ms = 100;
    stream *a = create(REGION, "a", 2, false);
    stream *b = create(REGION, "b", 1, true);
    assert_non_null(a);
    assert_non_null(b);
    uint64_t uid_b = b->uid;
    assert_true(uid_b > a->uid);
    tick_at(NOW + 100);
    now_ms = NOW + 5;
    stream next = *b;
    next.retention_hours = 48;
    assert_int_equal(stream_update(b, &next, NOW + 5), 0);
    split(a, 1, a->shards[1]->hash_start + 1000, NOW + 5);
    assert_int_equal(stream_delete(b), 0);

    close_registry();
    open_registry();

    assert_int_equal(registry_stream_count(), 2);
    a = registry_find(ACCOUNT, REGION, "a");
    b = registry_find(ACCOUNT, REGION, "b");
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->status, STREAM_UPDATING);
    /* the deadline is re-armed for a whole transition from the reopening (the clock: NOW + 5) */
    assert_int_equal(a->transition_at_ms, NOW + 105);
    assert_int_equal(a->pending_count, 2);
    assert_int_equal(a->pending[1]->parent, 1);
    assert_int_equal(a->pending[1]->adjacent_parent, -1);
    assert_true(a->pending[1]->hash_end == U128_MAX);
    assert_true(a->pending[1]->created_ms == NOW + 5);
    assert_string_equal(a->arn, "arn:aws:kinesis:eu-west-1:123456789012:stream/a");
    assert_true(b->on_demand);
    assert_int_equal(b->status, STREAM_DELETING);
    assert_int_equal(b->retention_hours, 48);

    tick_at(NOW + 105);
    assert_int_equal(registry_stream_count(), 1);
    a = registry_find(ACCOUNT, REGION, "a");
    assert_int_equal(a->status, STREAM_ACTIVE);
    assert_int_equal(a->shard_count, 4);
    assert_true(a->shards[1]->closed);
    assert_null(registry_find(ACCOUNT, REGION, "b"));
    char path[512];
    struct stat sb;
    snprintf(path, sizeof(path), "%s/streams/%llu", data_dir, (unsigned long long)uid_b);
    assert_int_not_equal(stat(path, &sb), 0);

    close_registry();
    open_registry();
    assert_int_equal(registry_stream_count(), 1);
    stream *c = create(REGION, "c", 1, false);
    assert_true(c->uid > uid_b); /* uids are never reused */
}

static void test_sorted_listing(void **state)
{
    (void)state;
    assert_non_null(create(REGION, "m", 1, false));
    assert_non_null(create(REGION, "b", 1, false));
    assert_non_null(create("us-east-1", "a", 1, false));
    stream_request one = {.shard_count = 1};
    assert_non_null(registry_create_stream("000000000000", REGION, "z", &one, NOW));
    size_t i = registry_stream_after(ACCOUNT, REGION, "");
    assert_string_equal(registry_stream_at(i)->name, "b");
    assert_string_equal(registry_stream_at(i + 1)->name, "m");
    assert_string_equal(registry_stream_at(i + 2)->name, "a"); /* next region */
    assert_string_equal(registry_stream_at(registry_stream_after(ACCOUNT, REGION, "b"))->name, "m");
    assert_string_equal(registry_stream_at(registry_stream_after(ACCOUNT, REGION, "c"))->name, "m");
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
    tag_owner s7 = {7, NULL}, s8 = {8, NULL};
    tag_owner c7 = {7, "arn:aws:kinesis:us-east-1:1:stream/s/consumer/c:1"};
    assert_int_equal(meta_tag_put(m, &s7, "b", "2"), 0);
    assert_int_equal(meta_tag_put(m, &s7, "a", "1"), 0);
    assert_int_equal(meta_tag_put(m, &s7, "a", "one"), 0);
    assert_int_equal(meta_tag_put(m, &s8, "x", ""), 0);
    assert_int_equal(meta_tag_put(m, &c7, "a", "consumer's"), 0);
    assert_int_equal(meta_tag_count(m, &s7), 2);
    assert_int_equal(meta_tag_count(m, &c7), 1);
    assert_int_equal(meta_tag_exists(m, &c7, "a"), 1);
    assert_int_equal(meta_tag_exists(m, &c7, "b"), 0);
    kbuf out = KBUF_INIT;
    assert_int_equal(meta_tags_each(m, &s7, NULL, collect_tag, &out), 0);
    assert_string_equal(out.data, "a=one;b=2;");
    kbuf_reset(&out);
    assert_int_equal(meta_tags_each(m, &s7, "a", collect_tag, &out), 0);
    assert_string_equal(out.data, "b=2;");
    kbuf_reset(&out);
    assert_int_equal(meta_tags_each(m, &c7, NULL, collect_tag, &out), 0);
    assert_string_equal(out.data, "a=consumer's;");
    assert_int_equal(meta_tag_delete(m, &s7, "a"), 0);
    assert_int_equal(meta_tag_count(m, &s7), 1);
    assert_int_equal(meta_tag_count(m, &c7), 1);
    assert_int_equal(meta_delete_stream(m, 8), 0);
    assert_int_equal(meta_tag_count(m, &s8), 0);
    assert_int_equal(meta_delete_stream(m, 7), 0); /* its consumers' tags go with it */
    assert_int_equal(meta_tag_count(m, &c7), 0);
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

static void write_file(const char *relpath, const char *text)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "mkdir -p $(dirname %s/%s) && printf '%s' > %s/%s", data_dir,
             relpath, text, data_dir, relpath);
    assert_int_equal(system(cmd), 0);
}

/* What a crash leaves behind: a creation that never committed (its marker, or no record written)
 * is removed, a committed creation's marker goes, a deleted stream's files go, and a directory
 * nobody can explain that holds records is moved to quarantine, never deleted. */
static void test_crash_leftovers(void **state)
{
    (void)state;
    stream *s = create(REGION, "kept", 1, false);
    char rel[128];
    snprintf(rel, sizeof(rel), "streams/%llu/CREATING", (unsigned long long)s->uid);
    touch(rel);
    touch("streams/900/CREATING");
    write_file("streams/900/0/00000000000000000000.log", "records");
    touch("streams/901/0/00000000000000000000.log");
    write_file("streams/902/0/00000000000000000000.log", "records");
    write_file("streams/903/0/00000000000000000000.log", "records");
    assert_int_equal(meta_delete_stream(registry_meta(), 902), 0);
    close_registry();
    open_registry();
    assert_false(exists(rel));
    assert_non_null(registry_find(ACCOUNT, REGION, "kept"));
    assert_false(exists("streams/900"));
    assert_false(exists("streams/901"));
    assert_false(exists("streams/902"));
    assert_false(exists("streams/903"));
    assert_true(exists("quarantine/streams/903/0/00000000000000000000.log"));
}

/* A reshard that cannot be made changes nothing: here its child cannot get a log (a file stands
 * where the child's directory must go). */
static void test_failed_reshard_changes_nothing(void **state)
{
    (void)state;
    stream *s = create(REGION, "u", 2, false);
    char rel[128];
    snprintf(rel, sizeof(rel), "streams/%llu/2", (unsigned long long)s->uid);
    touch(rel);
    reshard r;
    reshard_begin(&r, s);
    assert_null(reshard_merge(&r, reshard_shard(&r, 0), reshard_shard(&r, 1), NOW));
    reshard_abandon(&r);
    assert_int_equal(s->shard_count, 2);
    assert_int_equal(s->pending_count, 0);
    assert_false(s->shards[0]->closed);
    assert_int_equal(s->status, STREAM_ACTIVE);
    close_registry();
    open_registry();
    s = registry_find(ACCOUNT, REGION, "u");
    assert_int_equal(s->shard_count, 2);
    assert_int_equal(s->pending_count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_even_ranges),
        cmocka_unit_test_setup_teardown(test_route_and_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reshard_waits_for_its_transition, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending_reshard_survives_a_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transitions_follow_the_monotonic_clock, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_keeps_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sorted_listing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_leftovers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_reshard_changes_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
