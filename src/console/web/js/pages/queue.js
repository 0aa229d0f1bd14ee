// pages/queue.js - one queue: its attributes and depth, peeking at messages without consuming
// them (ReceiveMessage with VisibilityTimeout 0), sending one, and for a dead-letter queue the
// redrive of its messages back to a source queue.
import { sqs } from '../aws.js';
import { every, fmtDuration, fmtNumber, fmtTime, formDialog, h, replace, reporting, toast }
  from '../dom.js';
import { attributes, deadLetterTarget, deleteQueue, moveMessages, purgeQueue, queueName,
  sendMessage } from '../queue_actions.js';

const REFRESH_MS = 5000;

function fact(k, v) {
  return h('div', { class: 'fact' }, h('div', { class: 'k' }, k), h('div', { class: 'v' }, v));
}

function messagesTable(messages) {
  if (!messages.length) return h('div', { class: 'empty-state' }, 'No visible messages.');
  return h('table', { class: 'list messages', id: 'peeked' },
    h('thead', null, h('tr', null, ['Message ID', 'Sent', 'Receives', 'Body'].map((t) =>
      h('th', null, t)))),
    h('tbody', null, messages.map((m) => {
      const a = m.Attributes || {};
      return h('tr', { title: m.Body.slice(0, 2000) }, h('td', { class: 'mono' }, m.MessageId),
        h('td', { class: 'nowrap' }, a.SentTimestamp ? fmtTime(Number(a.SentTimestamp)) : '—'),
        h('td', { class: 'num' }, a.ApproximateReceiveCount || '—'),
        h('td', { class: 'body' }, m.Body.slice(0, 400)));
    })));
}

function redrive(url, sources, done) {
  return formDialog({
    title: `Redrive ${queueName(url)}`,
    intro: 'Moves messages back to a queue: each is sent there, then deleted here.',
    fields: [
      sources.length ? { name: 'target', label: 'To', type: 'select', value: sources[0],
        options: sources.map((s) => ({ value: s, label: queueName(s) })) } :
        { name: 'target', label: 'To (queue name)', required: true },
      { name: 'count', label: 'At most (messages)', type: 'number', value: 100, min: 1 },
    ],
    submit: 'Redrive',
    onSubmit: async (v) => {
      const target = v.target.includes('/') ? v.target :
        (await sqs('GetQueueUrl', { QueueName: v.target.trim() })).QueueUrl;
      const moved = await moveMessages(url, target, Number(v.count), () => {});
      toast(`Moved ${moved} message${moved === 1 ? '' : 's'} to ${queueName(target)}`, 'ok');
      done();
    },
  });
}

export async function mount(main, { params }) {
  const name = params[0];
  const url = (await sqs('GetQueueUrl', { QueueName: name })).QueueUrl;
  const factsBox = h('div', { class: 'facts-box' }), peekBox = h('div'), problem = h('div');
  let sources = [];

  const refresh = reporting(problem, async () => {
    const a = await attributes(url);
    sources = (await sqs('ListDeadLetterSourceQueues', { QueueUrl: url })).queueUrls || [];
    const dlq = deadLetterTarget(a);
    replace(factsBox, h('div', { class: 'facts' },
      fact('Visible', fmtNumber(Number(a.ApproximateNumberOfMessages))),
      fact('In flight', fmtNumber(Number(a.ApproximateNumberOfMessagesNotVisible))),
      fact('Delayed', fmtNumber(Number(a.ApproximateNumberOfMessagesDelayed))),
      fact('Visibility timeout', fmtDuration(a.VisibilityTimeout * 1000)),
      fact('Retention', fmtDuration(a.MessageRetentionPeriod * 1000)),
      fact('Dead-letter queue', dlq ? `${dlq.name} (after ${dlq.maxReceiveCount})` : 'none'),
      fact('Dead letters from', sources.length ? sources.map(queueName).join(', ') : 'none'),
      fact('Created', fmtTime(Number(a.CreatedTimestamp) * 1000))));
  });

  // A message received again within the same call (visibility 0) is shown once, with its latest
  // receive count.
  async function peek() {
    const page = await sqs('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10,
      VisibilityTimeout: 0, AttributeNames: ['All'], MessageAttributeNames: ['All'] });
    const byId = new Map((page.Messages || []).map((m) => [m.MessageId, m]));
    replace(peekBox, messagesTable([...byId.values()]));
  }

  const gone = () => { location.hash = '#/queues'; };
  replace(main,
    h('div', { class: 'page-head' }, h('div', null,
      h('div', { class: 'crumbs' }, h('a', { href: '#/queues' }, 'Queues'), ' / '),
      h('h1', { class: 'mono' }, name), h('div', { class: 'sub mono' }, url)),
    h('div', { class: 'actions' },
      h('button', { class: 'button', onclick: () => sendMessage(url, refresh) }, 'Send message'),
      h('button', { class: 'button', id: 'redrive', onclick: () => redrive(url, sources, refresh) },
        'Redrive'),
      h('button', { class: 'button', onclick: () => purgeQueue(url, refresh) }, 'Purge'),
      h('button', { class: 'button danger', onclick: () => deleteQueue(url, gone) }, 'Delete'))),
    problem, factsBox,
    h('div', { class: 'card flush' },
      h('div', { class: 'card-head pad' }, h('h2', null, 'Peek at messages'),
        h('button', { class: 'button primary', id: 'peek', onclick: () => peek().catch((e) =>
          toast(`${e.code}: ${e.message}`, 'error')) }, 'Peek')),
      h('p', { class: 'help pad' }, 'Peeking receives up to 10 messages with a visibility ' +
        'timeout of 0, so they stay visible to consumers; each peek still counts as a receive ' +
        '(ApproximateReceiveCount), which a redrive policy counts too.'),
      peekBox));
  return every(REFRESH_MS, refresh);
}
