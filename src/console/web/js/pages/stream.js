// pages/stream.js - one stream: its facts, and tabs for its monitoring charts (records and bytes
// in and out, iterator age, put latency), its shard map with lineage and per-shard rates, its
// consumers (with how far behind each is) and triggers, and its configuration (tags, resource
// policy, contract, shard-level metrics).
import { kinesis, paginate } from '../aws.js';
import { confirmDialog, every, fmtBytes, fmtDuration, fmtNumber, fmtTime, formDialog, h,
  replace, reporting, toast } from '../dom.js';
import { metricPanel } from '../metric_panel.js';
import { metricSeries } from '../metrics.js';
import { isOpen, keyFraction, shardMap } from '../shardmap.js';
import { arnName, listTriggers } from '../triggers.js';
import { changeRetention, deleteStream, reshard, retentionText } from '../stream_actions.js';

const REFRESH_MS = 10000;

// The charts of the monitoring tab: [title, format, [[label, metric, stat], ...]].
const CHARTS = [
  ['Records per second', fmtNumber, [['In (IncomingRecords)', 'IncomingRecords', 'Sum'],
    ['Read (GetRecords.Records)', 'GetRecords.Records', 'Sum'],
    ['Refused by the contract', 'ContractRejectedRecords', 'Sum']]],
  ['Bytes per second', fmtBytes, [['In (IncomingBytes)', 'IncomingBytes', 'Sum'],
    ['Read (GetRecords.Bytes)', 'GetRecords.Bytes', 'Sum']]],
  ['Iterator age (GetRecords)', fmtDuration, [['Maximum', 'GetRecords.IteratorAgeMilliseconds',
    'Maximum']]],
  ['Put latency', fmtDuration, [['PutRecords average', 'PutRecords.Latency', 'Average'],
    ['PutRecord average', 'PutRecord.Latency', 'Average'],
    ['PutRecords p99', 'PutRecords.Latency', 'p99']]],
];

export async function listShards(name) {
  return paginate('kinesis', 'ListShards', { StreamName: name }, (p) => p.Shards || [],
    { tokenAlone: true });
}

function fact(k, v) {
  return h('div', { class: 'fact' }, h('div', { class: 'k' }, k), h('div', { class: 'v' }, v));
}

function facts(s) {
  const mode = (s.StreamModeDetails || {}).StreamMode;
  const shardLevel = ((s.EnhancedMonitoring || [])[0] || {}).ShardLevelMetrics || [];
  return h('div', { class: 'facts' },
    fact('Status', h('span', { class: ['pill', s.StreamStatus] }, s.StreamStatus)),
    fact('Capacity mode', mode === 'ON_DEMAND' ? 'On-demand' : 'Provisioned'),
    fact('Open shards', String(s.OpenShardCount)),
    fact('Retention', retentionText(s.RetentionPeriodHours)),
    fact('Encryption', s.EncryptionType === 'KMS' ? `KMS (${s.KeyId})` : 'None'),
    fact('Consumers', String(s.ConsumerCount ?? 0)),
    fact('Created', fmtTime(s.StreamCreationTimestamp * 1000)),
    fact('Shard-level metrics', shardLevel.length ? shardLevel.join(', ') : 'off'));
}

// ---- monitoring --------------------------------------------------------------------------------

function monitoringTab(box, summary) {
  return metricPanel(box, { title: 'Stream metrics', namespace: 'AWS/Kinesis',
    dims: { StreamName: summary.StreamName }, charts: CHARTS });
}

// ---- shards ------------------------------------------------------------------------------------

async function shardRates(name, shards, enabled) {
  if (!enabled) return null;
  const end = Date.now(), start = end - 5 * 60000;
  const queries = shards.flatMap((s) => ['IncomingRecords', 'OutgoingRecords'].map((metric) =>
    ({ namespace: 'AWS/Kinesis', metric, stat: 'Sum', period: 60,
      dims: { StreamName: name, ShardId: s.ShardId } })));
  const series = await metricSeries(queries, start, end);
  const rate = (points) => {
    const full = points.slice(0, -1).filter((p) => p[1] !== null);
    return full.length ? full[full.length - 1][1] / 60 : 0;
  };
  return new Map(shards.map((s, i) => [s.ShardId, { in: rate(series[2 * i]),
    out: rate(series[2 * i + 1]) }]));
}

