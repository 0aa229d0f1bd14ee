// pages/functions.js - the place kept for functions and triggers (Lambda): each event source
// mapping's state, per-shard position and iterator age, last error, recent invocations and
// their log lines. The page is filled in once kinesd serves the Lambda API.
import { h, replace } from '../dom.js';

export function mount(main) {
  replace(main,
    h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'Functions and triggers'))),
    h('div', { class: 'placeholder' },
      h('h2', null, 'Not served by this kinesd yet'),
      h('p', null, 'When kinesd serves the Lambda API, this page lists functions and the ' +
        'triggers that feed them from streams and queues: each mapping\'s state, its position ' +
        'and iterator age per shard, its last error, and recent invocations with their ' +
        'duration and log lines.'),
      h('p', null, 'Until then, a trigger\'s consumption shows as GetRecords on the stream ' +
        'pages, and its metrics under ', h('a', { href: '#/metrics' }, 'Metrics'), '.')));
  return null;
}
