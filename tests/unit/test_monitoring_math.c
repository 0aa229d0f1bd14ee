/* test_monitoring_math.c - metric math (cw_math.h) on its own: the parser's precedence and
 * refusals, reference checks (unknown ids, cycles), and the evaluator's edge cases: series with
 * different timestamps, division by zero, scalars broadcast, aggregates of one series and across
 * an array, FILL at the edges of the range, RATE and DIFF. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "monitoring/cw_math.h"

#define T0 1800000000 /* minute 0 of every series, a multiple of 60 */
#define MAX_QUERIES 8

/* A request: metrics a (2, 4, 6 at minutes 0, 1, 2) and b (1, 0 at minutes 0, 2), then the
 * expressions added. */
typedef struct request {
    arena arena;                /* the request's */
    math_ref refs[MAX_QUERIES]; /* metrics, then expressions */
    math_series metrics[2];     /* a and b */
    int64_t a_t[3], b_t[2];     /* their timestamps */
    double a_v[3], b_v[2];      /* and values */
    math_ctx ctx;               /* the evaluation */
} request;

static void request_init(request *r)
{
    memset(r, 0, sizeof *r);
    arena_init(&r->arena);
    int64_t a_t[] = {T0, T0 + 60, T0 + 120}, b_t[] = {T0, T0 + 120};
    double a_v[] = {2, 4, 6}, b_v[] = {1, 0};
    memcpy(r->a_t, a_t, sizeof a_t);
    memcpy(r->b_t, b_t, sizeof b_t);
    memcpy(r->a_v, a_v, sizeof a_v);
    memcpy(r->b_v, b_v, sizeof b_v);
    r->metrics[0] = (math_series){.label = "A", .t = r->a_t, .v = r->a_v, .n = 3, .period = 60};
    r->metrics[1] = (math_series){.label = "B", .t = r->b_t, .v = r->b_v, .n = 2, .period = 60};
    r->refs[0] = (math_ref){.id = "a", .list = &r->metrics[0], .n_list = 1};
    r->refs[1] = (math_ref){.id = "b", .list = &r->metrics[1], .n_list = 1};
    r->ctx = (math_ctx){.arena = &r->arena,
                        .refs = r->refs,
                        .n_refs = 2,
                        .start_s = T0,
                        .end_s = T0 + 240,
                        .max_points = 100};
}

/* Adds expression `text` (which must parse) with the given id. */
static void add_expression(request *r, const char *id, const char *text)
{
    char err[MATH_ERR_LEN] = "";
    math_node *n = math_parse(&r->arena, text, err, sizeof err);
    if (!n)
        fail_msg("%s: %s", text, err);
    r->refs[r->ctx.n_refs++] = (math_ref){.id = id, .expr = n};
}

/* Evaluates `text` alone and checks its one series: minutes and values, "m:v" pairs. */
static void check_series(const char *text, const char *expected)
{
    request r;
    request_init(&r);
    add_expression(&r, "e", text);
    size_t bad;
    assert_true(math_check(&r.ctx, &bad));
    if (!math_eval(&r.ctx, 2))
        fail_msg("%s: %s", text, r.ctx.err);
    char got[256] = "";
    const math_series *s = &r.refs[2].list[0];
    assert_int_equal(r.refs[2].n_list, 1);
    for (size_t i = 0; i < s->n; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld:%g", i ? " " : "",
                 (long long)(s->t[i] - T0) / 60, s->v[i]);
    if (strcmp(got, expected) != 0)
        fail_msg("%s gave \"%s\", not \"%s\"", text, got, expected);
    arena_free(&r.arena);
}

static void check_refused(const char *text, const char *why)
{
    arena a;
    arena_init(&a);
    char err[MATH_ERR_LEN] = "";
    assert_null(math_parse(&a, text, err, sizeof err));
    if (strcmp(err, why) != 0)
        fail_msg("%s: \"%s\", not \"%s\"", text, err, why);
    arena_free(&a);
}

static void test_precedence_and_scalars(void **state)
{
    (void)state;
    check_series("1 + 2 * 3 - 8 / 4 / 2", "0:6 1:6 2:6"); /* at every metric timestamp */
    check_series("(1 + 2) * -a", "0:-6 1:-12 2:-18");
    check_series("a - -1", "0:3 1:5 2:7");
    check_series("2 / a", "0:1 1:0.5 2:0.333333");
    check_series(" a*1e2 ", "0:200 1:400 2:600");
}

