/* cw_math_eval.c - evaluates a parsed metric math expression (cw_math_node.h) over the request's
 * series: the values, operators and functions cw_math.h lists. Every series built here lives in
 * the context's arena and is sized before it is filled. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw_math_node.h"
#include "query.h"

#define TOO_MANY_POINTS "the expressions would compute more than %zu points"

/* math_ref.state once math_eval has started on it. */
enum { EVAL_NONE, EVAL_RUNNING, EVAL_SERIES, EVAL_ARRAY };

/* What an expression or part of one evaluates to. */
typedef struct math_value {
    bool is_scalar;    /* a number, not series */
    double scalar;     /* the number (NaN: none, as AVG of no points) */
    math_series *list; /* the series */
    size_t n;          /* how many */
    bool array;        /* an array of series (METRICS()), even of one: aggregates go across */
} math_value;

static bool eval(math_ctx *c, const math_node *n, math_value *out);

static bool fail(math_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(math_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    return false;
}

/* An empty series with room for cap points, named and stepped like `like` (if any). */
static math_series *series_new(math_ctx *c, const math_series *like, size_t cap)
{
    math_series *s = arena_alloc(c->arena, sizeof *s);
    c->points += cap;
    s->t = arena_alloc(c->arena, (cap ? cap : 1) * sizeof *s->t);
    s->v = arena_alloc(c->arena, (cap ? cap : 1) * sizeof *s->v);
    if (like) {
        s->label = like->label;
        s->period = like->period;
    }
    return s;
}

/* Appends a point, unless its value is not finite (a division by zero gives no point). */
static void series_push(math_series *s, int64_t t, double v)
{
    if (!isfinite(v))
        return;
    s->t[s->n] = t;
    s->v[s->n++] = v;
}

/* a op b; a comparison or logical operator gives 1 or 0; NaN for no value. */
static double apply(char op, double a, double b)
{
    switch (op) {
    case '+':
        return a + b;
    case '-':
        return a - b;
    case '*':
        return a * b;
    case '/':
        return b == 0 ? NAN : a / b;
    case '<':
        return a < b;
    case '>':
        return a > b;
    case 'l':
        return a <= b;
    case 'g':
        return a >= b;
    case '=':
        return a == b;
    case '!':
        return a != b;
    case '&':
        return a != 0 && b != 0;
    default: /* '|' */
        return a != 0 || b != 0;
    }
}

/* ---- arithmetic ---- */

/* s op x, or x op s when flipped. */
static math_series *series_with_scalar(math_ctx *c, const math_series *s, char op, double x,
                                       bool flipped)
{
    math_series *out = series_new(c, s, s->n);
    for (size_t i = 0; i < s->n; i++)
        series_push(out, s->t[i], flipped ? apply(op, x, s->v[i]) : apply(op, s->v[i], x));
    return out;
}

/* a op b at the timestamps both have. */
static math_series *series_with_series(math_ctx *c, const math_series *a, char op,
                                       const math_series *b)
{
    math_series *out = series_new(c, a, a->n < b->n ? a->n : b->n);
    for (size_t i = 0, j = 0; i < a->n && j < b->n;) {
        if (a->t[i] < b->t[j])
            i++;
        else if (a->t[i] > b->t[j])
            j++;
        else {
            series_push(out, a->t[i], apply(op, a->v[i], b->v[j]));
            i++;
            j++;
        }
    }
    return out;
}

/* One member of a list combined with the other side (a scalar or a single series). */
static math_series *combine_one(math_ctx *c, const math_series *s, char op, const math_value *o,
                                bool flipped)
{
    if (o->is_scalar)
        return series_with_scalar(c, s, op, o->scalar, flipped);
    return flipped ? series_with_series(c, &o->list[0], op, s)
                   : series_with_series(c, s, op, &o->list[0]);
}

static bool eval_binary(math_ctx *c, const math_node *n, math_value *out)
{
    math_value a, b;
    if (!eval(c, n->args[0], &a) || !eval(c, n->args[1], &b))
        return false;
    if (a.is_scalar && b.is_scalar) {
        *out = (math_value){.is_scalar = true, .scalar = apply(n->op, a.scalar, b.scalar)};
        return true;
    }
    if (!a.is_scalar && !b.is_scalar && a.array && b.array)
        return fail(c, "'%c' between two arrays of time series is not supported", n->op);
    bool flipped = a.is_scalar || (b.array && !a.array);
    const math_value *many = flipped ? &b : &a, *other = flipped ? &a : &b;
    *out = (math_value){.n = many->n, .array = many->array};
    out->list = arena_alloc(c->arena, (many->n ? many->n : 1) * sizeof *out->list);
    for (size_t i = 0; i < many->n; i++)
        out->list[i] = *combine_one(c, &many->list[i], n->op, other, flipped);
    return true;
}

/* ---- functions applied to each series ---- */

typedef math_series *(*series_fn)(math_ctx *c, const math_series *s, const math_value *arg);

static math_series *series_abs(math_ctx *c, const math_series *s, const math_value *arg)
{
    (void)arg;
    math_series *out = series_new(c, s, s->n);
    for (size_t i = 0; i < s->n; i++)
        series_push(out, s->t[i], fabs(s->v[i]));
    return out;
}

static math_series *series_negate(math_ctx *c, const math_series *s, const math_value *arg)
{
    (void)arg;
    return series_with_scalar(c, s, '-', 0, true);
}

/* DIFF (per point) or RATE (per second) from the previous point; the first point has none. */
static math_series *series_change(math_ctx *c, const math_series *s, bool per_second)
{
    math_series *out = series_new(c, s, s->n);
    for (size_t i = 1; i < s->n; i++) {
        double d = s->v[i] - s->v[i - 1];
        series_push(out, s->t[i], per_second ? d / (double)(s->t[i] - s->t[i - 1]) : d);
    }
    return out;
}

static math_series *series_diff(math_ctx *c, const math_series *s, const math_value *arg)
{
    (void)arg;
    return series_change(c, s, false);
}

static math_series *series_rate(math_ctx *c, const math_series *s, const math_value *arg)
{
    (void)arg;
    return series_change(c, s, true);
}

/* The value FILL gives the missing period at t, between the points before (i - 1) and at i. */
static double fill_value(const math_series *s, size_t i, int64_t t, const math_value *arg)
{
    if (arg->is_scalar)
        return arg->scalar;
    if (i == 0) /* nothing before the gap: REPEAT and LINEAR leave it */
        return NAN;
    if (strcmp(arg->list->label, "REPEAT") == 0)
        return s->v[i - 1];
    if (i == s->n) /* nothing after it: LINEAR leaves it */
        return NAN;
    double f = (double)(t - s->t[i - 1]) / (double)(s->t[i] - s->t[i - 1]);
    return s->v[i - 1] + f * (s->v[i] - s->v[i - 1]);
}

/* A point at every period of the request's range: s's own, or the filling. */
static math_series *series_fill(math_ctx *c, const math_series *s, const math_value *arg)
{
    int64_t period = s->period > 0 ? s->period : 60;
    int64_t count = query_period_count(c->start_s, c->end_s, period);
    if (count < 0 || c->points + (size_t)count > c->max_points)
        return NULL;
    math_series *out = series_new(c, s, (size_t)count);
    int64_t t = query_start(c->start_s, period);
    for (size_t i = 0; t < c->end_s; t += period) {
        while (i < s->n && s->t[i] < t)
            i++;
        series_push(out, t, i < s->n && s->t[i] == t ? s->v[i] : fill_value(s, i, t, arg));
    }
    return out;
}

/* fn over each series of v (a scalar is refused: `name` needs a time series). */
static bool each_series(math_ctx *c, const char *name, math_value *v, series_fn fn,
                        const math_value *arg)
{
    if (v->is_scalar)
        return fail(c, "%s needs a time series, not a number", name);
    math_series *list = arena_alloc(c->arena, (v->n ? v->n : 1) * sizeof *list);
    for (size_t i = 0; i < v->n; i++) {
        math_series *s = fn(c, &v->list[i], arg);
        if (!s)
            return fail(c, TOO_MANY_POINTS, c->max_points);
        list[i] = *s;
    }
    v->list = list;
    return true;
}

/* ---- aggregates ---- */

static double aggregate(math_fn fn, const double *v, size_t n)
{
    if (n == 0)
        return NAN;
    double acc = v[0];
    for (size_t i = 1; i < n; i++)
        acc = fn == MATH_FN_MIN   ? fmin(acc, v[i])
              : fn == MATH_FN_MAX ? fmax(acc, v[i])
                                  : acc + v[i];
    return fn == MATH_FN_AVG ? acc / (double)n : acc;
}

static int compare_times(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Every timestamp of the list's series, ascending, once each; their count in *n. */
static int64_t *union_times(math_ctx *c, const math_series *list, size_t n_list, size_t *n)
{
    size_t total = 0;
    for (size_t i = 0; i < n_list; i++)
        total += list[i].n;
    int64_t *t = arena_alloc(c->arena, (total ? total : 1) * sizeof *t);
    for (size_t i = 0, k = 0; i < n_list; k += list[i].n, i++)
        if (list[i].n) /* a metric without points has no array */
            memcpy(t + k, list[i].t, list[i].n * sizeof *t);
    qsort(t, total, sizeof *t, compare_times);
    *n = 0;
    for (size_t i = 0; i < total; i++)
        if (*n == 0 || t[*n - 1] != t[i])
            t[(*n)++] = t[i];
    return t;
}

/* The aggregate across an array's members at each timestamp. */
static math_series *aggregate_across(math_ctx *c, math_fn fn, const math_value *v)
{
    size_t n_times;
    int64_t *times = union_times(c, v->list, v->n, &n_times);
    size_t *at = arena_alloc(c->arena, (v->n ? v->n : 1) * sizeof *at);
    double *values = arena_alloc(c->arena, (v->n ? v->n : 1) * sizeof *values);
    math_series *out = series_new(c, v->n ? &v->list[0] : NULL, n_times);
    for (size_t k = 0; k < n_times; k++) {
        size_t found = 0;
        for (size_t i = 0; i < v->n; i++)
            if (at[i] < v->list[i].n && v->list[i].t[at[i]] == times[k])
                values[found++] = v->list[i].v[at[i]++];
        series_push(out, times[k], aggregate(fn, values, found));
    }
    return out;
}

static bool eval_aggregate(math_ctx *c, math_fn fn, math_value *v)
{
    if (v->is_scalar)
        return true;
    if (!v->array) {
        *v = (math_value){.is_scalar = true, .scalar = aggregate(fn, v->list->v, v->list->n)};
        return true;
    }
    *v = (math_value){.list = aggregate_across(c, fn, v), .n = 1};
    return true;
}

/* ---- IF ---- */

/* v's value at t: a scalar's, or its series' point there (false: none). */
static bool value_at(const math_value *v, int64_t t, double *x)
{
    if (v->is_scalar) {
        *x = v->scalar;
        return true;
    }
    size_t lo = 0, hi = v->list->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->list->t[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == v->list->n || v->list->t[lo] != t)
        return false;
    *x = v->list->v[lo];
    return true;
}

/* IF(condition, then [, else]): at each point of the condition, then's value where it is not 0,
 * else's (or none) where it is. */
static bool eval_if(math_ctx *c, const math_node *n, math_value *out)
{
    math_value cond, branch[2] = {{.is_scalar = true, .scalar = NAN}};
    branch[1] = branch[0];
    if (!eval(c, n->args[0], &cond) || !eval(c, n->args[1], &branch[0]) ||
        (n->n_args == 3 && !eval(c, n->args[2], &branch[1])))
        return false;
    for (int i = 0; i < 2; i++)
        if (!branch[i].is_scalar && branch[i].array)
            return fail(c, "IF's values must be numbers or one time series each");
    if (cond.is_scalar) {
        *out = branch[cond.scalar != 0 ? 0 : 1];
        return true;
    }
    if (cond.array)
        return fail(c, "IF's condition must be a number or one time series");
    const math_series *s = cond.list;
    math_series *result = series_new(c, s, s->n);
    for (size_t i = 0; i < s->n; i++) {
        double x;
        if (value_at(&branch[s->v[i] != 0 ? 0 : 1], s->t[i], &x))
            series_push(result, s->t[i], x);
    }
    *out = (math_value){.list = result, .n = 1};
    return true;
}

/* ---- calls ---- */

static bool eval_metrics(math_ctx *c, const math_node *n, math_value *out)
{
    const char *part = n->n_args ? n->args[0]->text : "";
    *out = (math_value){.array = true};
    out->list = arena_alloc(c->arena, (c->n_refs ? c->n_refs : 1) * sizeof *out->list);
    for (size_t i = 0; i < c->n_refs; i++)
        if (!c->refs[i].expr && strstr(c->refs[i].id, part))
            out->list[out->n++] = c->refs[i].list[0];
    return true;
}

/* FILL's second argument: a number, or the keyword (carried as a series' label). */
static bool eval_fill_arg(math_ctx *c, const math_node *n, math_value *arg)
{
    if (n->kind == MATH_KEYWORD) {
        math_series *k = arena_alloc(c->arena, sizeof *k);
        k->label = n->text;
        *arg = (math_value){.list = k, .n = 1};
        return true;
    }
    if (!eval(c, n, arg))
        return false;
    return arg->is_scalar ? true : fail(c, "FILL's value must be a number, REPEAT or LINEAR");
}

static bool eval_call(math_ctx *c, const math_node *n, math_value *out)
{
    static const char *const names[] = {"SUM",  "AVG",  "MIN",  "MAX", "METRICS",
                                        "FILL", "RATE", "DIFF", "ABS", "IF"};
    static const series_fn per_series[] = {
        [MATH_FN_RATE] = series_rate, [MATH_FN_DIFF] = series_diff, [MATH_FN_ABS] = series_abs};
    if (n->fn == MATH_FN_METRICS)
        return eval_metrics(c, n, out);
    if (n->fn == MATH_FN_IF)
        return eval_if(c, n, out);
    if (!eval(c, n->args[0], out))
        return false;
    switch (n->fn) {
    case MATH_FN_SUM:
    case MATH_FN_AVG:
    case MATH_FN_MIN:
    case MATH_FN_MAX:
        return eval_aggregate(c, n->fn, out);
    case MATH_FN_FILL: {
        math_value arg;
        return eval_fill_arg(c, n->args[1], &arg) &&
               each_series(c, names[n->fn], out, series_fill, &arg);
    }
    case MATH_FN_ABS:
        if (out->is_scalar) {
            out->scalar = fabs(out->scalar);
            return true;
        }
        return each_series(c, names[n->fn], out, series_abs, NULL);
    default:
        return each_series(c, names[n->fn], out, per_series[n->fn], NULL);
    }
}

/* ---- values ---- */

static bool eval_ref(math_ctx *c, size_t i, math_value *out)
{
    math_ref *r = &c->refs[i];
    if (r->expr && !math_eval(c, i))
        return false;
    *out = (math_value){.list = r->list, .n = r->n_list, .array = r->state == EVAL_ARRAY};
    return true;
}

static bool eval_node(math_ctx *c, const math_node *n, math_value *out)
{
    switch (n->kind) {
    case MATH_NUMBER:
        *out = (math_value){.is_scalar = true, .scalar = n->number};
        return true;
    case MATH_REF:
        return eval_ref(c, n->ref, out);
    case MATH_NEGATE:
        if (!eval(c, n->args[0], out))
            return false;
        if (out->is_scalar) {
            out->scalar = -out->scalar;
            return true;
        }
        return each_series(c, "-", out, series_negate, NULL);
    case MATH_BINARY:
        return eval_binary(c, n, out);
    case MATH_CALL:
        return eval_call(c, n, out);
    default: /* strings and keywords only appear as arguments, where they are read */
        return fail(c, "%s is not a value", n->text);
    }
}

/* n's value, unless computing it took the points computed past the limit. */
static bool eval(math_ctx *c, const math_node *n, math_value *out)
{
    if (!eval_node(c, n, out))
        return false;
    return c->points <= c->max_points || fail(c, TOO_MANY_POINTS, c->max_points);
}

/* A scalar result, given at every timestamp of the request's metrics. */
static math_series *broadcast(math_ctx *c, double x)
{
    size_t n_metrics = 0;
    math_series *metrics = arena_alloc(c->arena, (c->n_refs ? c->n_refs : 1) * sizeof *metrics);
    for (size_t i = 0; i < c->n_refs; i++)
        if (!c->refs[i].expr)
            metrics[n_metrics++] = c->refs[i].list[0];
    size_t n;
    int64_t *times = union_times(c, metrics, n_metrics, &n);
    math_series *out = series_new(c, n_metrics ? &metrics[0] : NULL, n);
    for (size_t i = 0; i < n; i++)
        series_push(out, times[i], x);
    return out;
}

bool math_eval(math_ctx *c, size_t i)
{
    math_ref *r = &c->refs[i];
    if (r->state == EVAL_SERIES || r->state == EVAL_ARRAY)
        return true;
    if (r->state == EVAL_RUNNING)
        return fail(c, "the expression of %s depends on itself", r->id);
    r->state = EVAL_RUNNING;
    math_value v;
    if (!eval(c, r->expr, &v))
        return false;
    if (v.is_scalar) {
        v.list = broadcast(c, v.scalar);
        v.n = 1;
    }
    r->list = v.list;
    r->n_list = v.n;
    r->state = v.array ? EVAL_ARRAY : EVAL_SERIES;
    return true;
}
