// pages/streams.js - every stream of the account: status, mode, shards, retention, encryption,
// records per second in and out over the last ten minutes (sparklines), bytes stored; and the
// changes (create, delete, reshard, retention). Refreshed every 10 s.
import { kinesis, paginate } from '../aws.js';
import { sparkline } from '../chart.js';
import { every, fmtBytes, fmtNumber, h, menuButton, replace, reporting } from '../dom.js';
import { metricSeries } from '../metrics.js';
import { changeRetention, createStream, deleteStream, reshard, retentionText }
  from '../stream_actions.js';

const REFRESH_MS = 10000;
const WINDOW_MS = 10 * 60000;
const PERIOD_S = 10;
const PARALLEL = 8;

// fn over items with at most `width` calls in flight; resolves to the results in order.
export async function mapLimited(items, width, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

async function loadSummaries() {
  const names = await paginate('kinesis', 'ListStreams', { Limit: 1000 },
    (p) => p.StreamNames || []);
  return mapLimited(names, PARALLEL, async (name) => {
    try {
      return (await kinesis('DescribeStreamSummary', { StreamName: name }))
        .StreamDescriptionSummary;
    } catch (e) {
      if (e.code === 'ResourceNotFoundException') return null; // deleted meanwhile
      return { StreamName: name, error: e };
    }
  });
}

// Per stream: [records in per period], [records out per period], bytes stored (latest).
async function loadRates(names) {
  const end = Date.now(), start = end - WINDOW_MS;
  const queries = names.flatMap((name) => [
    { namespace: 'AWS/Kinesis', metric: 'IncomingRecords', dims: { StreamName: name },
      stat: 'Sum', period: PERIOD_S },
    { namespace: 'AWS/Kinesis', metric: 'GetRecords.Records', dims: { StreamName: name },
      stat: 'Sum', period: PERIOD_S },
    { namespace: 'kinesd', metric: 'StreamDiskBytes', dims: { StreamName: name },
      stat: 'Maximum', period: 60 },
  ]);
  if (!queries.length) return {};
  const series = await metricSeries(queries, start, end);
  const out = {};
  names.forEach((name, i) => {
    const stored = series[i * 3 + 2].filter((p) => p[1] !== null).pop();
    out[name] = { in: series[i * 3].map((p) => p[1]), out: series[i * 3 + 1].map((p) => p[1]),
      stored: stored ? stored[1] : null };
  });
  return out;
}

// The rate over the last minute's complete periods, per second.
function lastMinuteRate(values) {
  const full = values.slice(Math.max(0, values.length - 1 - 60 / PERIOD_S), -1);
  return full.reduce((sum, v) => sum + (v || 0), 0) / Math.max(full.length * PERIOD_S, 1);
}

function rateCell(values, what) {
  if (!values) return h('td', { class: 'num muted' }, '—');
  return h('td', { class: 'num', title: `${what} per second: the last minute's average; the ` +
    'line shows the last 10 minutes' }, h('div', { class: 'rate' },
    sparkline(values, { width: 96 }), h('b', null, fmtNumber(lastMinuteRate(values)) + '/s')));
}

// A stream the key may list but not describe: its name, and why.
function refusedRow(s) {
  const denied = s.error.code === 'AccessDeniedException';
  return h('tr', { 'data-stream': s.StreamName, class: 'refused' },
    h('td', { class: 'mono' }, s.StreamName),
    h('td', null, h('span', { class: 'pill closed', title: s.error.message }, denied ?
      'no access' : s.error.code)),
    h('td', { colspan: 8, class: 'muted' }, denied ? 'This key may not describe the stream.' :
      s.error.message));
}

function row(s, rates, refresh) {
  if (s.error) return refusedRow(s);
  const r = rates[s.StreamName];
  const mode = (s.StreamModeDetails || {}).StreamMode || '—';
  const link = '#/streams/' + encodeURIComponent(s.StreamName);
  return h('tr', { 'data-stream': s.StreamName },
    h('td', { class: 'nowrap' }, h('a', { href: link, class: 'mono' }, s.StreamName)),
    h('td', null, h('span', { class: ['pill', s.StreamStatus] }, s.StreamStatus)),
    h('td', null, mode === 'ON_DEMAND' ? 'On-demand' : mode === 'PROVISIONED' ? 'Provisioned' :
      mode),
    h('td', { class: 'num' }, s.OpenShardCount ?? '—'),
    h('td', { class: 'num' }, s.RetentionPeriodHours ? retentionText(s.RetentionPeriodHours) :
      '—'),
    h('td', null, s.EncryptionType === 'KMS' ? 'KMS' : s.EncryptionType ? 'None' : '—'),
    rateCell(r && r.in, 'records in'),
    rateCell(r && r.out, 'records read'),
    h('td', { class: 'num' }, r && r.stored !== null ? fmtBytes(r.stored) : '—'),
    h('td', { class: 'nowrap' }, h('div', { class: 'actions' },
      h('a', { class: 'button small', href: '#/viewer/' + encodeURIComponent(s.StreamName) },
        'View data'),
      menuButton('More ▾', [
        { label: 'Reshard…', disabled: s.StreamStatus !== 'ACTIVE' || mode !== 'PROVISIONED',
          run: () => reshard(s, refresh) },
        { label: 'Change retention…', disabled: s.StreamStatus !== 'ACTIVE',
          run: () => changeRetention(s, refresh) },
        { label: 'Delete…', danger: true, disabled: s.StreamStatus === 'DELETING',
          run: () => deleteStream(s, refresh) }]))));
}

export async function mount(main) {
  const sub = h('div', { class: 'sub' }, 'Loading…');
  const body = h('div', { class: 'card flush' });
  const problem = h('div'), rateProblem = h('div');
  let rates = {}, summaries = [];

  const draw = () => {
    sub.textContent = `${summaries.length} stream${summaries.length === 1 ? '' : 's'} · ` +
      'records per second over the last minute, trends over 10 minutes; refreshed every 10 s';
    if (!summaries.length) {
      replace(body, h('div', { class: 'empty-state' }, 'No streams yet. ',
        h('button', { class: 'button link', onclick: () => createStream(refresh) },
          'Create one')));
      return;
    }
    replace(body, h('table', { class: 'list', id: 'streams-table' },
      h('thead', null, h('tr', null, ['Name', 'Status', 'Mode', 'Open shards', 'Retention',
        'Encryption', 'Records in', 'Records read', 'Stored', ''].map((t, i) =>
        h('th', { class: i === 3 || i === 4 || (i >= 6 && i <= 8) ? 'num' : null }, t)))),
      h('tbody', null, summaries.map((s) => row(s, rates, refresh)))));
  };

  const refresh = reporting(problem, async () => {
    summaries = (await loadSummaries()).filter(Boolean);
    summaries.sort((a, b) => a.StreamName.localeCompare(b.StreamName));
    draw();
    const names = summaries.filter((s) => !s.error).map((s) => s.StreamName);
    rates = await loadRates(names).then((found) => {
      replace(rateProblem);
      return found;
    }, (e) => {
      replace(rateProblem, h('div', { class: 'callout warn' }, `No rates: ${e.code}: ${e.message}`));
      return {};
    });
    draw();
  });

  replace(main,
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, 'Streams'), sub),
      h('div', { class: 'actions' },
        h('button', { class: 'button', onclick: () => refresh() }, 'Refresh'),
        h('button', { class: 'button primary', id: 'create-stream',
          onclick: () => createStream(refresh) }, 'Create stream'))),
    problem, rateProblem, body);
  return every(REFRESH_MS, refresh);
}
