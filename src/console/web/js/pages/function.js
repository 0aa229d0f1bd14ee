// pages/function.js - one function: its configuration, concurrency and asynchronous settings,
// an invoke form (the result, the function error and the tail of its log), its AWS/Lambda
// metrics, its triggers (the event source mappings that feed it), its recent invocations (from
// the REPORT lines of its log: duration, billed, memory, cold starts) and the log itself,
// followed as it grows.
import { currentSession, rest } from '../aws.js';
import { every, fmtBytes, fmtDuration, fmtNumber, fmtTime, h, replace } from '../dom.js';
import { metricPanel } from '../metric_panel.js';
import { listTriggers } from '../triggers.js';

const LOG_MS = 2000;
const LOG_KEEP = 256 * 1024; // characters of the log kept in the page
const LOG_ROUTE = '/_kinesd/lambda/logs/'; // kinesd's log route: ACCOUNT/REGION/NAME?from=OFFSET

const METRICS_MS = 10000;

// The metric charts: [title, format, [[label, metric, stat], ...]].
const CHARTS = [
  ['Invocations per second', fmtNumber, [['Invocations', 'Invocations', 'Sum'],
    ['Errors', 'Errors', 'Sum'], ['Throttles', 'Throttles', 'Sum']]],
  ['Duration', fmtDuration, [['Average', 'Duration', 'Average'], ['p99', 'Duration', 'p99'],
    ['Maximum', 'Duration', 'Maximum']]],
  ['Concurrent executions', fmtNumber, [['Maximum', 'ConcurrentExecutions', 'Maximum']]],
  ['Iterator age (triggers)', fmtDuration, [['Maximum', 'IteratorAge', 'Maximum']]],
];

const fnPath = (name, tail = '') => `/2015-03-31/functions/${encodeURIComponent(name)}${tail}`;

function fact(k, v) {
  return h('div', { class: 'fact' }, h('div', { class: 'k' }, k), h('div', { class: 'v' }, v));
}

async function optional(promise) {
  try {
    return (await promise).json;
  } catch (e) {
    return null;
  }
}

// The REPORT lines of a log: [{requestId, duration, billed, memory, maxMemory, init}].
export function reports(log) {
  const out = [];
  for (const line of log.split('\n')) {
    if (!line.startsWith('REPORT RequestId: ')) continue;
    const field = (name) => {
      const m = new RegExp(name + ': ([0-9.]+)').exec(line);
      return m ? Number(m[1]) : null;
    };
    out.push({ requestId: line.slice(18).split(/\s/)[0], duration: field('Duration'),
      billed: field('Billed Duration'), memory: field('Memory Size'),
      maxMemory: field('Max Memory Used'), init: field('Init Duration') });
  }
  return out;
}

function invocationsTable(log) {
  const rows = reports(log).slice(-20).reverse();
  if (!rows.length) return h('div', { class: 'empty-state' }, 'No invocation in the log yet.');
  return h('table', { class: 'list', id: 'invocations' },
    h('thead', null, h('tr', null, ['Request', 'Duration', 'Billed', 'Max memory', 'Cold start']
      .map((t, i) => h('th', { class: i ? 'num' : null }, t)))),
    h('tbody', null, rows.map((r) => h('tr', null, h('td', { class: 'mono' }, r.requestId),
      h('td', { class: 'num' }, `${r.duration} ms`), h('td', { class: 'num' }, `${r.billed} ms`),
      h('td', { class: 'num' }, `${r.maxMemory} / ${r.memory} MB`),
      h('td', { class: 'num' }, r.init === null ? '—' : `init ${r.init} ms`)))));
}

