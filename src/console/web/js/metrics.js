// metrics.js - reading metrics through the CloudWatch API (GetMetricData, ListMetrics) as the
// charts want them: one call for many series (split at CloudWatch's 500 queries a call), each
// series put on its period grid, with empty periods as 0 for counts or as gaps for the rest.
import { cloudwatch, paginate } from './aws.js';

const MAX_QUERIES = 500;

// The chart ranges: span and the period that gives a readable number of points.
export const RANGES = {
  '15m': { label: '15 min', ms: 15 * 60000, period: 10 },
  '1h': { label: '1 h', ms: 3600000, period: 30 },
  '24h': { label: '24 h', ms: 86400000, period: 300 },
  '7d': { label: '7 d', ms: 7 * 86400000, period: 3600 },
};

export const STATS = ['Sum', 'Average', 'Maximum', 'Minimum', 'SampleCount', 'p50', 'p90', 'p99'];

// Counting statistics: an empty period means nothing happened (0), not "unknown".
export function countsAsZero(stat) {
  return stat === 'Sum' || stat === 'SampleCount';
}

export function dimensionList(dims) {
  return Object.entries(dims || {}).map(([Name, Value]) => ({ Name, Value }));
}

// queries: [{namespace, metric, dims: {Name: Value}, stat, period}]; start and end in ms.
// Resolves to one array of [ms, value|null] per query, on the query's period grid (the start is
// rounded down to a whole period, so CloudWatch's periods fall on the grid).
export async function metricSeries(queries, start, end) {
  const longest = Math.max(...queries.map((q) => q.period)) * 1000;
  start = Math.floor(start / longest) * longest;
  const out = [];
  for (let i = 0; i < queries.length; i += MAX_QUERIES) {
    const chunk = queries.slice(i, i + MAX_QUERIES);
    const found = await fetchChunk(chunk, start, end);
    chunk.forEach((q, k) => out.push(onGrid(found[k] || [], q, start, end)));
  }
  return out;
}

async function fetchChunk(chunk, start, end) {
  const found = chunk.map(() => []);
  let token;
  do {
    const page = await cloudwatch('GetMetricData', {
      StartTime: Math.floor(start / 1000),
      EndTime: Math.ceil(end / 1000),
      ScanBy: 'TimestampAscending',
      NextToken: token,
      MetricDataQueries: chunk.map((q, k) => ({
        Id: 'q' + k,
        ReturnData: true,
        MetricStat: {
          Metric: { Namespace: q.namespace, MetricName: q.metric,
            Dimensions: dimensionList(q.dims) },
          Period: q.period,
          Stat: q.stat,
        },
      })),
    });
    for (const r of page.MetricDataResults || []) {
      const k = Number(r.Id.slice(1));
      (r.Timestamps || []).forEach((t, j) => found[k].push([t * 1000, r.Values[j]]));
    }
    token = page.NextToken;
  } while (token);
  return found;
}

function onGrid(points, q, start, end) {
  const step = q.period * 1000;
  const byTime = new Map(points.map(([t, v]) => [t, v]));
  const empty = countsAsZero(q.stat) ? 0 : null;
  const first = Math.floor(start / step) * step;
  const grid = [];
  for (let t = first; t < end; t += step) grid.push([t, byTime.has(t) ? byTime.get(t) : empty]);
  // points off the grid (a period that did not start on a multiple): keep them as they are
  for (const [t, v] of points) if ((t - first) % step !== 0) grid.push([t, v]);
  return grid.sort((a, b) => a[0] - b[0]);
}

// Every metric of a namespace (optionally with a dimension): [{namespace, metric, dims}].
export async function listMetrics(namespace, dimension) {
  const input = { Namespace: namespace };
  if (dimension) input.Dimensions = [dimension];
  const metrics = await paginate('cloudwatch', 'ListMetrics', input, (p) => p.Metrics || [],
    { limit: 5000 });
  return metrics.map((m) => ({
    namespace: m.Namespace, metric: m.MetricName,
    dims: Object.fromEntries((m.Dimensions || []).map((d) => [d.Name, d.Value])),
  }));
}
