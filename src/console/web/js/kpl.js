// kpl.js - KPL aggregated records, expanded into their user records as the KCL does. The format:
// the magic bytes F3 89 9A C2, a protobuf AggregatedRecord, and the MD5 of that protobuf (16
// bytes). AggregatedRecord: 1 partition_key_table (repeated string), 2 explicit_hash_key_table
// (repeated string), 3 records (repeated Record); Record: 1 partition_key_index (uint64),
// 2 explicit_hash_key_index (uint64), 3 data (bytes), 4 tags (repeated Tag {1 key, 2 value}).
import { md5 } from './crypto.js';

const MAGIC = [0xf3, 0x89, 0x9a, 0xc2];
const MD5_LEN = 16;
const decoder = new TextDecoder();

class Reader {
  constructor(bytes) {
    this.bytes = bytes;
    this.pos = 0;
  }

  get done() {
    return this.pos >= this.bytes.length;
  }

  varint() {
    let value = 0, scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.bytes.length) throw new Error('truncated varint');
      const b = this.bytes[this.pos++];
      value += (b & 0x7f) * scale;
      if (!(b & 0x80)) return value;
      scale *= 128;
    }
    throw new Error('varint too long');
  }

  bytesField() {
    const len = this.varint();
    if (this.pos + len > this.bytes.length) throw new Error('truncated field');
    const out = this.bytes.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  skip(wire) {
    if (wire === 0) this.varint();
    else if (wire === 2) this.bytesField();
    else if (wire === 1) this.pos += 8;
    else if (wire === 5) this.pos += 4;
    else throw new Error('unknown wire type ' + wire);
  }

  // Calls fn(field, wire) for each field; fn returns true when it read the value.
  fields(fn) {
    while (!this.done) {
      const tag = this.varint();
      const field = Math.floor(tag / 8), wire = tag & 7;
      if (!fn(field, wire)) this.skip(wire);
    }
  }
}

function readTag(bytes) {
  const tag = { key: '', value: '' };
  const r = new Reader(bytes);
  r.fields((field, wire) => {
    if (wire !== 2 || (field !== 1 && field !== 2)) return false;
    tag[field === 1 ? 'key' : 'value'] = decoder.decode(r.bytesField());
    return true;
  });
  return tag;
}

function readRecord(bytes) {
  const r = new Reader(bytes);
  const rec = { keyIndex: null, hashIndex: null, data: new Uint8Array(0), tags: [] };
  r.fields((field, wire) => {
    if (field === 1 && wire === 0) rec.keyIndex = r.varint();
    else if (field === 2 && wire === 0) rec.hashIndex = r.varint();
    else if (field === 3 && wire === 2) rec.data = r.bytesField();
    else if (field === 4 && wire === 2) rec.tags.push(readTag(r.bytesField()));
    else return false;
    return true;
  });
  if (rec.keyIndex === null) throw new Error('a record without a partition key index');
  return rec;
}

export function looksAggregated(bytes) {
  return bytes.length > MAGIC.length + MD5_LEN && MAGIC.every((b, i) => bytes[i] === b);
}

function sameBytes(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

// The user records of an aggregated record: {records: [{partitionKey, explicitHashKey, data,
// tags}]}; {error} when it carries the magic but is not a valid aggregate (the KCL then hands the
// record over as it is); null when it is no aggregate at all.
export function deaggregate(bytes) {
  if (!looksAggregated(bytes)) return null;
  const body = bytes.subarray(MAGIC.length, bytes.length - MD5_LEN);
  if (!sameBytes(md5(body), bytes.subarray(bytes.length - MD5_LEN))) {
    return { error: 'starts with the KPL magic but its MD5 does not match' };
  }
  try {
    const keys = [], hashes = [], raw = [];
    const r = new Reader(body);
    r.fields((field, wire) => {
      if (wire !== 2 || field < 1 || field > 3) return false;
      const value = r.bytesField();
      if (field === 3) raw.push(readRecord(value));
      else (field === 1 ? keys : hashes).push(decoder.decode(value));
      return true;
    });
    const records = raw.map((rec) => {
      if (rec.keyIndex >= keys.length || (rec.hashIndex !== null && rec.hashIndex >= hashes.length)) {
        throw new Error('a table index out of range');
      }
      return { partitionKey: keys[rec.keyIndex],
        explicitHashKey: rec.hashIndex === null ? null : hashes[rec.hashIndex],
        data: rec.data, tags: rec.tags };
    });
    return { records };
  } catch (e) {
    return { error: 'a malformed aggregate: ' + e.message };
  }
}
