// pages/metrics.js - charts of any metric kinesd records (AWS/Kinesis, AWS/SQS, kinesd's own,
// custom ones), found with ListMetrics and drawn from GetMetricData over 15 min, 1 h, 24 h or
// 7 d. The chosen series, statistic and range live in the URL, so a chart can be bookmarked.
import { lineChart } from '../chart.js';
import { every, fmtNumber, h, replace } from '../dom.js';
import { listMetrics, metricSeries, RANGES, STATS } from '../metrics.js';

const REFRESH_MS = 10000;
const MAX_SERIES = 8;

const keyOf = (m) => [m.namespace, m.metric, Object.entries(m.dims).sort()
  .map(([k, v]) => `${k}=${v}`).join(',')].join('|');

function fromKey(key) {
  const [namespace, metric, dims] = key.split('|');
  return { namespace, metric, dims: Object.fromEntries((dims || '').split(',').filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])) };
}

const dimsText = (dims) => Object.entries(dims).map(([k, v]) => `${k}=${v}`).join(' ') ||
  '(no dimensions)';

export async function mount(main, { query }) {
  let range = RANGES[query.get('range')] ? query.get('range') : '1h';
  let stat = STATS.includes(query.get('stat')) ? query.get('stat') : 'Sum';
  const chosen = query.getAll('s').slice(0, MAX_SERIES);
  const all = await listMetrics();
  const namespaces = [...new Set(all.map((m) => m.namespace))].sort();
  let namespace = query.get('ns') || (chosen[0] && fromKey(chosen[0]).namespace) ||
    (namespaces.includes('AWS/Kinesis') ? 'AWS/Kinesis' : namespaces[0]);
  let chart = null;

  const chartBox = h('div', { id: 'metrics-chart' });
  const rangeBar = h('div', { class: 'segmented', id: 'metrics-range' });
  const statSelect = h('select', { id: 'metrics-stat', onchange: () => {
    stat = statSelect.value;
    changed();
  } }, STATS.map((s) => h('option', { value: s, selected: s === stat }, s)));
  const nsSelect = h('select', { id: 'metrics-namespace', onchange: () => {
    namespace = nsSelect.value;
    drawList();
  } }, namespaces.map((n) => h('option', { value: n, selected: n === namespace }, n)));
  const search = h('input', { type: 'search', placeholder: 'Filter metrics and dimensions',
    id: 'metrics-search', oninput: () => drawList() });
  const listBox = h('div', { class: 'metric-list' });

  function saveState() {
    const p = new URLSearchParams({ range, stat, ns: namespace || '' });
    chosen.forEach((k) => p.append('s', k));
    history.replaceState(null, '', '#/metrics?' + p.toString());
  }

  function drawRange() {
    replace(rangeBar, Object.entries(RANGES).map(([k, r]) => h('button', {
      class: k === range ? 'on' : null, onclick: () => {
        range = k;
        drawRange();
        changed();
      } }, r.label)));
  }

  function drawList() {
    const needle = search.value.trim().toLowerCase();
    const rows = all.filter((m) => m.namespace === namespace && (!needle ||
      (m.metric + ' ' + dimsText(m.dims)).toLowerCase().includes(needle)))
      .sort((a, b) => a.metric.localeCompare(b.metric) || dimsText(a.dims)
        .localeCompare(dimsText(b.dims)));
    replace(listBox, rows.length ? h('table', { class: 'list' },
      h('tbody', null, rows.slice(0, 1000).map((m) => {
        const key = keyOf(m), on = chosen.includes(key);
        return h('tr', { class: on ? 'on' : null },
          h('td', null, h('label', { class: 'check' }, h('input', { type: 'checkbox', checked: on,
            'data-metric': m.metric, onchange: (e) => toggle(key, e.target.checked) }),
          h('span', { class: 'mono' }, m.metric))),
          h('td', { class: 'dims' }, dimsText(m.dims)));
      }))) : h('div', { class: 'empty-state' }, all.length ? 'No metric matches.' :
      'No metrics recorded yet: they appear once streams are written or read.'));
  }

  function toggle(key, on) {
    const i = chosen.indexOf(key);
    if (on && i < 0) {
      if (chosen.length >= MAX_SERIES) chosen.shift();
      chosen.push(key);
    } else if (!on && i >= 0) chosen.splice(i, 1);
    drawList();
    changed();
  }

  async function load() {
    const { ms, period } = RANGES[range];
    const end = Date.now(), start = end - ms;
    const metrics = chosen.map(fromKey);
    const series = metrics.length ? await metricSeries(metrics.map((m) => ({ ...m, stat,
      period })), start, end) : [];
    const opts = { start, end, format: fmtNumber, height: 280, totals: stat === 'Sum',
      empty: metrics.length ? 'No data points in this range' : 'Pick metrics below to chart them',
      series: metrics.map((m, i) => ({ label: `${m.metric} ${dimsText(m.dims)}`,
        points: series[i] })) };
    if (chart) chart.update(opts);
    else chart = lineChart(chartBox, opts);
  }

  function changed() {
    saveState();
    load();
  }

  drawRange();
  drawList();
  saveState();
  replace(main,
    h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'Metrics'),
      h('div', { class: 'sub' }, 'From the CloudWatch API (GetMetricData); periods: 10 s over ' +
        '15 min, 30 s over 1 h, 5 min over 24 h, 1 h over 7 d.')),
    h('div', { class: 'actions' }, statSelect, rangeBar)),
    h('div', { class: 'card' }, chartBox),
    h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'Metrics'),
      h('div', { class: 'actions' }, nsSelect, search)), listBox));
  const stop = every(REFRESH_MS, load);
  return () => {
    stop();
    if (chart) chart.destroy();
  };
}