static void test_series_meet_at_matching_timestamps(void **state)
{
    (void)state;
    check_series("a + b", "0:3 2:6");
    check_series("a / b", "0:2");    /* minute 2: division by zero, no point */
    check_series("b / 0", "");       /* nothing */
    check_series("a / (b - b)", ""); /* 0/0 neither */
    check_series("b - a + a", "0:1 2:0");
}

static void test_aggregates(void **state)
{
    (void)state;
    check_series("a - AVG(a)", "0:-2 1:0 2:2");
    check_series("MIN(a) + MAX(b)", "0:3 1:3 2:3");
    check_series("SUM(METRICS())", "0:3 1:4 2:6");
    check_series("MAX(METRICS())", "0:2 1:4 2:6");
    check_series("AVG(METRICS(\"b\"))", "0:1 2:0");
    check_series("SUM(METRICS(\"zzz\"))", "");
    check_series("AVG(b / 0) + a", ""); /* the average of nothing is no value */
}

static void test_fill_rate_diff_abs(void **state)
{
    (void)state;
    check_series("FILL(b, 9)", "0:1 1:9 2:0 3:9");
    check_series("FILL(b, REPEAT)", "0:1 1:1 2:0 3:0");
    check_series("FILL(b, LINEAR)", "0:1 1:0.5 2:0"); /* nothing after minute 2 */
    check_series("FILL(DIFF(a), LINEAR)", "1:2 2:2"); /* nothing before minute 1 */
    check_series("RATE(a)", "1:0.0333333 2:0.0333333");
    check_series("DIFF(b)", "2:-1");
    check_series("ABS(DIFF(b)) + ABS(-3)", "2:4");
    check_series("SUM(FILL(METRICS(), 0))", "0:3 1:4 2:6 3:0");
}

static void test_comparisons_and_if(void **state)
{
    (void)state;
    check_series("a > 3", "0:0 1:1 2:1");
    check_series("a >= 4 AND a <= 4", "0:0 1:1 2:0");
    check_series("a == 2 || b != 0", "0:1 2:0"); /* at the timestamps both have */
    check_series("NOT (a < 3) && !b", "0:0 2:1");
    check_series("1 + 1 == 2 OR 0", "0:1 1:1 2:1");
    check_series("IF(a > 3, a, 0)", "0:0 1:4 2:6");
    check_series("IF(a > 3, b)", "2:0"); /* b has no point at minute 1; no else */
    check_series("IF(b, a * 10, -1)", "0:20 2:-1");
    check_series("IF(1 > 2, a, b)", "0:1 2:0");
    check_series("IF(0, a)", "");
}

static void test_parse_errors(void **state)
{
    (void)state;
    check_refused("", "the expression ends where a value is expected");
    check_refused("a +", "the expression ends where a value is expected");
    check_refused("a b", "'b' is not expected here");
    check_refused("(a", "a ')' is missing");
    check_refused("SUM(a", "a ')' is missing after the arguments of SUM");
    check_refused("SUM()", "SUM takes 1 argument");
    check_refused("SUM(a, b)", "SUM takes at most 1 argument");
    check_refused("METRICS(a)", "METRICS takes a string, as in METRICS(\"errors\")");
    check_refused("METRICS(\"a)", "a string is not closed");
    check_refused("Foo(a)", "the function Foo is not supported");
    check_refused("REPEAT", "REPEAT is neither a query Id nor a function");
    check_refused("a # 2", "'#' is not expected here");
    check_refused("a \xc3\xa9", "character 3 is not expected here");
    check_refused("a + .", "'.' is not a number");
    check_refused("a ANDb", "'A' is not expected here");
    check_refused("a <", "the expression ends where a value is expected");
    check_refused("IF(a)", "IF takes 2 arguments");
    char deep[200];
    memset(deep, '-', sizeof deep - 2);
    deep[sizeof deep - 2] = '1';
    deep[sizeof deep - 1] = '\0';
    check_refused(deep, "the expression is nested more than 64 deep");
}