// The function's triggers from kinesd's triggers route (ListEventSourceMappings plus each
// shard's progress): per mapping its source, state, batch size and last result, then per shard
// its phase, checkpoint, lag, iterator age, records and last error.
async function triggersCard(account, region, functionArn) {
  const mine = (await listTriggers(account, region)).filter((m) =>
    m.FunctionArn === functionArn || m.FunctionArn.startsWith(functionArn + ':'));
  const shardRow = (s) => h('tr', null, h('td', { class: 'mono' }, s.ShardId),
    h('td', null, s.Phase), h('td', { class: 'num' }, String(s.Checkpoint)),
    h('td', { class: 'num' }, fmtNumber(s.Lag)),
    h('td', { class: 'num' }, fmtDuration(s.IteratorAgeMilliseconds)),
    h('td', { class: 'num' }, fmtNumber(s.Records)),
    h('td', { class: 'num' }, fmtNumber(s.BatchesFailed)), h('td', null, s.LastError || '—'));
  const mapping = (m) => [
    h('div', { class: 'facts' }, fact('Source', h('span', { class: 'mono', title:
      m.EventSourceArn }, m.EventSourceArn.split(':').slice(-1)[0])),
    fact('State', h('span', { class: ['pill', m.State === 'Enabled' ? 'ACTIVE' : 'UPDATING'] },
      m.State)), fact('Batch size', String(m.BatchSize)),
    fact('Last result', m.LastProcessingResult || '—')),
    h('table', { class: 'list trigger-shards', 'data-trigger': m.UUID },
      h('thead', null, h('tr', null, ['Shard', 'Phase', 'Checkpoint', 'Lag', 'Iterator age',
        'Records', 'Failed batches', 'Last error'].map((t, i) =>
        h('th', { class: i > 1 && i < 7 ? 'num' : null }, t)))),
      h('tbody', null, m.Shards.map(shardRow)))];
  return h('div', { class: 'card', id: 'triggers' }, h('div', { class: 'card-head' },
    h('h2', null, 'Triggers'), h('span', { class: 'muted' }, 'event source mappings')),
  mine.length ? mine.map(mapping) :
    h('div', { class: 'empty-state' }, 'No trigger: nothing feeds this function.'));
}

function invokeForm(name, onDone) {
  const payload = h('textarea', { rows: 6, class: 'mono', id: 'invoke-payload',
    spellcheck: 'false' }, '{}');
  const type = h('select', { id: 'invoke-type' },
    h('option', { value: 'RequestResponse' }, 'Synchronous (RequestResponse)'),
    h('option', { value: 'Event' }, 'Asynchronous (Event)'));
  const result = h('div', { id: 'invoke-result' });
  const go = h('button', { class: 'button primary', id: 'invoke' }, 'Invoke');
  go.addEventListener('click', async () => {
    go.disabled = true;
    try {
      const out = await rest('lambda', 'POST', fnPath(name, '/invocations'), {
        payload: payload.value, headers: { 'x-amz-invocation-type': type.value,
          'x-amz-log-type': type.value === 'Event' ? 'None' : 'Tail' } });
      const error = out.headers.get('x-amz-function-error');
      const logTail = out.headers.get('x-amz-log-result');
      let pretty = out.text;
      try {
        pretty = JSON.stringify(JSON.parse(out.text), null, 2);
      } catch (e) {
        pretty = out.text;
      }
      replace(result,
        h('div', { class: ['callout', error ? 'error' : 'info'] }, error ?
          `Function error (${error}), HTTP ${out.status}` : type.value === 'Event' ?
          `Queued (HTTP ${out.status})` : `Succeeded (HTTP ${out.status})`),
        out.text ? h('pre', { class: 'policy', id: 'invoke-output' }, pretty) : null,
        logTail ? [h('h3', null, 'Log tail'), h('pre', { class: 'policy' },
          new TextDecoder().decode(Uint8Array.from(atob(logTail), (c) => c.charCodeAt(0))))] :
          null);
      onDone();
    } catch (e) {
      replace(result, h('div', { class: 'callout error' }, `${e.code}: ${e.message}`));
    } finally {
      go.disabled = false;
    }
  });
  return h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'Invoke'),
    h('div', { class: 'actions' }, type, go)),
  h('label', { class: 'field' }, h('span', { class: 'label' }, 'Payload (JSON)'), payload),
  result);
}