function keyBar(s) {
  const a = keyFraction(s.HashKeyRange.StartingHashKey) * 100;
  const b = keyFraction(s.HashKeyRange.EndingHashKey) * 100;
  const bar = h('i');
  bar.style.left = a + '%';
  bar.style.width = Math.max(b - a, 0.5) + '%';
  return h('div', { class: 'keybar', title: `${a.toFixed(1)}% - ${b.toFixed(1)}% of the key space` },
    bar);
}

function shardsTab(box, summary, reload) {
  const name = summary.StreamName;
  const shardLevel = ((summary.EnhancedMonitoring || [])[0] || {}).ShardLevelMetrics || [];
  const enabled = shardLevel.includes('ALL') || shardLevel.includes('IncomingRecords');
  const mapBox = h('div', { class: 'shardmap', id: 'shard-map' });
  const table = h('div');
  const enable = enabled ? null : h('div', { class: 'callout info' },
    'Per-shard rates need shard-level metrics. ',
    h('button', { class: 'button small', onclick: async () => {
      await kinesis('EnableEnhancedMonitoring', { StreamName: name, ShardLevelMetrics: ['ALL'] });
      toast('Shard-level metrics enabled: rates appear within a minute', 'ok');
      reload();
    } }, 'Enable shard-level metrics'));
  replace(box, enable, h('div', { class: 'card' }, h('div', { class: 'card-head' },
    h('h2', null, 'Shard map'), h('span', { class: 'muted' },
      'hash key ranges by generation; lines lead from parents to children')), mapBox),
  h('div', { class: 'card flush' }, table));

  async function load() {
    const shards = await listShards(name);
    const rates = await shardRates(name, shards, enabled);
    const rateText = (s) => (rates && rates.has(s.ShardId) ? `\nin ${fmtNumber(rates.get(
      s.ShardId).in)}/s, read ${fmtNumber(rates.get(s.ShardId).out)}/s` : '');
    replace(mapBox, shardMap(shards, Math.max(mapBox.clientWidth, 480), rateText));
    replace(table, h('table', { class: 'list', id: 'shard-table' },
      h('thead', null, h('tr', null, ['Shard', 'State', 'Parents', 'Hash key range',
        'Starting sequence number', 'In', 'Read'].map((t, i) =>
        h('th', { class: i >= 5 ? 'num' : null }, t)))),
      h('tbody', null, shards.map((s) => {
        const r = rates && rates.get(s.ShardId);
        return h('tr', null, h('td', { class: 'mono' }, s.ShardId),
          h('td', null, h('span', { class: ['pill', isOpen(s) ? 'open' : 'closed'] },
            isOpen(s) ? 'open' : 'closed')),
          h('td', { class: 'mono' }, [s.ParentShardId, s.AdjacentParentShardId].filter(Boolean)
            .join(' + ') || '—'),
          h('td', null, keyBar(s)),
          h('td', { class: 'mono muted' }, s.SequenceNumberRange.StartingSequenceNumber),
          h('td', { class: 'num' }, r ? fmtNumber(r.in) + '/s' : '—'),
          h('td', { class: 'num' }, r ? fmtNumber(r.out) + '/s' : '—'));
      }))));
  }
  return { refresh: load };
}

// ---- consumers ---------------------------------------------------------------------------------

