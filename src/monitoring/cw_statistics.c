/* cw_statistics.c - GetMetricStatistics: the statistics of one metric over periods.
 *
 * Checks, in order: the model (cw_validate); Statistics or ExtendedStatistics, one of them
 * (InvalidParameterCombination) and each percentile's name (InvalidParameterValue); the period;
 * StartTime before EndTime (InvalidParameterValue); at most 1,440 datapoints
 * (InvalidParameterCombination, in AWS's words); dimension names once each. A metric that does
 * not exist, or whose unit is not the one asked for, has no datapoints. Datapoints come in time
 * order, each with the statistics asked for and its unit; a percentile the samples of a period
 * cannot give (statistic sets put without their values) is left out of its ExtendedStatistics. */
#include <stdio.h>
#include <string.h>

#include "collect.h"
#include "cw_ops.h"
#include "query.h"
#include "stats.h"

#define MAX_EXTENDED 10 /* the model's limit */

typedef struct wanted {
    bool basic[STAT_MAXIMUM + 1];       /* by stat_kind */
    stat_spec pct[MAX_EXTENDED];        /* the percentiles asked for */
    const char *pct_name[MAX_EXTENDED]; /* as asked ("p99"): their keys in the answer */
    int n_pct;                          /* how many */
    const char *unit;                   /* of the metric's samples */
    kenc *out;                          /* the answer */
} wanted;

static const char *const basic_keys[] = {
    [STAT_SAMPLE_COUNT] = "SampleCount", [STAT_AVERAGE] = "Average", [STAT_SUM] = "Sum",
    [STAT_MINIMUM] = "Minimum",          [STAT_MAXIMUM] = "Maximum",
};

static bool read_statistics(op_call *call, wanted *w)
{
    const kval *basic = kv_get(call->input, "Statistics");
    const kval *extended = kv_get(call->input, "ExtendedStatistics");
    if (!basic == !extended) {
        cw_error(call, CW_INVALID_PARAMETER_COMBINATION,
                 "Must specify either Statistics or ExtendedStatistics, but not both.");
        return false;
    }
    for (size_t i = 0; basic && i < basic->u.list.n; i++) {
        stat_spec spec;
        if (stat_parse(basic->u.list.items[i].u.s.ptr, false, &spec))
            w->basic[spec.kind] = true;
    }
    for (size_t i = 0; extended && i < extended->u.list.n && i < MAX_EXTENDED; i++) {
        const char *name = extended->u.list.items[i].u.s.ptr;
        if (!stat_parse(name, true, &w->pct[w->n_pct]) ||
            w->pct[w->n_pct].kind != STAT_PERCENTILE) {
            cw_error(call, CW_INVALID_PARAMETER_VALUE,
                     "The value %s for parameter ExtendedStatistics.member.%zu is not a valid "
                     "percentile statistic.",
                     name, i + 1);
            return false;
        }
        w->pct_name[w->n_pct++] = name;
    }
    return true;
}

static bool check_count(op_call *call, int64_t start_s, int64_t end_s, int64_t period)
{
    int64_t n = query_period_count(start_s, end_s, period);
    if (n <= QUERY_MAX_DATAPOINTS)
        return true;
    cw_error(call, CW_INVALID_PARAMETER_COMBINATION,
             "You have requested up to %lld datapoints, which exceeds the limit of %d. You may "
             "reduce the datapoints requested by increasing Period, or decreasing the time range.",
             (long long)n, QUERY_MAX_DATAPOINTS);
    return false;
}

static void write_extended(kenc *out, const wanted *w, const period_point *p)
{
    bool open = false;
    for (int i = 0; i < w->n_pct; i++) {
        double v;
        if (!stat_value(&w->pct[i], &p->acc, p->hist, p->whole, &v))
            continue;
        if (!open) {
            enc_key(out, "ExtendedStatistics");
            enc_map_begin(out);
            open = true;
        }
        enc_key(out, w->pct_name[i]);
        enc_double(out, v);
    }
    if (open)
        enc_map_end(out);
}

static void write_datapoint(const period_point *p, void *arg)
{
    wanted *w = arg;
    kenc *out = w->out;
    enc_map_begin(out);
    enc_key(out, "Timestamp");
    enc_timestamp_ms(out, p->t * 1000);
    for (int k = STAT_SAMPLE_COUNT; k <= STAT_MAXIMUM; k++) {
        stat_spec spec = {(stat_kind)k, 0};
        double v;
        if (w->basic[k] && stat_value(&spec, &p->acc, p->hist, p->whole, &v)) {
            enc_key(out, basic_keys[k]);
            enc_double(out, v);
        }
    }
    enc_key(out, "Unit");
    enc_str(out, w->unit);
    write_extended(out, w, p);
    enc_map_end(out);
}

/* The metric the request names, if it exists and has the unit asked for. */
static series *requested_series(op_call *call, const metric_dim *dims, int n_dims)
{
    series *s = cw_find_series(call, kv_str(call->input, "Namespace"),
                               kv_str(call->input, "MetricName"), dims, n_dims);
    const char *unit = kv_str(call->input, "Unit");
    return s && (!unit || strcmp(unit, metric_unit_name(s->unit)) == 0) ? s : NULL;
}

void cw_get_metric_statistics(op_call *call)
{
    wanted w = {.out = call->out};
    int64_t period = 0, start_s, end_s;
    kv_int(call->input, "Period", &period);
    metric_dim dims[METRIC_MAX_DIMS];
    int n_dims;
    if (!cw_validate(call) || !read_statistics(call, &w) ||
        !cw_period(call, CW_INVALID_PARAMETER_VALUE, "Period", period) ||
        !cw_time_range(call, CW_INVALID_PARAMETER_VALUE, &start_s, &end_s) ||
        !check_count(call, start_s, end_s, period) ||
        (n_dims = cw_dimensions(call, kv_get(call->input, "Dimensions"), "Dimensions", dims)) < 0)
        return;
    series *s = requested_series(call, dims, n_dims);
    enc_map_begin(call->out);
    enc_key(call->out, "Label");
    enc_str(call->out, kv_str(call->input, "MetricName"));
    enc_key(call->out, "Datapoints");
    enc_list_begin(call->out);
    if (s) {
        w.unit = metric_unit_name(s->unit);
        if (query_periods(collector_history(), s, start_s, end_s, period, write_datapoint, &w) !=
            0) {
            cw_error(call, CW_INTERNAL_FAILURE, "Internal service failure.");
            return;
        }
    }
    enc_list_end(call->out);
    enc_map_end(call->out);
}