export async function mount(main, { params, identity }) {
  const name = params[0];
  const fn = (await rest('lambda', 'GET', fnPath(name))).json;
  const c = fn.Configuration;
  const [concurrency, asyncConfig] = await Promise.all([
    optional(rest('lambda', 'GET', `/2019-09-30/functions/${encodeURIComponent(name)}/concurrency`)),
    optional(rest('lambda', 'GET',
      `/2019-09-25/functions/${encodeURIComponent(name)}/event-invoke-config`))]);
  const destinations = (asyncConfig && asyncConfig.DestinationConfig) || {};
  const where = (d) => (d && d.Destination ? d.Destination.split(':').slice(-1)[0] : 'none');
  const logBox = h('pre', { class: 'policy log', id: 'function-log' });
  const invocations = h('div', { class: 'card flush' });
  const metricsBox = h('div', { id: 'function-metrics' });
  const triggersBox = h('div');
  const region = (currentSession() || {}).region;
  const logUrl = `${LOG_ROUTE}${identity.account}/${region}/${encodeURIComponent(name)}`;
  let log = '', offset = 0;

  async function followLog() {
    for (;;) {
      let answer;
      try {
        answer = await rest('lambda', 'GET', logUrl, { query: `from=${offset}` });
      } catch (e) {
        break;
      }
      const text = answer.text;
      offset = Number(answer.headers.get('x-kinesd-log-next')) || offset;
      if (!text) break;
      log = (log + text).slice(-LOG_KEEP);
    }
    const atBottom = logBox.scrollTop + logBox.clientHeight >= logBox.scrollHeight - 4;
    logBox.textContent = log || '(the log is empty)';
    if (atBottom) logBox.scrollTop = logBox.scrollHeight;
    replace(invocations, invocationsTable(log));
  }

  replace(main,
    h('div', { class: 'page-head' }, h('div', null,
      h('div', { class: 'crumbs' }, h('a', { href: '#/functions' }, 'Functions'), ' / '),
      h('h1', { class: 'mono' }, name), h('div', { class: 'sub mono' }, c.FunctionArn))),
    h('div', { class: 'facts facts-box' },
      fact('State', h('span', { class: ['pill', c.State === 'Active' ? 'ACTIVE' : 'UPDATING'] },
        c.State || '—')),
      fact('Runtime', c.Runtime || '—'), fact('Handler', c.Handler || '—'),
      fact('Memory', `${c.MemorySize} MB`), fact('Timeout', `${c.Timeout} s`),
      fact('Code', fmtBytes(c.CodeSize)),
      fact('Reserved concurrency', concurrency && concurrency.ReservedConcurrentExecutions !==
        undefined ? String(concurrency.ReservedConcurrentExecutions) : 'unreserved'),
      fact('Async: on success', where(destinations.OnSuccess)),
      fact('Async: on failure', where(destinations.OnFailure)),
      fact('Last modified', c.LastModified ? fmtTime(Date.parse(c.LastModified)) : '—')),
    invokeForm(name, () => followLog().catch(() => {})), metricsBox, triggersBox,
    h('div', { class: 'card-head' }, h('h2', null, 'Recent invocations'),
      h('span', { class: 'muted' }, 'from the REPORT lines of the log')), invocations,
    h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'Log'),
      h('span', { class: 'muted' }, 'followed every 2 s')), logBox));
  const panel = metricPanel(metricsBox, { title: 'Function metrics', namespace: 'AWS/Lambda',
    dims: { FunctionName: name }, charts: CHARTS });
  const refresh = async () => {
    replace(triggersBox, await triggersCard(identity.account, region, c.FunctionArn));
    await panel.refresh();
  };
  const stopLog = every(LOG_MS, followLog), stopMetrics = every(METRICS_MS, refresh);
  return () => {
    stopLog();
    stopMetrics();
    panel.destroy();
  };
}
