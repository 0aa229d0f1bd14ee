// records.js - what the data viewer knows about a record: decoding (base64, UTF-8, JSON, KPL user
// records), its data shown four ways (UTF-8, pretty JSON, hex, base64) with bounded work for the
// table's previews, the filter language, and JSONL for download.
import { deaggregate } from './kpl.js';

export const FORMATS = { text: 'UTF-8', json: 'Pretty JSON', hex: 'Hex', base64: 'Base64' };
const PREVIEW_BYTES = 2048; // a table row never decodes more than this
const PREVIEW_CHARS = 240;
export const DETAIL_LIMIT = 1 << 20; // the detail pane shows at most this many bytes' worth
const HEX_DETAIL_LIMIT = 64 * 1024;
const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

export function base64ToBytes(text) {
  const bin = atob(text || '');
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToBase64(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

// Records of one GetRecords answer as the viewer keeps them: an aggregated record becomes its
// user records (sub-sequence numbers 0..n-1), one that only looks aggregated is marked. `raw` is
// the stored record's data (an aggregate's user records share it).
export function fromGetRecords(shardId, records) {
  const out = [];
  for (const r of records) {
    const bytes = base64ToBytes(r.Data);
    const base = { shard: shardId, seq: r.SequenceNumber, sub: null, pk: r.PartitionKey,
      ehk: null, arrival: r.ApproximateArrivalTimestamp * 1000, bytes, size: bytes.length,
      aggregate: null, note: null, raw: bytes };
    const agg = deaggregate(bytes);
    if (!agg || agg.error) {
      out.push({ ...base, note: agg ? agg.error : null });
      continue;
    }
    agg.records.forEach((u, i) => out.push({ ...base, sub: i, pk: u.partitionKey,
      ehk: u.explicitHashKey, bytes: u.data, size: u.data.length,
      aggregate: { index: i, count: agg.records.length, size: bytes.length } }));
  }
  return out;
}

// The record's data as text (decoded once, up to the detail limit): {text, utf8: valid UTF-8}.
export function textOf(rec) {
  if (rec.textCache === undefined) {
    const bytes = rec.bytes.subarray(0, DETAIL_LIMIT);
    try {
      rec.textCache = { text: strict.decode(bytes), utf8: true };
    } catch (e) {
      rec.textCache = { text: lenient.decode(bytes), utf8: false };
    }
  }
  return rec.textCache;
}

// The record's data parsed as JSON: {value} or null when it is not JSON.
export function jsonOf(rec) {
  if (rec.jsonCache === undefined) {
    rec.jsonCache = null;
    const first = rec.bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
    const opens = first === 0x7b || first === 0x5b || first === 0x22 || (first >= 0x30 &&
      first <= 0x39) || first === 0x2d || first === 0x74 || first === 0x66 || first === 0x6e;
    if (opens && rec.bytes.length <= DETAIL_LIMIT && textOf(rec).utf8) {
      try {
        rec.jsonCache = { value: JSON.parse(textOf(rec).text) };
      } catch (e) {
        rec.jsonCache = null;
      }
    }
  }
  return rec.jsonCache;
}

function hexBytes(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

const printable = (s) => s.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '⏎' : '·'));

function cut(text, max) {
  return text.length > max ? text.slice(0, max) + '…' : text;
}

// One line for the table: bounded work whatever the record's size.
export function preview(rec, format) {
  const head = rec.bytes.subarray(0, PREVIEW_BYTES);
  if (format === 'hex') return cut(hexBytes(head.subarray(0, PREVIEW_CHARS / 3)), PREVIEW_CHARS);
  if (format === 'base64') return cut(bytesToBase64(head.subarray(0, PREVIEW_CHARS)), PREVIEW_CHARS);
  if (format === 'json' && rec.size <= 64 * 1024 && jsonOf(rec)) {
    return cut(JSON.stringify(jsonOf(rec).value), PREVIEW_CHARS);
  }
  return cut(printable(lenient.decode(head)), PREVIEW_CHARS);
}

function hexDump(bytes) {
  const lines = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const row = bytes.subarray(off, off + 16);
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.'));
    lines.push(off.toString(16).padStart(8, '0') + '  ' + hexBytes(row).padEnd(48) + ' ' +
      ascii.join(''));
  }
  return lines.join('\n');
}

