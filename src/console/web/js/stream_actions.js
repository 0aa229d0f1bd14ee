// stream_actions.js - the changes the console makes to streams, each a dialog over one Kinesis
// call: create, delete, reshard (UpdateShardCount) and the retention period.
import { kinesis } from './aws.js';
import { confirmDialog, formDialog, toast } from './dom.js';

export function createStream(done) {
  return formDialog({
    title: 'Create stream',
    fields: [
      { name: 'name', label: 'Name', required: true, placeholder: 'orders',
        hint: '1-128 characters: letters, digits, _ . -' },
      { name: 'mode', label: 'Capacity mode', type: 'select', value: 'PROVISIONED',
        options: [{ value: 'PROVISIONED', label: 'Provisioned (a fixed number of shards)' },
          { value: 'ON_DEMAND', label: 'On-demand' }] },
      { name: 'shards', label: 'Shards (provisioned)', type: 'number', value: 1, min: 1,
        max: 500 },
    ],
    submit: 'Create',
    onSubmit: async (v) => {
      const input = { StreamName: v.name.trim(), StreamModeDetails: { StreamMode: v.mode } };
      if (v.mode === 'PROVISIONED') input.ShardCount = Number(v.shards);
      await kinesis('CreateStream', input);
      toast(`Creating ${input.StreamName}`, 'ok');
      done();
    },
  });
}

export function deleteStream(summary, done) {
  const consumers = summary.ConsumerCount ? ` Its ${summary.ConsumerCount} consumer(s) are ` +
    'deregistered with it.' : '';
  return confirmDialog({
    title: `Delete ${summary.StreamName}?`,
    message: 'The stream and every record in it are deleted; this cannot be undone.' + consumers,
    typeToConfirm: summary.StreamName,
    onConfirm: async () => {
      await kinesis('DeleteStream', { StreamName: summary.StreamName,
        EnforceConsumerDeletion: true });
      toast(`Deleting ${summary.StreamName}`, 'ok');
      done();
    },
  });
}

export function reshard(summary, done) {
  return formDialog({
    title: `Reshard ${summary.StreamName}`,
    intro: `Now ${summary.OpenShardCount} open shard(s). UpdateShardCount splits or merges ` +
      'shards uniformly; the old shards are closed and stay readable until retention ends.',
    fields: [{ name: 'count', label: 'Target shard count', type: 'number', min: 1,
      value: summary.OpenShardCount * 2 }],
    submit: 'Reshard',
    onSubmit: async (v) => {
      await kinesis('UpdateShardCount', { StreamName: summary.StreamName,
        TargetShardCount: Number(v.count), ScalingType: 'UNIFORM_SCALING' });
      toast(`Resharding ${summary.StreamName} to ${v.count} shards`, 'ok');
      done();
    },
  });
}

export function changeRetention(summary, done) {
  const now = summary.RetentionPeriodHours;
  return formDialog({
    title: `Retention of ${summary.StreamName}`,
    intro: `Records are kept ${now} hours now. Lowering it makes older records unreadable.`,
    fields: [{ name: 'hours', label: 'Retention (hours, 24 to 8760)', type: 'number', min: 24,
      max: 8760, value: now }],
    onSubmit: async (v) => {
      const hours = Number(v.hours);
      if (hours === now) return;
      await kinesis(hours > now ? 'IncreaseStreamRetentionPeriod' :
        'DecreaseStreamRetentionPeriod', { StreamName: summary.StreamName,
        RetentionPeriodHours: hours });
      toast(`Retention of ${summary.StreamName}: ${hours} h`, 'ok');
      done();
    },
  });
}

export function retentionText(hours) {
  return hours % 24 === 0 && hours >= 48 ? `${hours / 24} days` : `${hours} h`;
}
