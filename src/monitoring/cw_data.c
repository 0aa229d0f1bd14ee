/* cw_data.c - GetMetricData: several metrics, each with one statistic over periods, as
 * timestamps and values, and metric math expressions over them (cw_math.h).
 *
 * Checks, in order: the model (cw_validate); StartTime before EndTime; at most 500 queries; for
 * each query an Id that starts with a lower-case letter and holds only letters, digits and
 * underscores, used once; either a MetricStat or an Expression, not both; a MetricStat's Stat is
 * a statistic CloudWatch knows (AWS's words) and its Period is valid; dimension names once each;
 * an Expression parses; then, over all queries, the Ids expressions name exist and no expression
 * depends on itself. All are ValidationError, and nothing is computed before all pass.
 *
 * Each query with ReturnData (the default) gets a result: its Label (default: the metric name, or
 * an expression's Id), the periods with samples newest first (ScanBy TimestampDescending, the
 * default) or oldest first, and StatusCode Complete - or PartialData once MaxDatapoints (default
 * 100,800) values were returned over all queries, the rest being left out (kinesd does not page
 * GetMetricData). An expression that gives an array of series gets one result per series, each
 * with the expression's Id and labelled "<Label> <the series' label>" (or the series' label). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "cw_math.h"
#include "cw_ops.h"
#include "query.h"
#include "stats.h"

#define MAX_QUERIES 500
#define DEFAULT_MAX_DATAPOINTS 100800
#define MAX_MATH_POINTS (10 * DEFAULT_MAX_DATAPOINTS) /* what expressions may compute: 16 MB */

typedef struct data_query {
    const kval *in;    /* the MetricDataQuery */
    const char *id;    /* its Id */
    const char *label; /* Label, or the metric name (an expression's Id) */
    math_node *expr;   /* the parsed Expression; NULL for a MetricStat */
    series *s;         /* NULL: no such metric (or not with the unit asked) */
    stat_spec stat;    /* MetricStat.Stat */
    int64_t period;    /* MetricStat.Period */
    int64_t *times;    /* the result's timestamps, seconds (malloc'd) */
    double *values;    /* and values (malloc'd) */
    size_t n;          /* how many */
    size_t cap;        /* room for */
    bool partial;      /* stopped at MaxDatapoints */
} data_query;

typedef struct data_run {
    op_call *call;
    data_query *q;          /* the queries, in the request's order */
    size_t n;               /* how many */
    int64_t start_s, end_s; /* StartTime, EndTime */
    int64_t budget;         /* datapoints still allowed (MaxDatapoints) */
    size_t at;              /* the query being checked or run */
    math_ctx math;          /* the queries as expressions see them */
} data_run;

static bool fail(data_run *r, const char *fmt, const char *value)
{
    cw_error(r->call, CW_VALIDATION_ERROR, fmt, value, r->at + 1);
    return false;
}

