// pages/viewer.js - the data viewer: read a stream's records from chosen shards and a starting
// position (TRIM_HORIZON, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER), optionally following new
// ones (live tail, across reshards), into a virtualised table; show data as UTF-8, pretty JSON,
// hex or base64, with KPL aggregates expanded; mark the records that violate the stream's
// contract; filter; download what is shown as JSONL.
import { kinesis, paginate } from '../aws.js';
import { ContractMarks } from '../contract_marks.js';
import { fmtBytes, fmtCount, fmtNumber, fmtTime, h, localInputValue, replace, toast }
  from '../dom.js';
import { detail, FORMATS, fromGetRecords, jsonLine, matches, parseFilter, preview }
  from '../records.js';
import { isOpen } from '../shardmap.js';
import { virtualTable } from '../vlist.js';
import { listShards } from './stream.js';

const POLL_MS = 250; // a caught-up shard is asked again this often in live tail
const BATCH = 1000; // records per GetRecords
const DRAW_MS = 100; // new records are drawn at most this often
const LIMITS = [100, 1000, 10000, 50000];
const STARTS = { TRIM_HORIZON: 'Oldest (TRIM_HORIZON)', LATEST: 'Newest (LATEST)',
  AT_TIMESTAMP: 'At a time (AT_TIMESTAMP)', AT_SEQUENCE_NUMBER: 'At a sequence number' };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function seqCompare(a, b) {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

function recordOrder(a, b) {
  return a.arrival - b.arrival || (a.shard < b.shard ? -1 : a.shard > b.shard ? 1 : 0) ||
    seqCompare(a.seq, b.seq) || (a.sub || 0) - (b.sub || 0);
}

const shortShard = (id) => id.replace(/^shardId-0*/, '') || '0';

// One reading session: its shards' loops, the records they found, and how far behind each is.
// A shard is read once the parents it was split or merged from (when chosen too) are read to
// their end, as the KCL does, so that "oldest first" holds across reshards.
class Reading {
  constructor(stream, shards, options, onRecords, onChange) {
    this.stream = stream;
    this.lineage = new Map(shards.map((s) => [s.ShardId, [s.ParentShardId,
      s.AdjacentParentShardId].filter(Boolean)]));
    this.finished = new Map(); // shard id -> promise of its loop's end
    this.active = 0; // shard loops queued or running
    this.options = options; // {start, timestamp, sequence, live, max}
    this.onRecords = onRecords;
    this.onChange = onChange;
    this.stopped = false;
    this.started = new Set();
    this.shards = new Map(); // shard id -> {behind, state, error}
    this.count = 0;
  }

  start(shardIds) {
    const chosen = new Set(shardIds);
    let resolve = null;
    const ready = new Promise((r) => { resolve = r; });
    for (const id of shardIds) {
      const parents = this.lineage.get(id).filter((p) => chosen.has(p));
      this.finished.set(id, this.track(ready.then(() => Promise.all(parents.map((p) =>
        this.finished.get(p)))).then(() => this.follow(id, () => this.firstIterator(id)))));
    }
    resolve();
  }

  stop() {
    this.stopped = true;
    this.onChange();
  }

  get running() {
    return !this.stopped && this.active > 0;
  }

  // Counts a shard loop as active until `work` settles.
  track(work) {
    this.active++;
    return work.finally(() => {
      this.active--;
      this.onChange();
    });
  }

  iteratorInput(shardId, type) {
    const input = { StreamName: this.stream, ShardId: shardId, ShardIteratorType: type };
    if (type === 'AT_TIMESTAMP') input.Timestamp = this.options.timestamp / 1000;
    if (type === 'AT_SEQUENCE_NUMBER') input.StartingSequenceNumber = this.options.sequence;
    return input;
  }

  async firstIterator(shardId) {
    const page = await kinesis('GetShardIterator', this.iteratorInput(shardId,
      this.options.start));
    return page.ShardIterator;
  }

  // Reads one shard from the iterator `first()` gives, to its end (or forever, in live tail).
  async follow(shardId, first) {
    const full = !this.options.live && this.count >= this.options.max;
    if (this.started.has(shardId) || this.stopped || full) return;
    this.started.add(shardId);
    const state = { behind: null, state: 'reading', error: null, last: null };
    this.shards.set(shardId, state);
    this.onChange();
    try {
      await this.readShard(shardId, await first(), state);
    } catch (e) {
      state.state = 'failed';
      state.error = e;
    }
    if (state.state === 'reading') state.state = this.stopped ? 'stopped' : 'done';
    this.onChange();
  }

  async readShard(shardId, iterator, state) {
    let it = iterator;
    while (!this.stopped && it) {
      if (!this.options.live && this.count >= this.options.max) return;
      let page;
      const room = this.options.live ? BATCH : Math.min(BATCH, this.options.max - this.count);
      try {
        page = await kinesis('GetRecords', { ShardIterator: it, Limit: room });
      } catch (e) {
        if (e.code === 'ExpiredIteratorException') {
          it = (await kinesis('GetShardIterator', state.last ? { ...this.iteratorInput(shardId,
            'AFTER_SEQUENCE_NUMBER'), StartingSequenceNumber: state.last } :
            this.iteratorInput(shardId, this.options.start))).ShardIterator;
          continue;
        }
        if (e.code !== 'ProvisionedThroughputExceededException') throw e;
        await sleep(1000);
        continue;
      }
      const records = page.Records || [];
      if (records.length) {
        state.last = records[records.length - 1].SequenceNumber;
        const found = fromGetRecords(shardId, records);
        this.count += found.length;
        this.onRecords(found);
      }
      state.behind = page.MillisBehindLatest;
      it = page.NextShardIterator;
      if (!it) {
        state.state = 'closed';
        if (this.options.live) await this.followChildren(shardId);
        return;
      }
      const caughtUp = page.MillisBehindLatest === 0;
      if (caughtUp && !this.options.live) return;
      if (caughtUp && !records.length) await sleep(POLL_MS);
      this.onChange();
    }
  }

  // A shard closed by a reshard: read its children from their start (live tail only).
  async followChildren(shardId) {
    const shards = await listShards(this.stream);
    shards.filter((s) => s.ParentShardId === shardId || s.AdjacentParentShardId === shardId)
      .forEach((child) => this.track(this.follow(child.ShardId, async () => (await kinesis(
        'GetShardIterator', { StreamName: this.stream, ShardId: child.ShardId,
          ShardIteratorType: 'TRIM_HORIZON' })).ShardIterator)));
  }
}

function shardPicker(shards, chosen, onChange) {
  const summary = h('summary', { class: 'button' });
  const describe = () => {
    const open = shards.filter(isOpen).map((s) => s.ShardId);
    const allOpen = open.length === chosen.size && open.every((id) => chosen.has(id));
    summary.textContent = `Shards: ${chosen.size === shards.length ? `all (${shards.length})` :
      allOpen ? `all open (${open.length})` : chosen.size} ▾`;
  };
  const boxes = shards.map((s) => {
    const box = h('input', { type: 'checkbox', value: s.ShardId, checked: chosen.has(s.ShardId),
      onchange: () => {
        if (box.checked) chosen.add(s.ShardId);
        else chosen.delete(s.ShardId);
        describe();
        onChange();
      } });
    return h('label', null, box, s.ShardId, isOpen(s) ? null : h('span', { class: 'pill closed' },
      'closed'));
  });
  const setAll = (pick) => () => {
    chosen.clear();
    shards.filter(pick).forEach((s) => chosen.add(s.ShardId));
    boxes.forEach((l) => { l.firstChild.checked = chosen.has(l.firstChild.value); });
    describe();
    onChange();
  };
  describe();
  return h('details', { class: 'picker', id: 'shard-picker' }, summary, h('div', { class: 'menu' },
    h('div', { class: 'menu-actions' },
      h('button', { class: 'button small', type: 'button', onclick: setAll(isOpen) }, 'All open'),
      h('button', { class: 'button small', type: 'button', onclick: setAll(() => true) }, 'All'),
      h('button', { class: 'button small', type: 'button', onclick: setAll(() => false) },
        'None')),
    boxes));
}

const CONTRACT_STATES = { violates: 'violates it', admits: 'matches it',
  unchecked: 'not checked yet' };

function detailPane(rec, format, marks) {
  if (!rec) return h('div', { class: 'empty-state' }, 'Select a record to see its data.');
  const { text, note } = detail(rec, format);
  const state = marks.state(rec);
  const rows = [['Shard', rec.shard], ['Sequence', rec.seq],
    rec.sub !== null ? ['User record', `${rec.sub + 1} of ${rec.aggregate.count} (KPL ` +
      `aggregate of ${fmtBytes(rec.aggregate.size)})`] : null,
    ['Partition key', rec.pk], rec.ehk ? ['Hash key', rec.ehk] : null,
    ['Arrival', fmtTime(rec.arrival, true)], ['Size', `${rec.size} bytes`],
    marks.active ? ['Contract', CONTRACT_STATES[state]] : null].filter(Boolean);
  return [h('div', { class: 'detail-head' }, h('dl', null, rows.map(([k, v]) =>
    [h('dt', null, k), h('dd', null, v)]))),
  state === 'violates' ? h('div', { class: 'note violation', id: 'record-violation' },
    rec.violation) : null,
  note || rec.note ? h('div', { class: 'note' }, [rec.note, note].filter(Boolean).join('; ')) :
    null,
  h('pre', { id: 'record-data', class: ['mono', format] }, text)];
}

export async function mount(main, { params }) {
  const names = await paginate('kinesis', 'ListStreams', { Limit: 1000 },
    (p) => p.StreamNames || []);
  const stream = params[0] || names[0];
  const streamSelect = h('select', { id: 'viewer-stream', onchange: () => {
    location.hash = '#/viewer/' + encodeURIComponent(streamSelect.value);
  } }, names.map((n) => h('option', { value: n, selected: n === stream }, n)));
  const head = h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'Data viewer'),
    h('div', { class: 'sub' }, 'Reads with GetRecords, as any consumer does; nothing is ' +
      'changed or checkpointed.')), h('div', { class: 'actions' }, names.length ?
    h('label', { class: 'check' }, 'Stream ', streamSelect) : null));
  if (!stream) {
    replace(main, head, h('div', { class: 'card empty-state' }, 'No streams to read. ',
      h('a', { href: '#/streams' }, 'Create one first.')));
    return null;
  }

  // marks redraw the table as their answers come; a newer contract has every record checked again
  const marks = new ContractMarks(stream, (contractChanged) => {
    if (contractChanged) marks.add(records);
    scheduleDraw();
  });
  const [shards] = await Promise.all([listShards(stream), marks.load()]);
  // every shard by default: after a reshard the oldest records are in the closed parents
  const chosen = new Set(shards.map((s) => s.ShardId));
  let format = 'text', groups = [], filterGen = 0, reading = null;
  let records = [], shown = [], pending = [], drawTimer = null;

  const startSelect = h('select', { id: 'viewer-start' }, Object.entries(STARTS).map(([v, l]) =>
    h('option', { value: v, selected: v === 'TRIM_HORIZON' }, l)));
  const timeInput = h('input', { type: 'datetime-local', step: '1', id: 'viewer-time',
    value: localInputValue(Date.now() - 3600000) });
  const seqInput = h('input', { id: 'viewer-seq', placeholder: 'sequence number', size: 30,
    class: 'mono' });
  const limitSelect = h('select', { id: 'viewer-limit' }, LIMITS.map((n) =>
    h('option', { value: n, selected: n === 1000 }, fmtCount(n))));
  const liveBox = h('input', { type: 'checkbox', id: 'viewer-live' });
  const goButton = h('button', { class: 'button primary', id: 'viewer-go' }, 'Read');
  const timeField = h('label', { class: 'field' }, h('span', { class: 'label' }, 'Time (local)'),
    timeInput);
  const seqField = h('label', { class: 'field' }, h('span', { class: 'label' }, 'Sequence number'),
    seqInput);
  const showStartFields = () => {
    timeField.hidden = startSelect.value !== 'AT_TIMESTAMP';
    seqField.hidden = startSelect.value !== 'AT_SEQUENCE_NUMBER';
  };
  startSelect.addEventListener('change', showStartFields);
  showStartFields();

  const filterInput = h('input', { id: 'viewer-filter', type: 'search', placeholder:
    'Filter: text, key:user-*, shard:0001, .type == "sent", .amount > 10   (a b: both; a or b)',
  spellcheck: 'false', autocomplete: 'off' });
  const count = h('span', { class: 'count', id: 'viewer-count' });
  const violationsBox = h('input', { type: 'checkbox', id: 'viewer-violations',
    onchange: () => draw() });
  const contractSummary = h('span', { class: 'summary' });
  const violationsLabel = h('label', { class: 'check', title: 'Show only the records that ' +
    'violate the contract' }, violationsBox, 'Violations only');
  const contractBar = h('span', { class: 'contract-marks', id: 'viewer-contract', hidden: true },
    contractSummary, violationsLabel);
  const formatBar = h('div', { class: 'segmented', id: 'viewer-format', role: 'group' });
  const status = h('div', { class: 'status-line', id: 'viewer-status' });
  const detailBox = h('div', { class: 'detail', id: 'viewer-detail' });

  const table = virtualTable({
    columns: [
      { label: 'Shard', width: '64px', className: 'mono' },
      { label: 'Sequence number', width: 'minmax(120px, 1.2fr)', className: 'mono seq' },
      { label: 'Partition key', width: 'minmax(110px, .8fr)', className: 'mono' },
      { label: 'Arrival', width: '196px', className: 'mono' },
      { label: 'Size', width: '72px', className: 'num' },
      { label: 'Data', width: 'minmax(200px, 3fr)', className: 'data' },
    ],
    renderCells: (r) => [shortShard(r.shard), r.seq,
      r.pk, fmtTime(r.arrival, true), fmtBytes(r.size),
      [r.sub !== null ? h('span', { class: 'pill kpl', title: 'a user record of a KPL aggregate' },
        `KPL ${r.sub + 1}/${r.aggregate.count}`) : null,
      r.note ? h('span', { class: 'pill warn', title: r.note }, 'KPL?') : null,
      marks.state(r) === 'violates' ? h('span', { class: 'pill violation', title: r.violation },
        'violates contract') : null,
      ' ', preview(r, format)]],
    rowClass: (r) => (marks.state(r) === 'violates' ? 'violates' : null),
    onSelect: (r) => replace(detailBox, detailPane(r, format, marks)),
    empty: 'No records yet: choose shards and a start, then Read.',
  });
  table.element.id = 'viewer-table';
  replace(detailBox, detailPane(null, format, marks));

  function passes(r) {
    if (r.filterGen !== filterGen) {
      r.filterGen = filterGen;
      r.filterMatch = matches(r, groups);
    }
    return r.filterMatch;
  }

  function draw() {
    drawTimer = null;
    if (pending.length) {
      pending.sort(recordOrder);
      const inOrder = !records.length || recordOrder(records[records.length - 1], pending[0]) <= 0;
      records = records.concat(pending);
      if (!inOrder) records.sort(recordOrder);
      pending = [];
      const max = Number(limitSelect.value);
      if (records.length > max) records = reading && reading.options.live ?
        records.slice(records.length - max) : records.slice(0, max);
    }
    const onlyViolations = marks.active && violationsBox.checked;
    shown = groups.length || onlyViolations ? records.filter((r) => (!groups.length ||
      passes(r)) && (!onlyViolations || marks.state(r) === 'violates')) : records;
    table.setRows(shown, { follow: Boolean(reading && reading.options.live) });
    count.textContent = shown !== records ? `${fmtCount(shown.length)} of ${fmtCount(
      records.length)} records` : `${fmtCount(records.length)} records`;
    drawContract();
    replace(detailBox, detailPane(table.selectedRow, format, marks));
    table.setEmpty(records.length ? 'No record matches the filter.' : reading ?
      'No records read (yet).' : 'No records yet: choose shards and a start, then Read.');
  }

  // "N of M records violate the contract" (and how many are not checked yet), or why they
  // cannot be checked; nothing when the stream has no contract.
  function drawContract() {
    contractBar.hidden = !marks.active && !marks.error;
    violationsLabel.hidden = Boolean(marks.error);
    if (marks.error) {
      contractSummary.textContent = `Contract not checked: ${marks.error.code}`;
      contractSummary.title = marks.error.message;
      return;
    }
    let violating = 0, unchecked = 0;
    for (const r of records) {
      const state = marks.state(r);
      if (state === 'violates') violating++;
      else if (state === 'unchecked') unchecked++;
    }
    contractSummary.textContent = `${fmtCount(violating)} of ${fmtCount(records.length)} ` +
      'records violate the contract' + (unchecked ? ` (${fmtCount(unchecked)} not checked ` +
      'yet)' : '');
  }

  const scheduleDraw = () => {
    if (!drawTimer) drawTimer = setTimeout(draw, DRAW_MS);
  };

  function drawStatus() {
    if (!reading) {
      replace(status, `${shards.length} shards, ${shards.filter(isOpen).length} open`);
      return;
    }
    const states = [...reading.shards.entries()];
    const failed = states.filter(([, s]) => s.error);
    const behind = Math.max(0, ...states.map(([, s]) => s.behind || 0));
    const done = !reading.running && !reading.stopped;
    replace(status,
      reading.running ? h('span', { class: reading.options.live ? 'live' : null },
        reading.options.live ? 'Live tail' : 'Reading…') :
        h('span', null, !done ? 'Stopped' : reading.count >= reading.options.max ?
          `Stopped after ${fmtCount(reading.options.max)} records (Keep at most)` :
          'Done: read to the latest record'),
      h('span', null, `${states.length} shard${states.length === 1 ? '' : 's'}`),
      reading.running ? h('span', null, behind ? `${fmtNumber(behind / 1000)} s behind latest` :
        'at the latest record') : null,
      failed.map(([id, s]) => h('span', { class: 'pill warn' }, `${id}: ${s.error.code}: ` +
        s.error.message)));
    goButton.textContent = reading.running ? 'Stop' : 'Read';
    goButton.classList.toggle('danger', reading.running);
    goButton.classList.toggle('primary', !reading.running);
  }

  function start() {
    if (reading && reading.running) {
      reading.stop();
      return;
    }
    if (!chosen.size) {
      toast('Choose at least one shard', 'error');
      return;
    }
    const options = { start: startSelect.value, live: liveBox.checked,
      max: Number(limitSelect.value), timestamp: new Date(timeInput.value).getTime(),
      sequence: seqInput.value.trim() };
    if (options.start === 'AT_TIMESTAMP' && Number.isNaN(options.timestamp)) {
      toast('Pick a time to start at', 'error');
      return;
    }
    if (options.start === 'AT_SEQUENCE_NUMBER' && !/^\d+$/.test(options.sequence)) {
      toast('A sequence number is digits only', 'error');
      return;
    }
    records = [];
    pending = [];
    marks.reset();
    draw();
    if (reading) reading.stop();
    reading = new Reading(stream, shards, options, (found) => {
      pending.push(...found);
      marks.add(found);
      scheduleDraw();
    }, drawStatus);
    reading.start([...chosen]);
  }
  goButton.addEventListener('click', start);

  function drawFormats() {
    replace(formatBar, Object.entries(FORMATS).map(([key, label]) => h('button', {
      class: key === format ? 'on' : null, 'data-format': key, onclick: () => {
        format = key;
        drawFormats();
        table.setRows(shown);
        replace(detailBox, detailPane(table.selectedRow, format, marks));
      } }, label)));
  }
  drawFormats();

  let filterTimer = null;
  filterInput.addEventListener('input', () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => {
      try {
        groups = parseFilter(filterInput.value);
        filterInput.classList.remove('bad');
        filterInput.title = '';
      } catch (e) {
        filterInput.classList.add('bad');
        filterInput.title = e.message;
        return;
      }
      filterGen++;
      draw();
    }, 150);
  });

  const download = () => {
    const blob = new Blob([shown.map(jsonLine).join('\n') + (shown.length ? '\n' : '')],
      { type: 'application/x-ndjson' });
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: `${stream}-${new Date().toISOString()
      .replace(/[:.]/g, '-')}.jsonl` });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  };

  replace(main, h('div', { class: 'viewer' }, head,
    h('div', { class: 'toolbar' },
      h('div', { class: 'field' }, h('span', { class: 'label' }, 'Shards'),
        shardPicker(shards, chosen, () => {})),
      h('label', { class: 'field' }, h('span', { class: 'label' }, 'Start'), startSelect),
      timeField, seqField,
      h('label', { class: 'field' }, h('span', { class: 'label' }, 'Keep at most'), limitSelect),
      h('label', { class: 'check', title: 'Keep reading as records arrive, and follow the ' +
        'children of shards closed by a reshard' }, liveBox, 'Live tail'),
      h('div', { class: 'grow' }), goButton),
    h('div', { class: 'filterbar' }, filterInput, count, contractBar, formatBar,
      h('button', { class: 'button', id: 'viewer-download', onclick: download,
        title: 'The records shown (after the filter), one JSON object a line' },
      'Download JSONL')),
    status,
    h('div', { class: 'split' }, table.element, detailBox)));
  drawStatus();
  draw();
  return () => {
    if (reading) reading.stop();
    marks.stop();
    clearTimeout(drawTimer);
  };
}