// The detail pane's text: {text, note} (note says what was left out or why JSON is not shown).
export function detail(rec, format) {
  if (format === 'hex') {
    const shown = rec.bytes.subarray(0, HEX_DETAIL_LIMIT);
    return { text: hexDump(shown), note: rec.size > shown.length ?
      `first ${shown.length} of ${rec.size} bytes` : null };
  }
  if (format === 'base64') {
    const shown = rec.bytes.subarray(0, DETAIL_LIMIT);
    return { text: bytesToBase64(shown).replace(/.{76}/g, '$&\n'), note: rec.size > shown.length ?
      `first ${shown.length} of ${rec.size} bytes` : null };
  }
  const truncated = rec.size > DETAIL_LIMIT ? `first ${DETAIL_LIMIT} of ${rec.size} bytes` : null;
  if (format === 'json') {
    const json = jsonOf(rec);
    if (json) return { text: JSON.stringify(json.value, null, 2), note: null };
    return { text: textOf(rec).text, note: truncated || 'not JSON: shown as text' };
  }
  const { text, utf8 } = textOf(rec);
  return { text, note: truncated || (utf8 ? null : 'not valid UTF-8: invalid bytes shown as �') };
}

// ---- the filter --------------------------------------------------------------------------------
//
//   user-42            the text appears in the data or the partition key (case-insensitive)
//   "two words"        the same, for a phrase
//   key:user-*         the partition key (* matches anything); shard:0001 the shard id contains
//   .type == "sent"    a JSON field: == != > >= < <= ~ (contains), or `.field` alone (present,
//   .items[0].qty>2    not null or false); the value is JSON (42, "x", true, null) or a bare word
//   a b                both terms; `a or b` either (and binds tighter than or)

const OPERATORS = ['==', '!=', '>=', '<=', '>', '<', '~'];

function readWord(src, i) {
  if (src[i] === '"') {
    let j = i + 1, out = '';
    while (j < src.length && src[j] !== '"') {
      if (src[j] === '\\' && j + 1 < src.length) j++;
      out += src[j++];
    }
    if (j >= src.length) throw new Error('a quote is not closed');
    return { word: out, quoted: true, end: j + 1 };
  }
  let j = i;
  while (j < src.length && !/\s/.test(src[j])) j++;
  return { word: src.slice(i, j), quoted: false, end: j };
}

// ".a.b[0][\"c d\"]" -> ['a', 'b', 0, 'c d']
export function parsePath(text) {
  const path = [];
  const re = /\.([A-Za-z_$][\w$-]*)|\.?\[(\d+)\]|\.?\["((?:[^"\\]|\\.)*)"\]|\.$/y;
  let i = 0;
  while (i < text.length) {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) throw new Error(`cannot read the field path ${text}`);
    if (m[1] !== undefined) path.push(m[1]);
    else if (m[2] !== undefined) path.push(Number(m[2]));
    else if (m[3] !== undefined) path.push(m[3].replace(/\\(.)/g, '$1'));
    i = re.lastIndex;
  }
  return path;
}

function literal(word, quoted) {
  if (quoted) return word;
  try {
    return JSON.parse(word);
  } catch (e) {
    return word;
  }
}