static bool id_valid(const char *id)
{
    if (!islower((unsigned char)id[0]))
        return false;
    for (const char *p = id; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return false;
    return true;
}

static bool check_id(data_run *r, data_query *q)
{
    if (!id_valid(q->id))
        return fail(r, "The value %s for parameter MetricDataQueries.member.%zu.Id is invalid.",
                    q->id);
    for (size_t j = 0; j < r->at; j++)
        if (strcmp(r->q[j].id, q->id) == 0)
            return fail(r,
                        "The value %s for parameter MetricDataQueries.member.%zu.Id is "
                        "duplicated.",
                        q->id);
    return true;
}

/* The metric, statistic and period of q's MetricStat. */
static bool read_metric_stat(data_run *r, data_query *q, const kval *ms)
{
    const kval *metric = kv_get(ms, "Metric");
    const char *stat = kv_str(ms, "Stat"), *unit = kv_str(ms, "Unit");
    char path[96];
    kv_int(ms, "Period", &q->period);
    if (!stat_parse(stat, true, &q->stat))
        return fail(r,
                    "The value %s for parameter MetricDataQueries.member.%zu.MetricStat.Stat is "
                    "not a valid statistic.",
                    stat);
    snprintf(path, sizeof path, "MetricDataQueries.member.%zu.MetricStat.Period", r->at + 1);
    if (!cw_period(r->call, CW_VALIDATION_ERROR, path, q->period))
        return false;
    snprintf(path, sizeof path, "MetricDataQueries.member.%zu.MetricStat.Metric.Dimensions",
             r->at + 1);
    metric_dim dims[METRIC_MAX_DIMS];
    int n_dims = cw_dimensions(r->call, kv_get(metric, "Dimensions"), path, dims);
    if (n_dims < 0)
        return false;
    const char *name = kv_str(metric, "MetricName");
    q->s = cw_find_series(r->call, kv_str(metric, "Namespace"), name, dims, n_dims);
    if (q->s && unit && strcmp(unit, metric_unit_name(q->s->unit)) != 0)
        q->s = NULL;
    if (!q->label)
        q->label = name ? name : q->id;
    return true;
}

static bool bad_expression(data_run *r, size_t i, const char *why)
{
    cw_error(r->call, CW_VALIDATION_ERROR,
             "The value %s for parameter MetricDataQueries.member.%zu.Expression is not a valid "
             "expression: %s.",
             kv_str(r->q[i].in, "Expression"), i + 1, why);
    return false;
}

static bool read_expression(data_run *r, data_query *q, const char *text)
{
    q->expr = math_parse(r->call->arena, text, r->math.err, sizeof r->math.err);
    if (!q->expr)
        return bad_expression(r, r->at, r->math.err);
    if (!q->label)
        q->label = q->id;
    return true;
}

/* The queries for the expressions: their ids, and the expressions' references checked. */
static bool check_expressions(data_run *r)
{
    r->math = (math_ctx){.arena = r->call->arena,
                         .n_refs = r->n,
                         .start_s = r->start_s,
                         .end_s = r->end_s,
                         .max_points = MAX_MATH_POINTS};
    r->math.refs = arena_alloc(r->call->arena, (r->n ? r->n : 1) * sizeof *r->math.refs);
    for (size_t i = 0; i < r->n; i++)
        r->math.refs[i] = (math_ref){.id = r->q[i].id, .expr = r->q[i].expr};
    size_t bad;
    return math_check(&r->math, &bad) || bad_expression(r, bad, r->math.err);
}

static bool read_query(data_run *r, data_query *q)
{
    q->id = kv_str(q->in, "Id");
    q->label = kv_str(q->in, "Label");
    if (!check_id(r, q))
        return false;
    const kval *ms = kv_get(q->in, "MetricStat");
    const char *expr = kv_str(q->in, "Expression");
    if (ms && expr) {
        cw_error(r->call, CW_VALIDATION_ERROR,
                 "MetricDataQueries.member.%zu must have either a MetricStat or an Expression, "
                 "not both.",
                 r->at + 1);
        return false;
    }
    if (expr)
        return read_expression(r, q, expr);
    if (!ms) {
        cw_error(r->call, CW_VALIDATION_ERROR,
                 "The parameter MetricDataQueries.member.%zu.MetricStat is required.", r->at + 1);
        return false;
    }
    return read_metric_stat(r, q, ms);
}

static void add_value(const period_point *p, void *arg)
{
    data_run *r = arg;
    data_query *q = &r->q[r->at];
    double v;
    if (!stat_value(&q->stat, &p->acc, p->hist, p->whole, &v))
        return;
    if (r->budget <= 0) {
        q->partial = true;
        return;
    }
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 64;
        q->times = realloc(q->times, q->cap * sizeof *q->times);
        q->values = realloc(q->values, q->cap * sizeof *q->values);
        if (!q->times || !q->values)
            abort();
    }
    q->times[q->n] = p->t;
    q->values[q->n++] = v;
    r->budget--;
}

static void write_result(kenc *out, const char *id, const char *label, const math_series *s,
                         bool partial, bool ascending)
{
    enc_map_begin(out);
    enc_key(out, "Id");
    enc_str(out, id);
    enc_key(out, "Label");
    enc_str(out, label);
    enc_key(out, "Timestamps");
    enc_list_begin(out);
    for (size_t i = 0; i < s->n; i++)
        enc_timestamp_ms(out, s->t[ascending ? i : s->n - 1 - i] * 1000);
    enc_list_end(out);
    enc_key(out, "Values");
    enc_list_begin(out);
    for (size_t i = 0; i < s->n; i++)
        enc_double(out, s->v[ascending ? i : s->n - 1 - i]);
    enc_list_end(out);
    enc_key(out, "StatusCode");
    enc_str(out, partial ? "PartialData" : "Complete");
    enc_map_end(out);
}

/* The label of one series of an expression's array: "<Label> <its label>", or its label. */
static const char *member_label(data_run *r, const data_query *q, const math_series *s)
{
    const char *label = kv_str(q->in, "Label");
    if (!label)
        return s->label ? s->label : q->id;
    size_t len = strlen(label) + strlen(s->label ? s->label : "") + 2;
    char *both = arena_alloc(r->call->arena, len);
    snprintf(both, len, "%s %s", label, s->label ? s->label : "");
    return both;
}

