/* cw_ops.h - the CloudWatch operations kinesd serves, by file, and what they share
 * (cw_request.c). All run on the monitoring service's control thread (OP_CONTROL), where the
 * collector also runs: they read and write the history without locks, one transaction each.
 *
 * A caller sees the metrics of its own account and region, and kinesd's own (namespace "kinesd",
 * owned by no account). */
#ifndef KINESD_MONITORING_CW_OPS_H
#define KINESD_MONITORING_CW_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/call.h"
#include "cw_errors.h"
#include "series.h"

/* cw_statistics.c, cw_data.c, cw_list.c, cw_put.c */
void cw_get_metric_statistics(op_call *call);
void cw_get_metric_data(op_call *call);
void cw_list_metrics(op_call *call);
void cw_put_metric_data(op_call *call);

/* ---- cw_request.c ---- */

/* The Dimensions list at `path` ("Dimensions", "MetricData.member.2.Dimensions") into dims
 * (strings borrowed from the input); its count, or -1 with InvalidParameterValue when a name
 * repeats. */
int cw_dimensions(op_call *call, const kval *list, const char *path, metric_dim *dims);
/* The series the caller may read that is exactly so named (its own, else kinesd's); NULL if
 * none. */
series *cw_find_series(op_call *call, const char *ns, const char *name, const metric_dim *dims,
                       int n_dims);
/* Whether a series belongs to the caller or to kinesd (every account reads kinesd's). */
bool cw_visible(const op_call *call, const series *s);
/* StartTime and EndTime in seconds, checked (StartTime before EndTime); false with an error of
 * `kind` set. */
bool cw_time_range(op_call *call, cw_error_kind kind, int64_t *start_s, int64_t *end_s);
/* A period CloudWatch takes (1, 5, 10, 30 or a multiple of 60); false with an error of `kind`
 * naming the parameter at `path`. */
bool cw_period(op_call *call, cw_error_kind kind, const char *path, int64_t period);
/* Writes the metric structure {Namespace, MetricName, Dimensions}. */
void cw_write_metric(kenc *out, const series *s);

#endif