// The triggers (event source mappings) reading the stream or one of its consumers: each one's
// function, source, state, records, lag and iterator age over its shards, and last error.
async function triggersTable(arn) {
  const [, , , region, account] = arn.split(':');
  let mappings = [];
  try {
    mappings = (await listTriggers(account, region)).filter((m) =>
      m.EventSourceArn === arn || m.EventSourceArn.startsWith(arn + '/consumer/'));
  } catch (e) {
    return h('div', { class: 'empty-state' }, `Triggers not shown: ${e.code || e.message}`);
  }
  if (!mappings.length) {
    return h('div', { class: 'empty-state' }, 'No trigger reads this stream.');
  }
  const sum = (m, k) => m.Shards.reduce((n, s) => n + s[k], 0);
  const max = (m, k) => m.Shards.reduce((n, s) => Math.max(n, s[k]), 0);
  return h('table', { class: 'list', id: 'stream-triggers' },
    h('thead', null, h('tr', null, ['Function', 'Reads', 'State', 'Records', 'Lag',
      'Iterator age (max)', 'Last error'].map((t, i) =>
      h('th', { class: i > 2 && i < 6 ? 'num' : null }, t)))),
    h('tbody', null, mappings.map((m) => {
      const fn = arnName(m.FunctionArn.replace(/:(\$LATEST|\d+)$/, '')); // unqualified
      const source = m.EventSourceArn === arn ? 'the stream' :
        'consumer ' + m.EventSourceArn.split('/consumer/')[1].split(':')[0];
      return h('tr', null,
        h('td', null, h('a', { class: 'mono', href: '#/functions/' + encodeURIComponent(fn) }, fn)),
        h('td', null, source),
        h('td', null, h('span', { class: ['pill', m.State === 'Enabled' ? 'ACTIVE' : 'UPDATING'] },
          m.State)),
        h('td', { class: 'num' }, fmtNumber(sum(m, 'Records'))),
        h('td', { class: 'num' }, fmtNumber(sum(m, 'Lag'))),
        h('td', { class: 'num' }, fmtDuration(max(m, 'IteratorAgeMilliseconds'))),
        h('td', null, m.Shards.map((s) => s.LastError).filter(Boolean).pop() || '—'));
    })));
}

function consumersTab(box, summary, reload) {
  const name = summary.StreamName, arn = summary.StreamARN;
  const list = h('div', { class: 'card flush' }), triggers = h('div', { class: 'card flush' });
  replace(box, h('div', { class: 'card-head' }, h('h2', null, 'Triggers'),
    h('span', { class: 'muted' }, 'event source mappings')), triggers,
  h('div', { class: 'card-head' }, h('h2', null, 'Enhanced fan-out consumers'),
    h('button', { class: 'button', onclick: () => formDialog({
      title: 'Register consumer', fields: [{ name: 'name', label: 'Consumer name',
        required: true }], submit: 'Register',
      onSubmit: async (v) => {
        await kinesis('RegisterStreamConsumer', { StreamARN: arn, ConsumerName: v.name.trim() });
        reload();
      } }) }, 'Register consumer')), list);

  async function load() {
    replace(triggers, await triggersTable(arn));
    const consumers = await paginate('kinesis', 'ListStreamConsumers', { StreamARN: arn },
      (p) => p.Consumers || []);
    const end = Date.now();
    const lag = consumers.length ? await metricSeries(consumers.map((c) => ({
      namespace: 'AWS/Kinesis', metric: 'SubscribeToShardEvent.MillisBehindLatest',
      stat: 'Maximum', period: 60, dims: { StreamName: name, ConsumerName: c.ConsumerName } })),
    end - 10 * 60000, end) : [];
    if (!consumers.length) {
      replace(list, h('div', { class: 'empty-state' }, 'No consumers registered. Polling ' +
        'readers (GetRecords) show in the monitoring tab.'));
      return;
    }
    replace(list, h('table', { class: 'list' },
      h('thead', null, h('tr', null, ['Consumer', 'Status', 'Registered',
        'Behind latest (max, 10 min)', ''].map((t) => h('th', null, t)))),
      h('tbody', null, consumers.map((c, i) => {
        const last = lag[i].filter((p) => p[1] !== null).pop();
        return h('tr', null, h('td', { class: 'mono' }, c.ConsumerName),
          h('td', null, h('span', { class: ['pill', c.ConsumerStatus] }, c.ConsumerStatus)),
          h('td', null, fmtTime(c.ConsumerCreationTimestamp * 1000)),
          h('td', null, last ? fmtDuration(last[1]) : 'no events pushed'),
          h('td', null, h('button', { class: 'button small danger', onclick: () => confirmDialog({
            title: `Deregister ${c.ConsumerName}?`, message: 'Its subscriptions end.',
            action: 'Deregister', onConfirm: async () => {
              await kinesis('DeregisterStreamConsumer', { ConsumerARN: c.ConsumerARN });
              reload();
            } }) }, 'Deregister')));
      }))));
  }
  return { refresh: load };
}

