/* fuzz_monitoring_math.c - metric math expressions (cw_math.h) as GetMetricData takes them from
 * any caller: the input is the Expression's text.
 *
 * Whatever the text, math_parse either gives a tree or a message; a tree whose references are
 * known (metrics a and b, the expression itself as e) either evaluates or says why; every series
 * it gives has ascending timestamps and finite values, no more points than allowed; every message
 * is ASCII. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "monitoring/cw_math.h"

#define T0 1800000000

static void check_series(const math_series *s, size_t max_points)
{
    FUZZ_REQUIRE(s->n <= max_points);
    for (size_t i = 0; i < s->n; i++) {
        FUZZ_REQUIRE(isfinite(s->v[i]));
        FUZZ_REQUIRE(i == 0 || s->t[i - 1] < s->t[i]);
    }
}

/* A message names only ASCII (the answer's text must stay valid UTF-8). */
static void check_message(const char *err)
{
    FUZZ_REQUIRE(err[0]);
    for (const char *p = err; *p; p++)
        FUZZ_REQUIRE((unsigned char)*p < 0x80);
}

static void evaluate(arena *a, math_node *expr)
{
    int64_t a_t[] = {T0, T0 + 60, T0 + 120}, b_t[] = {T0, T0 + 120};
    double a_v[] = {2, -4, 6}, b_v[] = {1, 0};
    math_series metrics[] = {{.label = "A", .t = a_t, .v = a_v, .n = 3, .period = 60},
                             {.label = "B", .t = b_t, .v = b_v, .n = 2, .period = 60}};
    math_ref refs[] = {{.id = "a", .list = &metrics[0], .n_list = 1},
                       {.id = "b", .list = &metrics[1], .n_list = 1},
                       {.id = "e", .expr = expr}};
    math_ctx c = {.arena = a,
                  .refs = refs,
                  .n_refs = 3,
                  .start_s = T0,
                  .end_s = T0 + 600,
                  .max_points = 1000};
    size_t bad;
    if (!math_check(&c, &bad)) {
        FUZZ_REQUIRE(bad == 2);
        check_message(c.err);
        return;
    }
    if (!math_eval(&c, 2)) {
        check_message(c.err);
        return;
    }
    for (size_t i = 0; i < refs[2].n_list; i++)
        check_series(&refs[2].list[i], c.max_points);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena a;
    arena_init(&a);
    char *text = arena_strndup(&a, (const char *)data, size);
    char err[MATH_ERR_LEN] = "";
    math_node *expr = math_parse(&a, text, err, sizeof err);
    if (expr)
        evaluate(&a, expr);
    else
        check_message(err);
    arena_free(&a);
    return 0;
}
