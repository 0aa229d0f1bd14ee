/* cw_put.c - PutMetricData: custom metrics, in the caller's account and region.
 *
 * Checks, in order: the model (cw_validate); a namespace not starting with "AWS/"; at most 1,000
 * data; for each datum: one of Value, Values (with Counts of the same length, at most 150) or
 * StatisticValues, and Value with Values or StatisticValues is InvalidParameterCombination in
 * AWS's words; values within CloudWatch's range (magnitudes 2^-260 to 2^360, or zero); a
 * StorageResolution of 1 or 60; a Timestamp no more than two weeks back or two hours ahead
 * (default: now); dimension names once each. Everything is checked before anything is stored,
 * and then the whole request is one transaction.
 *
 * A datum's samples are summarised as the registry summarises samples (so percentiles work for
 * Value and Values); a StatisticSet counts in its histogram only when all its samples are one
 * value (SampleCount 1, or Minimum equal to Maximum), as CloudWatch computes percentiles only
 * then. A new metric keeps the datum's unit (default None) and shows in GET /metrics as a
 * histogram. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "cw_ops.h"

#define MAX_DATA 1000
#define MAX_VALUES 150
#define PAST_MS (14LL * 86400 * 1000)
#define FUTURE_MS (2LL * 3600 * 1000)

typedef struct datum {
    const kval *in; /* the MetricDatum */
    series *s;      /* its metric */
    int64_t t_ms;   /* its Timestamp (default: now) */
    stat_acc acc;   /* its samples */
    double *hist;   /* NULL when the samples are a statistic set of several values */
} datum;

static bool value_ok(double v)
{
    double a = fabs(v);
    return isfinite(v) && (a == 0 || (a >= ldexp(1, -260) && a <= ldexp(1, 360)));
}

static bool bad_value(op_call *call, size_t i, const char *member, double v)
{
    cw_error(call, CW_INVALID_PARAMETER_VALUE,
             "The value %g for parameter MetricData.member.%zu.%s is invalid.", v, i + 1, member);
    return false;
}

static bool exclusive(op_call *call, size_t i, const char *a, const char *b)
{
    cw_error(call, CW_INVALID_PARAMETER_COMBINATION,
             "The parameters MetricData.member.%zu.%s and MetricData.member.%zu.%s are mutually "
             "exclusive and you have specified both.",
             i + 1, a, i + 1, b);
    return false;
}

/* Value, Values (and Counts) or StatisticValues of datum i into d's summary. */
static bool summarise_values(op_call *call, size_t i, datum *d)
{
    const kval *value = kv_get(d->in, "Value"), *values = kv_get(d->in, "Values");
    const kval *counts = kv_get(d->in, "Counts"), *set = kv_get(d->in, "StatisticValues");
    if (value && set)
        return exclusive(call, i, "Value", "StatisticValues");
    if (value && values)
        return exclusive(call, i, "Value", "Values");
    if (values && set)
        return exclusive(call, i, "Values", "StatisticValues");
    if (!value && !values && !set) {
        cw_error(call, CW_MISSING_PARAMETER,
                 "The parameter MetricData.member.%zu.Value is required.", i + 1);
        return false;
    }
    if (values &&
        (values->u.list.n > MAX_VALUES || (counts && counts->u.list.n != values->u.list.n))) {
        cw_error(
            call, CW_INVALID_PARAMETER_VALUE,
            "The parameters MetricData.member.%zu.Values and MetricData.member.%zu.Counts must "
            "be of the same size, and at most %d.",
            i + 1, i + 1, MAX_VALUES);
        return false;
    }
    d->hist = arena_alloc(call->arena, HIST_BUCKETS * sizeof *d->hist);
    if (value) {
        if (!value_ok(value->u.d))
            return bad_value(call, i, "Value", value->u.d);
        acc_add(&d->acc, value->u.d, 1);
        d->hist[hist_bucket(value->u.d)] += 1;
        return true;
    }
    if (values) {
        for (size_t k = 0; k < values->u.list.n; k++) {
            double v = values->u.list.items[k].u.d, n = counts ? counts->u.list.items[k].u.d : 1;
            if (!value_ok(v))
                return bad_value(call, i, "Values", v);
            if (n > 0) {
                acc_add(&d->acc, v, n);
                d->hist[hist_bucket(v)] += n;
            }
        }
        return true;
    }
    double n = kv_get(set, "SampleCount")->u.d, sum = kv_get(set, "Sum")->u.d;
    double min = kv_get(set, "Minimum")->u.d, max = kv_get(set, "Maximum")->u.d;
    if (!(n > 0) || !value_ok(sum) || !value_ok(min) || !value_ok(max) || min > max)
        return bad_value(call, i, "StatisticValues", n);
    d->acc = (stat_acc){n, sum, min, max, max};
    if (n == 1 || min == max)
        d->hist[hist_bucket(min)] += n;
    else
        d->hist = NULL;
    return true;
}

