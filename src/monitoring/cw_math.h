/* cw_math.h - CloudWatch metric math, as GetMetricData evaluates a query's Expression over the
 * results of the other queries (named by their Id).
 *
 * An expression is parsed into a small tree (math_parse), its references checked against the
 * request's queries (unknown ids, cycles: math_check), then evaluated (math_eval). Values are a
 * scalar, a time series or an array of time series:
 *   - + - * / apply point by point; between two series only at the timestamps both have; a
 *     division by zero (or any result that is not finite) gives no point;
 *   - SUM, AVG, MIN, MAX of one series give a scalar; of an array, a series (each timestamp where
 *     any member has a point, over the members that have one);
 *   - METRICS() is the array of every MetricStat query, METRICS("s") of those whose Id holds s;
 *   - FILL(x, value | REPEAT | LINEAR) gives a point at every period of the request's range;
 *     RATE (per second), DIFF (from the previous point) and ABS apply to each series;
 *   - < > <= >= == != AND (&&) OR (||) NOT (!) give 1 or 0, as + - * / do;
 *     IF(condition, then [, else]) gives, at each point of the condition, then's value where it
 *     is not 0 and else's (or none) where it is.
 * Everything is allocated in the given arena, at most max_points points in all (an evaluation
 * that would compute more is refused). Errors are reported as a sentence in `err`. */
#ifndef KINESD_MONITORING_CW_MATH_H
#define KINESD_MONITORING_CW_MATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"

#define MATH_ERR_LEN 256

/* A time series: ascending timestamps and their values. */
typedef struct math_series {
    const char *label; /* its name in the answer */
    int64_t *t;        /* timestamps, seconds, ascending */
    double *v;         /* values */
    size_t n;          /* how many points */
    int64_t period;    /* seconds between periods (FILL's step) */
} math_series;

typedef struct math_node math_node; /* a parsed expression */

/* One query of the request, as expressions see it. */
typedef struct math_ref {
    const char *id;    /* its Id */
    math_node *expr;   /* its parsed Expression; NULL for a MetricStat query */
    math_series *list; /* its result: the caller's for a metric, math_eval's for an expression */
    size_t n_list;     /* how many series (one for a metric) */
    int state;         /* math_check's and math_eval's bookkeeping; 0 from the caller */
} math_ref;

/* The request the expressions are evaluated in. */
typedef struct math_ctx {
    arena *arena;           /* where results live */
    math_ref *refs;         /* every query, in the request's order */
    size_t n_refs;          /* how many */
    int64_t start_s, end_s; /* StartTime and EndTime (FILL's range) */
    size_t max_points;      /* the most points the evaluation may compute, all results together */
    size_t points;          /* how many it computed so far */
    char err[MATH_ERR_LEN]; /* what was wrong, when a call returns false */
} math_ctx;

/* Parses text; NULL with err set when it is not a valid expression. */
math_node *math_parse(arena *a, const char *text, char *err, size_t err_len);

/* Checks that every expression names known queries and none depends on itself; false with
 * c->err set and *bad the index of the query at fault. */
bool math_check(math_ctx *c, size_t *bad);

/* Evaluates c->refs[i] (an expression), and what it depends on, into its list; a scalar result
 * is given at every timestamp of the request's metrics. False with c->err set. */
bool math_eval(math_ctx *c, size_t i);

#endif
