// contract_marks.js - the data viewer's contract marks. When the stream has a contract (a kinesd
// extension: a JSON Schema its records' data must match), the records read are checked against it
// with CheckStreamContract, which answers each as a put would and stores nothing. A record put
// before the contract was set, or under an older one, may violate it.
//
// Checks go one call at a time, in batches of at most 500 stored records and BATCH_BYTES of data,
// so that a large view keeps drawing while they run. The user records of a KPL aggregate share
// their stored record, which is checked once (a put checks the aggregate's bytes, not its user
// records). Each checked record gets `violation` (the refusal a put would get, or null) and
// `checkedBy` (the contract's LastUpdatedTimestamp): when an answer names a newer contract, the
// marks say so (onChange(true)) and the viewer hands every record in again.
import { kinesis } from './aws.js';
import { bytesToBase64 } from './records.js';

const BATCH_RECORDS = 500; // CheckStreamContract's most
const BATCH_BYTES = 3 << 20; // data per call (a larger record goes alone)

export class ContractMarks {
  // onChange(contractChanged) is called after each batch, and when the checking stops; `call` is
  // how Kinesis operations are called (aws.js's kinesis; the unit tests give their own).
  constructor(stream, onChange, call = kinesis) {
    this.stream = stream;
    this.onChange = onChange;
    this.call = call;
    this.version = null; // the contract's LastUpdatedTimestamp; null: no contract (or not known)
    this.queue = []; // stored records to check, in order: {raw (their data), rows: [records]}
    this.busy = false; // a batch is being checked
    this.stopped = false;
    this.error = null; // the AwsError that stopped the checks
  }

  get active() {
    return this.version !== null;
  }

  // Reads the stream's contract (GetStreamContract): the one call made when there is none.
  async load() {
    try {
      const contract = await this.call('GetStreamContract', { StreamName: this.stream });
      this.version = contract.Schema ? contract.LastUpdatedTimestamp : null;
    } catch (e) {
      this.error = e;
    }
  }

  // 'violates', 'admits' or 'unchecked' (by the current contract).
  state(row) {
    if (!this.active || row.checkedBy !== this.version) return 'unchecked';
    return row.violation ? 'violates' : 'admits';
  }

  // Queues the records not yet checked (nor queued) by the current contract, and checks them.
  add(rows) {
    if (!this.active || this.stopped) return;
    let last = null;
    for (const row of rows) {
      if (row.checkedBy === this.version || row.queuedFor === this.version) continue;
      row.queuedFor = this.version;
      if (last && last.raw === row.raw) last.rows.push(row);
      else this.queue.push(last = { raw: row.raw, rows: [row] });
    }
    this.pump();
  }

  // Forgets the queued records (a new reading starts).
  reset() {
    this.queue.forEach((entry) => entry.rows.forEach((row) => { row.queuedFor = undefined; }));
    this.queue = [];
  }

  stop() {
    this.stopped = true;
    this.reset();
  }

  async pump() {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length && this.active && !this.stopped) await this.checkBatch();
    } catch (e) {
      // ResourceNotFoundException: the contract (or the stream) is gone since it was read
      if (e.code === 'ResourceNotFoundException') this.version = null;
      else this.error = e;
      this.reset();
      this.onChange(false);
    } finally {
      this.busy = false;
    }
  }

  // The next batch: up to BATCH_RECORDS stored records and BATCH_BYTES of their data.
  takeBatch() {
    let count = 0, bytes = 0;
    while (count < this.queue.length && count < BATCH_RECORDS &&
      (!count || bytes + this.queue[count].raw.length <= BATCH_BYTES)) {
      bytes += this.queue[count++].raw.length;
    }
    return this.queue.splice(0, count);
  }

  async checkBatch() {
    const batch = this.takeBatch();
    const answer = await this.call('CheckStreamContract', { StreamName: this.stream,
      Records: batch.map((entry) => ({ Data: bytesToBase64(entry.raw) })) });
    if (this.stopped) return;
    const changed = answer.LastUpdatedTimestamp !== this.version;
    this.version = answer.LastUpdatedTimestamp;
    batch.forEach((entry, i) => entry.rows.forEach((row) => {
      row.checkedBy = this.version;
      row.violation = answer.Results[i].Admitted ? null : answer.Results[i].ErrorMessage;
    }));
    this.onChange(changed);
  }
}