function readFieldTerm(src, i) {
  let j = i;
  while (j < src.length && !/[\s=!<>~]/.test(src[j])) {
    if (src[j] === '[') j = src.indexOf(']', j) < 0 ? src.length : src.indexOf(']', j);
    j++;
  }
  const path = parsePath(src.slice(i, j));
  while (/\s/.test(src[j] || '')) j++;
  const op = OPERATORS.find((o) => src.startsWith(o, j));
  if (!op) return { term: { kind: 'field', path, op: 'exists' }, end: j };
  j += op.length;
  while (/\s/.test(src[j] || '')) j++;
  if (j >= src.length) throw new Error(`${op} needs a value`);
  const { word, quoted, end } = readWord(src, j);
  return { term: { kind: 'field', path, op, value: literal(word, quoted) }, end };
}

function wildcard(pattern) {
  const escaped = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp('^' + escaped.join('.*') + '$');
}

// The filter as groups of terms ([[term...]...]: any group whose terms all match); throws on a
// malformed filter, with a message for the user.
export function parseFilter(src) {
  const groups = [[]];
  let i = 0;
  while (i < src.length) {
    if (/\s/.test(src[i])) {
      i++;
      continue;
    }
    if (src[i] === '.') {
      const { term, end } = readFieldTerm(src, i);
      groups[groups.length - 1].push(term);
      i = end;
      continue;
    }
    const prefix = /^(key|pk|shard):/i.exec(src.slice(i, i + 6));
    if (prefix) {
      const { word, end } = readWord(src, i + prefix[0].length);
      const kind = prefix[1].toLowerCase() === 'shard' ? 'shard' : 'key';
      groups[groups.length - 1].push(kind === 'key' ? { kind, match: wildcard(word) } :
        { kind, text: word });
      i = end;
      continue;
    }
    const { word, quoted, end } = readWord(src, i);
    i = end;
    if (!quoted && /^(or|\|\|)$/i.test(word)) groups.push([]);
    else if (quoted || !/^(and|&&)$/i.test(word)) {
      groups[groups.length - 1].push({ kind: 'text', text: word.toLowerCase() });
    }
  }
  return groups.filter((g) => g.length);
}

function fieldValue(value, path) {
  for (const part of path) {
    if (value === null || typeof value !== 'object' || !(part in value)) return undefined;
    value = value[part];
  }
  return value;
}

function compare(actual, op, expected) {
  if (op === '~') {
    const hay = typeof actual === 'string' ? actual : JSON.stringify(actual);
    return hay !== undefined && hay.toLowerCase().includes(String(expected).toLowerCase());
  }
  const numbers = typeof actual === 'number' && typeof expected === 'number';
  const a = numbers ? actual : typeof actual === 'string' ? actual : JSON.stringify(actual);
  const b = numbers ? expected : typeof expected === 'string' ? expected : JSON.stringify(expected);
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '<': return a < b;
    default: return a <= b;
  }
}

function termMatches(rec, term) {
  switch (term.kind) {
    case 'key': return term.match.test(rec.pk);
    case 'shard': return rec.shard.includes(term.text);
    case 'text': return rec.pk.toLowerCase().includes(term.text) ||
      textOf(rec).text.toLowerCase().includes(term.text);
    default: {
      const json = jsonOf(rec);
      if (!json) return false;
      const v = fieldValue(json.value, term.path);
      if (term.op === 'exists') return v !== undefined && v !== null && v !== false;
      return v !== undefined && compare(v, term.op, term.value);
    }
  }
}

export function matches(rec, groups) {
  return !groups.length || groups.some((g) => g.every((t) => termMatches(rec, t)));
}

// One line of the download: the record as GetRecords gives it (data in base64), its user-record
// position when it came aggregated, and the data parsed when it is JSON.
export function jsonLine(rec) {
  const line = { shardId: rec.shard, sequenceNumber: rec.seq, partitionKey: rec.pk,
    approximateArrivalTimestamp: new Date(rec.arrival).toISOString(), size: rec.size,
    data: bytesToBase64(rec.bytes) };
  if (rec.sub !== null) line.subSequenceNumber = rec.sub;
  if (rec.ehk) line.explicitHashKey = rec.ehk;
  const json = jsonOf(rec);
  if (json) line.json = json.value;
  return JSON.stringify(line);
}
