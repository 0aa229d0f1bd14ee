// pages/functions.js - the functions kinesd runs (Lambda): runtime, handler, memory, timeout,
// state, code size, last change. Triggers (event source mappings from streams and queues) get
// their place here once kinesd serves them.
import { rest } from '../aws.js';
import { every, fmtBytes, fmtTime, h, replace, reporting } from '../dom.js';

const REFRESH_MS = 10000;

export async function listFunctions() {
  const out = [];
  let marker = '';
  do {
    const page = (await rest('lambda', 'GET', '/2015-03-31/functions', {
      query: 'MaxItems=50' + (marker ? '&Marker=' + encodeURIComponent(marker) : '') })).json;
    out.push(...(page.Functions || []));
    marker = page.NextMarker || '';
  } while (marker);
  return out;
}

export async function mount(main) {
  const body = h('div', { class: 'card flush' }), problem = h('div');
  const sub = h('div', { class: 'sub' }, 'Loading…');

  const refresh = reporting(problem, async () => {
    const fns = await listFunctions();
    fns.sort((a, b) => a.FunctionName.localeCompare(b.FunctionName));
    sub.textContent = `${fns.length} function${fns.length === 1 ? '' : 's'} · refreshed ` +
      'every 10 s';
    replace(body, fns.length ? h('table', { class: 'list', id: 'functions-table' },
      h('thead', null, h('tr', null, ['Function', 'Runtime', 'Handler', 'Memory', 'Timeout',
        'Code', 'Last modified'].map((t, i) => h('th', { class: i >= 3 && i <= 5 ? 'num' :
        null }, t)))),
      h('tbody', null, fns.map((f) => h('tr', { 'data-function': f.FunctionName },
        h('td', null, h('a', { class: 'mono', href: '#/functions/' +
          encodeURIComponent(f.FunctionName) }, f.FunctionName)),
        h('td', null, f.Runtime || '—'),
        h('td', { class: 'mono' }, f.Handler || '—'),
        h('td', { class: 'num' }, `${f.MemorySize} MB`),
        h('td', { class: 'num' }, `${f.Timeout} s`),
        h('td', { class: 'num' }, fmtBytes(f.CodeSize)),
        h('td', null, f.LastModified ? fmtTime(Date.parse(f.LastModified)) : '—'))))) :
      h('div', { class: 'empty-state' }, 'No functions yet: create one with ',
        h('code', null, 'aws lambda create-function'), ' or ',
        h('code', null, 'kinesctl function create'), '.'));
  });

  replace(main,
    h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'Functions'), sub)),
    problem, body,
    h('div', { class: 'placeholder', id: 'triggers' },
      h('h2', null, 'Triggers'),
      h('p', null, 'Event source mappings (a function fed from a stream or a queue) are not ' +
        'served by this kinesd yet. When they are, this is where each mapping\'s state, its ' +
        'position and iterator age per shard and its last error will show.')));
  return every(REFRESH_MS, refresh);
}
