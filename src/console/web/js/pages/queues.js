// pages/queues.js - every queue: messages visible, in flight and delayed, the age of the oldest
// (from CloudWatch, when recorded), its dead-letter queue; create, purge, delete.
import { every, fmtDuration, fmtNumber, h, replace, reporting } from '../dom.js';
import { metricSeries } from '../metrics.js';
import { attributes, createQueue, deadLetterTarget, deleteQueue, listQueueUrls, purgeQueue,
  queueName } from '../queue_actions.js';
import { mapLimited } from './streams.js';

const REFRESH_MS = 10000;

async function oldestAges(names) {
  if (!names.length) return [];
  const end = Date.now();
  const series = await metricSeries(names.map((name) => ({ namespace: 'AWS/SQS',
    metric: 'ApproximateAgeOfOldestMessage', stat: 'Maximum', period: 60,
    dims: { QueueName: name } })), end - 5 * 60000, end);
  return series.map((points) => {
    const last = points.filter((p) => p[1] !== null).pop();
    return last ? last[1] : null;
  });
}

export async function mount(main) {
  const body = h('div', { class: 'card flush' }), problem = h('div');
  const sub = h('div', { class: 'sub' }, 'Loading…');

  const refresh = reporting(problem, async () => {
    const urls = await listQueueUrls();
    const attrs = await mapLimited(urls, 8, (u) => attributes(u).catch(() => ({})));
    const names = urls.map(queueName);
    const ages = await oldestAges(names).catch(() => names.map(() => null));
    sub.textContent = `${urls.length} queue${urls.length === 1 ? '' : 's'} · refreshed every 10 s`;
    if (!urls.length) {
      replace(body, h('div', { class: 'empty-state' }, 'No queues yet.'));
      return;
    }
    replace(body, h('table', { class: 'list', id: 'queues-table' },
      h('thead', null, h('tr', null, ['Queue', 'Visible', 'In flight', 'Delayed',
        'Oldest message', 'Dead-letter queue', 'Visibility timeout', ''].map((t, i) =>
        h('th', { class: i >= 1 && i <= 4 ? 'num' : null }, t)))),
      h('tbody', null, urls.map((url, i) => {
        const a = attrs[i], dlq = deadLetterTarget(a);
        return h('tr', null,
          h('td', null, h('a', { class: 'mono', href: '#/queues/' + encodeURIComponent(names[i]) },
            names[i])),
          h('td', { class: 'num' }, fmtNumber(Number(a.ApproximateNumberOfMessages ?? NaN))),
          h('td', { class: 'num' }, fmtNumber(Number(a.ApproximateNumberOfMessagesNotVisible ??
            NaN))),
          h('td', { class: 'num' }, fmtNumber(Number(a.ApproximateNumberOfMessagesDelayed ??
            NaN))),
          h('td', { class: 'num', title: 'CloudWatch AWS/SQS ApproximateAgeOfOldestMessage' },
            ages[i] === null ? '—' : fmtDuration(ages[i] * 1000)),
          h('td', null, dlq ? h('a', { class: 'mono', href: '#/queues/' +
            encodeURIComponent(dlq.name) }, dlq.name) : '—',
          dlq ? h('span', { class: 'muted' }, ` after ${dlq.maxReceiveCount} receives`) : null),
          h('td', null, a.VisibilityTimeout ? fmtDuration(a.VisibilityTimeout * 1000) : '—'),
          h('td', null, h('div', { class: 'actions' },
            h('button', { class: 'button small', onclick: () => purgeQueue(url, refresh) },
              'Purge'),
            h('button', { class: 'button small danger', onclick: () => deleteQueue(url, refresh) },
              'Delete'))));
      }))));
  });

  replace(main, h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'Queues'), sub),
    h('div', { class: 'actions' }, h('button', { class: 'button', onclick: () => refresh() },
      'Refresh'), h('button', { class: 'button primary', onclick: () => createQueue(refresh) },
      'Create queue'))), problem, body);
  return every(REFRESH_MS, refresh);
}