// ---- configuration -----------------------------------------------------------------------------

// A JSON document of the stream (its resource policy, its contract): shown pretty, edited in a
// dialog, deleted after a confirmation. doc: {title, text (null: none), error, none (the text
// when there is none), template (a new document), intro, save(text), remove(), removeMessage}.
function documentCard(doc, reload) {
  let pretty = doc.text;
  try {
    pretty = doc.text ? JSON.stringify(JSON.parse(doc.text), null, 2) : doc.text;
  } catch (e) {
    pretty = doc.text;
  }
  return [h('div', { class: 'card-head' }, h('h2', null, doc.title),
    h('div', { class: 'actions' },
      h('button', { class: 'button', onclick: () => formDialog({
        title: doc.title, intro: doc.intro,
        fields: [{ name: 'text', label: 'Document (JSON)', type: 'textarea', rows: 14,
          value: pretty || JSON.stringify(doc.template, null, 2) }],
        onSubmit: async (v) => {
          await doc.save(v.text);
          reload();
        } }) }, doc.text ? 'Edit' : 'Add'),
      doc.text ? h('button', { class: 'button danger', onclick: () => confirmDialog({
        title: `Delete the ${doc.title.toLowerCase()}?`, action: 'Delete',
        message: doc.removeMessage, onConfirm: async () => {
          await doc.remove();
          reload();
        } }) }, 'Delete') : null)),
  doc.error ? h('div', { class: 'callout error' }, `${doc.error.code}: ${doc.error.message}`) :
    doc.text ? h('pre', { class: 'policy' }, pretty) : h('p', { class: 'muted' }, doc.none)];
}

function configurationTab(box, summary, reload) {
  const name = summary.StreamName, arn = summary.StreamARN;
  const tags = h('div', { class: 'card flush' }), policy = h('div'), contract = h('div');
  replace(box,
    h('div', { class: 'card-head' }, h('h2', null, 'Tags'),
      h('button', { class: 'button', onclick: () => formDialog({
        title: 'Add tag', fields: [{ name: 'key', label: 'Key', required: true },
          { name: 'value', label: 'Value' }], submit: 'Add',
        onSubmit: async (v) => {
          await kinesis('AddTagsToStream', { StreamName: name, Tags: { [v.key]: v.value } });
          reload();
        } }) }, 'Add tag')),
    tags,
    h('div', { class: 'card' }, policy),
    h('div', { class: 'card', id: 'stream-contract' }, contract));

  async function load() {
    const [tagPage, pol, con] = await Promise.all([
      kinesis('ListTagsForStream', { StreamName: name }),
      kinesis('GetResourcePolicy', { ResourceARN: arn }).catch((e) => ({ error: e })),
      kinesis('GetStreamContract', { StreamName: name }).catch((e) => ({ error: e })),
    ]);
    const list = tagPage.Tags || [];
    replace(tags, list.length ? h('table', { class: 'list' },
      h('thead', null, h('tr', null, h('th', null, 'Key'), h('th', null, 'Value'), h('th'))),
      h('tbody', null, list.map((t) => h('tr', null, h('td', { class: 'mono' }, t.Key),
        h('td', { class: 'mono' }, t.Value ?? ''),
        h('td', null, h('button', { class: 'button small danger', onclick: async () => {
          await kinesis('RemoveTagsFromStream', { StreamName: name, TagKeys: [t.Key] });
          reload();
        } }, 'Remove')))))) : h('div', { class: 'empty-state' }, 'No tags'));
    // no policy reads as "{}" (or nothing)
    replace(policy, ...documentCard({ title: 'Resource policy', error: pol.error,
      text: pol.error || !pol.Policy || pol.Policy.trim() === '{}' ? null : pol.Policy,
      none: 'No resource policy: only this account\'s identities with permissions use the stream.',
      template: { Version: '2012-10-17', Statement: [] },
      intro: 'Who else may use this stream (PutResourcePolicy).',
      save: (text) => kinesis('PutResourcePolicy', { ResourceARN: arn, Policy: text }),
      remove: () => kinesis('DeleteResourcePolicy', { ResourceARN: arn }),
      removeMessage: 'Other accounts and users lose the access it granted.' }, reload));
    replace(contract, ...documentCard({ title: 'Contract', error: con.error,
      text: con.error ? null : con.Schema || null,
      none: 'No contract: any record is accepted. A contract (a JSON Schema, a kinesd ' +
        'extension) makes puts refuse the records that do not match it.',
      template: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' },
      intro: 'The JSON Schema every record\'s data must match (PutStreamContract, a kinesd ' +
        'extension).',
      save: (text) => kinesis('PutStreamContract', { StreamName: name, Schema: text }),
      remove: () => kinesis('DeleteStreamContract', { StreamName: name }),
      removeMessage: 'Puts stop checking records against it.' }, reload));
  }
  return { refresh: load };
}

