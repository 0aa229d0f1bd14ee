// queue_actions.js - the queue calls the queue pages share: a queue's name and URL, its
// attributes, and the changes (create, delete, purge, send, redrive).
import { paginate, sqs } from './aws.js';
import { confirmDialog, formDialog, toast } from './dom.js';

export const queueName = (url) => decodeURIComponent(url.split('/').pop());

export async function listQueueUrls() {
  return paginate('sqs', 'ListQueues', { MaxResults: 1000 }, (p) => p.QueueUrls || []);
}

export async function attributes(url) {
  return (await sqs('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['All'] }))
    .Attributes || {};
}

// The dead-letter queue a RedrivePolicy names: {name, maxReceiveCount} or null.
export function deadLetterTarget(attrs) {
  try {
    const policy = JSON.parse(attrs.RedrivePolicy || 'null');
    return policy ? { name: String(policy.deadLetterTargetArn).split(':').pop(),
      maxReceiveCount: policy.maxReceiveCount } : null;
  } catch (e) {
    return null;
  }
}

export function createQueue(done) {
  return formDialog({
    title: 'Create queue',
    fields: [
      { name: 'name', label: 'Name', required: true, hint: 'letters, digits, - and _' },
      { name: 'visibility', label: 'Visibility timeout (s)', type: 'number', value: 30, min: 0,
        max: 43200 },
      { name: 'retention', label: 'Retention (s)', type: 'number', value: 345600, min: 60,
        max: 1209600 },
      { name: 'dlq', label: 'Dead-letter queue (optional)', placeholder: 'failures' },
      { name: 'maxReceives', label: 'Receives before moving to it', type: 'number', value: 5,
        min: 1, max: 1000 },
    ],
    submit: 'Create',
    onSubmit: async (v) => {
      const Attributes = { VisibilityTimeout: String(v.visibility),
        MessageRetentionPeriod: String(v.retention) };
      if (v.dlq.trim()) {
        const dlqUrl = (await sqs('GetQueueUrl', { QueueName: v.dlq.trim() })).QueueUrl;
        const arn = (await sqs('GetQueueAttributes', { QueueUrl: dlqUrl,
          AttributeNames: ['QueueArn'] })).Attributes.QueueArn;
        Attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: arn,
          maxReceiveCount: Number(v.maxReceives) });
      }
      await sqs('CreateQueue', { QueueName: v.name.trim(), Attributes });
      toast(`Created ${v.name.trim()}`, 'ok');
      done();
    },
  });
}

export function deleteQueue(url, done) {
  const name = queueName(url);
  return confirmDialog({ title: `Delete ${name}?`, typeToConfirm: name,
    message: 'The queue and all its messages are deleted.',
    onConfirm: async () => {
      await sqs('DeleteQueue', { QueueUrl: url });
      toast(`Deleted ${name}`, 'ok');
      done();
    } });
}

export function purgeQueue(url, done) {
  return confirmDialog({ title: `Purge ${queueName(url)}?`, action: 'Purge',
    message: 'Every message in the queue is deleted (one purge per 60 s).',
    onConfirm: async () => {
      await sqs('PurgeQueue', { QueueUrl: url });
      toast('Purged', 'ok');
      done();
    } });
}

export function sendMessage(url, done) {
  return formDialog({
    title: `Send a message to ${queueName(url)}`,
    fields: [{ name: 'body', label: 'Body', type: 'textarea', rows: 8, value: '{}' },
      { name: 'delay', label: 'Delay (s)', type: 'number', value: 0, min: 0, max: 900 }],
    submit: 'Send',
    onSubmit: async (v) => {
      const out = await sqs('SendMessage', { QueueUrl: url, MessageBody: v.body,
        DelaySeconds: Number(v.delay) });
      toast(`Sent ${out.MessageId}`, 'ok');
      done();
    },
  });
}

// Moves up to `limit` messages from a dead-letter queue back to `target` (receive, send, delete:
// a message is deleted here only once the target has it). Resolves to the count moved.
export async function moveMessages(fromUrl, targetUrl, limit, progress) {
  let moved = 0;
  while (moved < limit) {
    const page = await sqs('ReceiveMessage', { QueueUrl: fromUrl, VisibilityTimeout: 60,
      MaxNumberOfMessages: Math.min(10, limit - moved), MessageAttributeNames: ['All'] });
    const messages = page.Messages || [];
    if (!messages.length) break;
    for (const m of messages) {
      const input = { QueueUrl: targetUrl, MessageBody: m.Body };
      if (m.MessageAttributes) input.MessageAttributes = m.MessageAttributes;
      await sqs('SendMessage', input);
      await sqs('DeleteMessage', { QueueUrl: fromUrl, ReceiptHandle: m.ReceiptHandle });
      moved++;
    }
    progress(moved);
  }
  return moved;
}
