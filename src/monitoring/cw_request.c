/* cw_request.c - what the CloudWatch operations share: dimensions, the series a request names,
 * time ranges and periods, the Metric structure (see cw_ops.h). */
#include <string.h>

#include "cw_ops.h"
#include "query.h"

int cw_dimensions(op_call *call, const kval *list, const char *path, metric_dim *dims)
{
    int n = 0;
    for (size_t i = 0; list && i < list->u.list.n && n < METRIC_MAX_DIMS; i++) {
        const kval *d = &list->u.list.items[i];
        dims[n] = (metric_dim){kv_str(d, "Name"), kv_str(d, "Value")};
        for (int j = 0; j < n; j++) {
            if (strcmp(dims[j].name, dims[n].name) == 0) {
                cw_error(call, CW_INVALID_PARAMETER_VALUE,
                         "The collection %s must not have duplicate dimension names (%s).", path,
                         dims[n].name);
                return -1;
            }
        }
        n++;
    }
    return n;
}

series *cw_find_series(op_call *call, const char *ns, const char *name, const metric_dim *dims,
                       int n_dims)
{
    metric_scope own = {call->account, call->region, ns, dims, n_dims};
    series *s = series_find(&own, name);
    if (!s) {
        metric_scope kinesd = {NULL, NULL, ns, dims, n_dims};
        s = series_find(&kinesd, name);
    }
    return s;
}

bool cw_visible(const op_call *call, const series *s)
{
    return (strcmp(s->account, call->account) == 0 && strcmp(s->region, call->region) == 0) ||
           (!*s->account && !*s->region);
}

static int64_t seconds_of(const kval *timestamp)
{
    int64_t ms = timestamp->u.i;
    return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

bool cw_time_range(op_call *call, cw_error_kind kind, int64_t *start_s, int64_t *end_s)
{
    *start_s = seconds_of(kv_get(call->input, "StartTime"));
    *end_s = seconds_of(kv_get(call->input, "EndTime"));
    if (*start_s == *end_s) {
        cw_error(call, kind, "The parameter StartTime must not equal parameter EndTime.");
        return false;
    }
    if (*start_s > *end_s) {
        cw_error(call, kind, "The parameter StartTime must be less than the parameter EndTime.");
        return false;
    }
    return true;
}

bool cw_period(op_call *call, cw_error_kind kind, const char *path, int64_t period)
{
    if (query_period_valid(period))
        return true;
    cw_error(call, kind, "The parameter %s must be 1, 5, 10, 30, or a multiple of 60.", path);
    return false;
}

void cw_write_metric(kenc *out, const series *s)
{
    enc_map_begin(out);
    enc_key(out, "Namespace");
    enc_str(out, s->ns);
    enc_key(out, "MetricName");
    enc_str(out, s->name);
    enc_key(out, "Dimensions");
    enc_list_begin(out);
    for (int i = 0; i < s->n_dims; i++) {
        enc_map_begin(out);
        enc_key(out, "Name");
        enc_str(out, s->dims[i].name);
        enc_key(out, "Value");
        enc_str(out, s->dims[i].value);
        enc_map_end(out);
    }
    enc_list_end(out);
    enc_map_end(out);
}