// ---- the page ----------------------------------------------------------------------------------

const TABS = { monitoring: ['Monitoring', monitoringTab], shards: ['Shards', shardsTab],
  consumers: ['Consumers', consumersTab], configuration: ['Configuration', configurationTab] };

export async function mount(main, { params, query }) {
  const name = params[0];
  let summary = (await kinesis('DescribeStreamSummary', { StreamName: name }))
    .StreamDescriptionSummary;
  let tab = TABS[query.get('tab')] ? query.get('tab') : 'monitoring';
  let active = null, stop = null;
  const factsBox = h('div', { class: 'facts-box' }), tabBar = h('div', { class: 'tabs', role: 'tablist' });
  const tabBox = h('div'), problem = h('div');
  const head = h('div', { class: 'page-head' });

  const reload = async () => {
    summary = (await kinesis('DescribeStreamSummary', { StreamName: name }))
      .StreamDescriptionSummary;
    drawHead();
    open(tab);
  };
  const gone = () => { location.hash = '#/streams'; };

  function drawHead() {
    const provisioned = (summary.StreamModeDetails || {}).StreamMode !== 'ON_DEMAND';
    const active = summary.StreamStatus === 'ACTIVE';
    replace(head, h('div', null,
      h('div', { class: 'crumbs' }, h('a', { href: '#/streams' }, 'Streams'), ' / '),
      h('h1', { class: 'mono' }, name),
      h('div', { class: 'sub mono' }, summary.StreamARN)),
    h('div', { class: 'actions' },
      h('a', { class: 'button primary', href: '#/viewer/' + encodeURIComponent(name) },
        'View data'),
      h('button', { class: 'button', disabled: !active || !provisioned,
        onclick: () => reshard(summary, reload) }, 'Reshard'),
      h('button', { class: 'button', disabled: !active,
        onclick: () => changeRetention(summary, reload) }, 'Retention'),
      h('button', { class: 'button danger', onclick: () => deleteStream(summary, gone) },
        'Delete')));
    replace(factsBox, facts(summary));
  }

  function open(key) {
    tab = key;
    if (stop) stop();
    if (active && active.destroy) active.destroy();
    replace(tabBar, Object.entries(TABS).map(([k, [label]]) => h('button', {
      class: k === tab ? 'on' : null, role: 'tab', 'data-tab': k, onclick: () => open(k) },
    label)));
    active = TABS[key][1](tabBox, summary, reload);
    stop = every(REFRESH_MS, reporting(problem, async () => {
      summary = (await kinesis('DescribeStreamSummary', { StreamName: name }))
        .StreamDescriptionSummary;
      drawHead();
      await active.refresh();
    }));
  }

  drawHead();
  replace(main, head, factsBox, problem, tabBar, tabBox);
  open(tab);
  return () => {
    if (stop) stop();
    if (active && active.destroy) active.destroy();
  };
}