static bool read_time(op_call *call, size_t i, datum *d)
{
    const kval *ts = kv_get(d->in, "Timestamp");
    int64_t resolution = 60;
    kv_int(d->in, "StorageResolution", &resolution);
    if (resolution != 1 && resolution != 60) {
        cw_error(call, CW_INVALID_PARAMETER_VALUE,
                 "The value %lld for parameter MetricData.member.%zu.StorageResolution is invalid.",
                 (long long)resolution, i + 1);
        return false;
    }
    d->t_ms = ts ? ts->u.i : call->now_ms;
    if (d->t_ms >= call->now_ms - PAST_MS && d->t_ms <= call->now_ms + FUTURE_MS)
        return true;
    cw_error(call, CW_INVALID_PARAMETER_VALUE,
             "The parameter MetricData.member.%zu.Timestamp must specify a time no more than two "
             "weeks in the past and no more than two hours in the future.",
             i + 1);
    return false;
}

/* Checks datum i and finds (or creates) its metric. */
static bool read_datum(op_call *call, size_t i, datum *d)
{
    char path[64];
    snprintf(path, sizeof path, "MetricData.member.%zu.Dimensions", i + 1);
    metric_dim dims[METRIC_MAX_DIMS];
    int n_dims = cw_dimensions(call, kv_get(d->in, "Dimensions"), path, dims);
    if (n_dims < 0 || !summarise_values(call, i, d) || !read_time(call, i, d))
        return false;
    const char *name = kv_str(d->in, "MetricName"), *unit = kv_str(d->in, "Unit");
    metric_scope scope = {call->account, call->region, kv_str(call->input, "Namespace"), dims,
                          n_dims};
    d->s = series_get(&scope, name, series_hash(&scope, name), METRIC_HISTOGRAM,
                      unit ? (metric_unit)metric_unit_parse(unit) : UNIT_NONE);
    if (!d->s)
        cw_error(call, CW_INTERNAL_FAILURE, "kinesd keeps no more metrics.");
    return d->s != NULL;
}

static bool check_request(op_call *call, const kval *data)
{
    const char *ns = kv_str(call->input, "Namespace");
    if (strncmp(ns, "AWS/", 4) == 0) {
        cw_error(call, CW_INVALID_PARAMETER_VALUE,
                 "The value %s for parameter Namespace is invalid.", ns);
        return false;
    }
    if (data && data->u.list.n > MAX_DATA) {
        cw_error(call, CW_INVALID_PARAMETER_VALUE,
                 "The collection MetricData must not have a size greater than %d.", MAX_DATA);
        return false;
    }
    return true;
}

void cw_put_metric_data(op_call *call)
{
    const kval *data = kv_get(call->input, "MetricData");
    if (!cw_validate(call) || !check_request(call, data))
        return;
    size_t n = data ? data->u.list.n : 0;
    datum *d = arena_alloc(call->arena, (n ? n : 1) * sizeof *d);
    for (size_t i = 0; i < n; i++) {
        d[i].in = &data->u.list.items[i];
        if (!read_datum(call, i, &d[i]))
            return;
    }
    history *h = collector_history();
    bool ok = history_begin(h) == 0;
    for (size_t i = 0; ok && i < n; i++)
        ok = collector_put(d[i].s, d[i].t_ms, &d[i].acc, d[i].hist, call->now_ms) == 0;
    if (!ok)
        history_rollback(h);
    if (!ok || history_commit(h) != 0) {
        cw_error(call, CW_INTERNAL_FAILURE, "Internal service failure.");
        return;
    }
    enc_map_begin(call->out);
    enc_map_end(call->out);
}
