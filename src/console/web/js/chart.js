// chart.js - time-series charts drawn as SVG: lineChart (axes, several series, a legend and a
// hover read-out; redrawn when its box is resized) and sparkline (a tiny trend for a table cell).
import { fmtNumber, fmtTime, h, replace, svg } from './dom.js';

export const PALETTE = ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed', '#0891b2',
  '#ca8a04', '#475569'];

const MARGIN = { left: 58, right: 14, top: 12, bottom: 26 };
const TIME_STEPS_S = [1, 5, 10, 30, 60, 300, 600, 900, 1800, 3600, 3 * 3600, 6 * 3600,
  12 * 3600, 86400, 2 * 86400];

// A round step near range/count: 1, 2 or 5 times a power of ten.
export function niceStep(range, count) {
  const raw = range / Math.max(count, 1);
  if (raw <= 0 || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
}

function timeLabel(t, spanMs) {
  const d = new Date(t);
  const hm = fmtTime(d).slice(11, spanMs <= 300000 ? 19 : 16);
  return spanMs > 86400000 * 1.5 ? `${d.getMonth() + 1}/${d.getDate()} ${hm}` : hm;
}

// The path of a series: segments broken where a value is missing.
function linePath(points, x, y) {
  let d = '', pen = false;
  for (const [t, v] of points) {
    if (v === null || v === undefined) {
      pen = false;
      continue;
    }
    d += (pen ? 'L' : 'M') + x(t).toFixed(1) + ',' + y(v).toFixed(1);
    pen = true;
  }
  return d;
}

function drawAxes(g, geometry, yMax, step, start, end, format) {
  const { x, y, width, height } = geometry;
  for (let v = 0; v <= yMax + step / 2; v += step) {
    g.appendChild(svg('line', { x1: MARGIN.left, x2: width - MARGIN.right, y1: y(v), y2: y(v),
      class: 'grid' }));
    g.appendChild(svg('text', { x: MARGIN.left - 6, y: y(v) + 4, class: 'tick y' }, format(v)));
  }
  const spanMs = end - start;
  const stepS = TIME_STEPS_S.find((s) => (spanMs / 1000) / s <= 7) || 7 * 86400;
  const offset = new Date(start).getTimezoneOffset() * 60000;
  const first = Math.ceil((start - offset) / (stepS * 1000)) * stepS * 1000 + offset;
  for (let t = first; t <= end; t += stepS * 1000) {
    g.appendChild(svg('line', { x1: x(t), x2: x(t), y1: height - MARGIN.bottom,
      y2: height - MARGIN.bottom + 4, class: 'axis' }));
    g.appendChild(svg('text', { x: x(t), y: height - 8, class: 'tick x' },
      timeLabel(t, spanMs)));
  }
  g.appendChild(svg('line', { x1: MARGIN.left, x2: width - MARGIN.right,
    y1: height - MARGIN.bottom, y2: height - MARGIN.bottom, class: 'axis' }));
}

// The value of each series nearest to time t (within half a period).
function valuesAt(series, t) {
  return series.map((s) => {
    let best = null;
    for (const p of s.points) {
      if (best === null || Math.abs(p[0] - t) < Math.abs(best[0] - t)) best = p;
    }
    return best;
  });
}

// A chart in `box`: opts {series: [{label, points: [[ms, value|null]...]}], start, end (ms),
// format (value -> text), height, empty (text when there is no point), totals (the legend also
// sums each series: for counts)}. Returns {update, destroy}.
export function lineChart(box, opts) {
  let current = opts;
  const holder = h('div', { class: 'chart' });
  const legend = h('div', { class: 'legend' });
  const readout = h('div', { class: 'readout', hidden: true });
  box.appendChild(h('div', { class: 'chart-wrap' }, holder, readout, legend));

  function render() {
    const { series, start, end } = current;
    const format = current.format || fmtNumber;
    const width = Math.max(holder.clientWidth || 600, 240), height = current.height || 200;
    const all = series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => v !== null);
    const max = all.length ? Math.max(...all) : 0;
    const step = niceStep(max > 0 ? max : 1, 4);
    const yMax = Math.max(step, Math.ceil(max / step) * step);
    const x = (t) => MARGIN.left + ((t - start) / Math.max(end - start, 1)) *
      (width - MARGIN.left - MARGIN.right);
    const y = (v) => height - MARGIN.bottom - (v / yMax) * (height - MARGIN.top - MARGIN.bottom);
    const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
      'aria-label': series.map((s) => s.label).join(', ') });
    drawAxes(root, { x, y, width, height }, yMax, step, start, end, format);
    series.forEach((s, i) => {
      root.appendChild(svg('path', { d: linePath(s.points, x, y), class: 'line', fill: 'none',
        stroke: s.color || PALETTE[i % PALETTE.length] }));
    });
    if (!all.length) {
      root.appendChild(svg('text', { x: width / 2, y: height / 2, class: 'empty' },
        current.empty || 'No data points in this range'));
    }
    const cursor = svg('line', { y1: MARGIN.top, y2: height - MARGIN.bottom, class: 'cursor',
      visibility: 'hidden' });
    root.appendChild(cursor);
    root.addEventListener('mousemove', (e) => {
      const bounds = root.getBoundingClientRect();
      const px = e.clientX - bounds.left;
      const t = start + ((px - MARGIN.left) / (width - MARGIN.left - MARGIN.right)) * (end - start);
      if (t < start || t > end) return;
      cursor.setAttribute('x1', px);
      cursor.setAttribute('x2', px);
      cursor.setAttribute('visibility', 'visible');
      const near = valuesAt(series, t);
      replace(readout, h('div', { class: 'readout-time' }, fmtTime(t)),
        series.map((s, i) => h('div', null, h('i', { class: 'chip', 'data-color': i }),
          `${s.label}: `, near[i] && near[i][1] !== null ? format(near[i][1]) : '—')));
      readout.hidden = false;
      readout.style.left = Math.min(px + 12, width - 180) + 'px';
    });
    root.addEventListener('mouseleave', () => {
      cursor.setAttribute('visibility', 'hidden');
      readout.hidden = true;
    });
    replace(holder, root);
    replace(legend, series.map((s, i) => {
      const last = [...s.points].reverse().find((p) => p[1] !== null);
      const total = s.points.reduce((sum, p) => sum + (p[1] || 0), 0);
      return h('span', { class: 'legend-item' }, h('i', { class: 'chip', 'data-color': i }),
        s.label, h('b', null, last ? format(last[1]) : '—'),
        current.totals ? h('span', { class: 'muted total' }, `total ${format(total)}`) : null);
    }));
  }

  const observer = new ResizeObserver(() => render());
  observer.observe(holder);
  render();
  return {
    update(next) {
      current = { ...current, ...next };
      render();
    },
    destroy() {
      observer.disconnect();
    },
  };
}

// A small trend line of `values` (numbers; null drawn as 0) for a table cell.
export function sparkline(values, { width = 110, height = 26, title } = {}) {
  const vs = values.map((v) => v || 0);
  const max = Math.max(...vs, 0);
  const x = (i) => (vs.length < 2 ? width : (i / (vs.length - 1)) * (width - 2)) + 1;
  const y = (v) => height - 2 - (max > 0 ? (v / max) * (height - 4) : 0);
  const line = vs.map((v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join('');
  const area = vs.length ? `${line}L${x(vs.length - 1).toFixed(1)},${height}L${x(0)},${height}Z` :
    '';
  return svg('svg', { class: 'spark', width, height, viewBox: `0 0 ${width} ${height}` },
    title ? svg('title', null, title) : null,
    svg('path', { d: area, class: 'spark-area' }), svg('path', { d: line, class: 'spark-line' }));
}
