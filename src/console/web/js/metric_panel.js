// metric_panel.js - a card of CloudWatch charts with a range picker, for one resource's metrics
// (a stream's AWS/Kinesis, a function's AWS/Lambda): each chart a few lines of one metric and
// statistic; Sum lines are shown per second.
import { lineChart } from './chart.js';
import { h, replace } from './dom.js';
import { metricSeries, RANGES } from './metrics.js';

// box: where the card goes; title: its heading; namespace and dims: the resource's metrics;
// charts: [[title, format, [[label, metric, stat], ...]], ...]. Returns {refresh, destroy}.
export function metricPanel(box, { title, namespace, dims, charts }) {
  let range = '1h';
  const drawn = [];
  const picker = h('div', { class: 'segmented' });
  const grid = h('div', { class: 'grid2' });
  const drawPicker = () => replace(picker, Object.entries(RANGES).map(([key, r]) =>
    h('button', { class: key === range ? 'on' : null, onclick: () => {
      range = key;
      drawPicker();
      load();
    } }, r.label)));
  drawPicker();
  charts.forEach(([chartTitle]) => {
    const holder = h('div');
    grid.appendChild(h('div', { class: 'card chart-card' }, h('h2', null, chartTitle), holder));
    drawn.push({ holder, chart: null });
  });
  replace(box, h('div', { class: 'card-head' }, h('h2', null, title), picker), grid);

  async function load() {
    const { ms, period } = RANGES[range];
    const end = Date.now(), start = end - ms;
    const queries = charts.flatMap(([, , lines]) => lines.map(([, metric, stat]) => ({
      namespace, metric, stat, period, dims })));
    const series = await metricSeries(queries, start, end);
    let k = 0;
    charts.forEach(([, format, lines], i) => {
      const perSecond = lines[0][2] === 'Sum';
      const data = lines.map(([label]) => ({ label, points: series[k++].map(([t, v]) =>
        [t, v === null ? null : perSecond ? v / period : v]) }));
      const opts = { series: data, start, end, format };
      if (drawn[i].chart) drawn[i].chart.update(opts);
      else drawn[i].chart = lineChart(drawn[i].holder, opts);
    });
  }
  return { refresh: load, destroy: () => drawn.forEach((c) => c.chart && c.chart.destroy()) };
}