static void write_query(data_run *r, size_t i, bool ascending)
{
    const data_query *q = &r->q[i];
    const math_ref *ref = &r->math.refs[i];
    if (!q->expr || ref->n_list == 1) {
        write_result(r->call->out, q->id, q->label, &ref->list[0], q->partial, ascending);
        return;
    }
    for (size_t k = 0; k < ref->n_list; k++)
        write_result(r->call->out, q->id, member_label(r, q, &ref->list[k]), &ref->list[k],
                     q->partial, ascending);
}

static void write_output(data_run *r)
{
    const char *scan = kv_str(r->call->input, "ScanBy");
    bool ascending = scan && strcmp(scan, "TimestampAscending") == 0;
    kenc *out = r->call->out;
    enc_map_begin(out);
    enc_key(out, "MetricDataResults");
    enc_list_begin(out);
    for (size_t i = 0; i < r->n; i++)
        if (kv_bool(r->q[i].in, "ReturnData", true))
            write_query(r, i, ascending);
    enc_list_end(out);
    enc_key(out, "Messages");
    enc_list_begin(out);
    enc_list_end(out);
    enc_map_end(out);
}

/* Each MetricStat query's datapoints; false with call->err set. */
static bool fetch_metrics(data_run *r)
{
    for (r->at = 0; r->at < r->n; r->at++) {
        data_query *q = &r->q[r->at];
        if (q->expr)
            continue;
        math_series *s = arena_alloc(r->call->arena, sizeof *s);
        if (q->s && query_periods(collector_history(), q->s, r->start_s, r->end_s, q->period,
                                  add_value, r) != 0) {
            cw_error(r->call, CW_INTERNAL_FAILURE, "Internal service failure.");
            return false;
        }
        *s = (math_series){
            .label = q->label, .t = q->times, .v = q->values, .n = q->n, .period = q->period};
        r->math.refs[r->at].list = s;
        r->math.refs[r->at].n_list = 1;
    }
    return true;
}

/* The series of query i cut to what MaxDatapoints leaves (in a list of its own: the series may
 * be another query's). */
static void spend_budget(data_run *r, size_t i)
{
    math_ref *ref = &r->math.refs[i];
    math_series *list = arena_alloc(r->call->arena, ref->n_list * sizeof *list);
    for (size_t k = 0; k < ref->n_list; k++) {
        list[k] = ref->list[k];
        size_t room = r->budget > 0 ? (size_t)r->budget : 0;
        r->q[i].partial = r->q[i].partial || list[k].n > room;
        list[k].n = list[k].n > room ? room : list[k].n;
        r->budget -= (int64_t)list[k].n;
    }
    ref->list = list;
}

/* Every expression (a hidden one too: each must hold); false with call->err set. */
static bool evaluate_expressions(data_run *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->q[i].expr && !math_eval(&r->math, i))
            return bad_expression(r, i, r->math.err);
    for (size_t i = 0; i < r->n; i++)
        if (r->q[i].expr && kv_bool(r->q[i].in, "ReturnData", true))
            spend_budget(r, i);
    return true;
}

/* Checks every query, then runs them; false with call->err set. */
static bool run(data_run *r)
{
    for (r->at = 0; r->at < r->n; r->at++)
        if (!read_query(r, &r->q[r->at]))
            return false;
    return check_expressions(r) && fetch_metrics(r) && evaluate_expressions(r);
}

void cw_get_metric_data(op_call *call)
{
    data_run r = {.call = call, .budget = DEFAULT_MAX_DATAPOINTS};
    const kval *queries = kv_get(call->input, "MetricDataQueries");
    kv_int(call->input, "MaxDatapoints", &r.budget);
    if (!cw_validate(call) || !cw_time_range(call, CW_VALIDATION_ERROR, &r.start_s, &r.end_s))
        return;
    r.n = queries->u.list.n;
    if (r.n > MAX_QUERIES) {
        cw_error(call, CW_VALIDATION_ERROR,
                 "The collection MetricDataQueries must not have a size greater than %d.",
                 MAX_QUERIES);
        return;
    }
    r.q = arena_alloc(call->arena, (r.n ? r.n : 1) * sizeof *r.q);
    for (size_t i = 0; i < r.n; i++)
        r.q[i].in = &queries->u.list.items[i];
    if (run(&r))
        write_output(&r);
    for (size_t i = 0; i < r.n; i++) {
        free(r.q[i].times);
        free(r.q[i].values);
    }
}