static void test_references(void **state)
{
    (void)state;
    request r;
    request_init(&r);
    add_expression(&r, "e1", "e2 * 2");
    add_expression(&r, "e2", "a + e3");
    add_expression(&r, "e3", "SUM(METRICS())");
    size_t bad = 99;
    assert_true(math_check(&r.ctx, &bad));
    assert_true(math_eval(&r.ctx, 2));
    assert_int_equal(r.refs[2].list[0].n, 3);
    assert_true(r.refs[2].list[0].v[2] == 24); /* (6 + 6) * 2 */
    add_expression(&r, "e4", "e5");
    add_expression(&r, "e5", "ABS(e4)");
    assert_false(math_check(&r.ctx, &bad));
    assert_int_equal(bad, 5);
    assert_string_equal(r.ctx.err, "the expression of e4 depends on itself");
    r.ctx.n_refs = 5;
    add_expression(&r, "e6", "nope + 1");
    assert_false(math_check(&r.ctx, &bad));
    assert_int_equal(bad, 5);
    assert_string_equal(r.ctx.err, "no query has the Id nope");
    arena_free(&r.arena);
}

static void test_evaluation_errors(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"RATE(3)", "RATE needs a time series, not a number"},
        {"FILL(a, b)", "FILL's value must be a number, REPEAT or LINEAR"},
        {"METRICS() + METRICS()", "'+' between two arrays of time series is not supported"},
        {"IF(METRICS(), 1)", "IF's condition must be a number or one time series"},
        {"IF(a, METRICS())", "IF's values must be numbers or one time series each"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        request r;
        request_init(&r);
        add_expression(&r, "e", cases[i][0]);
        size_t bad;
        assert_true(math_check(&r.ctx, &bad));
        assert_false(math_eval(&r.ctx, 2));
        assert_string_equal(r.ctx.err, cases[i][1]);
        arena_free(&r.arena);
    }
    request r; /* FILL over more periods than allowed, and too many sums */
    request_init(&r);
    r.ctx.end_s = T0 + 60 * 1000;
    add_expression(&r, "e", "FILL(a, 0)");
    size_t bad;
    assert_true(math_check(&r.ctx, &bad));
    assert_false(math_eval(&r.ctx, 2));
    assert_string_equal(r.ctx.err, "the expressions would compute more than 100 points");
    r.refs[2] = (math_ref){
        .id = "e",
        .expr = math_parse(&r.arena,
                           "a+a+a+a+a+a+a+a+a+a+a+a+a+a+a+a+a+a+a+a+a+a+a+a+a+a+a+a+a+a+a+a+a+a+a",
                           r.ctx.err, sizeof r.ctx.err)};
    r.ctx.points = 0;
    assert_true(math_check(&r.ctx, &bad));
    assert_false(math_eval(&r.ctx, 2)); /* 34 sums of 3 points */
    assert_string_equal(r.ctx.err, "the expressions would compute more than 100 points");
    arena_free(&r.arena);
}

static void test_arrays_keep_their_members(void **state)
{
    (void)state;
    request r;
    request_init(&r);
    add_expression(&r, "e", "METRICS() * 10");
    size_t bad;
    assert_true(math_check(&r.ctx, &bad));
    assert_true(math_eval(&r.ctx, 2));
    assert_int_equal(r.refs[2].n_list, 2);
    assert_string_equal(r.refs[2].list[1].label, "B");
    assert_true(r.refs[2].list[1].v[0] == 10);
    assert_true(r.metrics[1].v[0] == 1); /* the metric itself untouched */
    arena_free(&r.arena);
}

static void test_a_metric_without_points(void **state)
{
    (void)state;
    request r;
    request_init(&r);
    r.metrics[1] = (math_series){.label = "B", .period = 60}; /* no such metric: no arrays */
    add_expression(&r, "e", "SUM(METRICS()) + 1 + 0 * MAX(b)");
    size_t bad;
    assert_true(math_check(&r.ctx, &bad));
    assert_true(math_eval(&r.ctx, 2));
    assert_int_equal(r.refs[2].list[0].n, 0); /* MAX of nothing is no value */
    r.refs[2] = (math_ref){
        .id = "e",
        .expr = math_parse(&r.arena, "FILL(b, 1) + SUM(METRICS())", r.ctx.err, sizeof r.ctx.err)};
    assert_true(math_check(&r.ctx, &bad));
    assert_true(math_eval(&r.ctx, 2));
    assert_int_equal(r.refs[2].list[0].n, 3);
    assert_true(r.refs[2].list[0].v[2] == 7);
    arena_free(&r.arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_precedence_and_scalars),
        cmocka_unit_test(test_series_meet_at_matching_timestamps),
        cmocka_unit_test(test_aggregates),
        cmocka_unit_test(test_fill_rate_diff_abs),
        cmocka_unit_test(test_comparisons_and_if),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_references),
        cmocka_unit_test(test_evaluation_errors),
        cmocka_unit_test(test_arrays_keep_their_members),
        cmocka_unit_test(test_a_metric_without_points),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
