// console_units.test.js - the console's browser-side logic under node's test runner (run by
// tests/integration/test_console.py): SigV4 signing against the AWS signature test suite (with
// WebCrypto and with the plain fallback), SHA-256 / HMAC / MD5 against node's crypto, KPL
// aggregates made by aws-kinesis-agg expanded back, the data viewer's filter language, and its
// contract marks' batching (against a fake CheckStreamContract).
'use strict';

const assert = require('node:assert');
const nodeCrypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const test = require('node:test');
const agg = require('aws-kinesis-agg');

const root = path.join(__dirname, '..', '..');
const web = path.join(root, 'src', 'console', 'web', 'js');
const load = (name) => import(path.join(web, name));
const SUITE = path.join(root, 'tests', 'data', 'sigv4');

// A suite case's request: method, path, query and headers (continuation lines folded into one
// value, repeated names joined with commas, as SigV4 canonicalises them).
function readRequest(dir) {
  const [head, ...rest] = fs.readFileSync(path.join(dir, 'request.txt'), 'utf8').split('\n\n');
  const [requestLine, ...headerLines] = head.split('\n');
  const [method, target] = requestLine.split(' ');
  const headers = {};
  let last = null;
  for (const line of headerLines.filter(Boolean)) {
    if (/^\s/.test(line) && last) {
      headers[last] += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    last = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[last] = last in headers ? headers[last] + ',' + value : value;
  }
  const q = target.indexOf('?');
  return { method, path: q < 0 ? target : target.slice(0, q), query: q < 0 ? '' : target.slice(q + 1),
    headers, body: Buffer.from(rest.join('\n\n')) };
}

// The cases the console's signer is for: paths already in normal form (it signs "/"), tokens
// signed with the request.
function usable(name, request) {
  return !/normalized|unnormalized|sts-header-after/.test(name) && !/\/\.|\/\/| /.test(request.path);
}

async function signSuite(t) {
  const { authorization } = await load('sigv4.js');
  let checked = 0;
  for (const name of fs.readdirSync(SUITE).filter((n) => !n.endsWith('.md'))) {
    const dir = path.join(SUITE, name);
    const context = JSON.parse(fs.readFileSync(path.join(dir, 'context.json'), 'utf8'));
    const request = readRequest(dir);
    if (!usable(name, request)) continue;
    request.headers['x-amz-date'] = '20150830T123600Z';
    if (context.sign_body) {
      request.headers['x-amz-content-sha256'] = nodeCrypto.createHash('sha256')
        .update(request.body).digest('hex');
    }
    if (context.credentials.token) {
      request.headers['x-amz-security-token'] = context.credentials.token;
    }
    const expected = fs.readFileSync(path.join(dir, 'header-signed-request.txt'), 'utf8')
      .split('\n').find((l) => l.startsWith('Authorization:')).replace(/^Authorization:\s*/, '');
    const got = await authorization(request, { accessKeyId: context.credentials.access_key_id,
      secretAccessKey: context.credentials.secret_access_key },
    { region: context.region, service: context.service });
    assert.strictEqual(got, expected, name);
    checked++;
  }
  assert.ok(checked >= 15, `only ${checked} cases checked`);
  t.diagnostic(`${checked} signature cases`);
}

test('SigV4 matches the AWS suite (WebCrypto)', signSuite);

test('SigV4 matches the AWS suite (plain fallback, no crypto.subtle)', async (t) => {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
  Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true });
  try {
    await signSuite(t);
  } finally {
    Object.defineProperty(globalThis, 'crypto', saved);
  }
});

test('SHA-256, HMAC-SHA256 and MD5 agree with node', async () => {
  const c = await load('crypto.js');
  for (const size of [0, 1, 55, 56, 63, 64, 65, 1000, 70000]) {
    const data = nodeCrypto.randomBytes(size);
    const bytes = new Uint8Array(data);
    assert.strictEqual(c.hex(c.sha256Plain(bytes)), nodeCrypto.createHash('sha256').update(data)
      .digest('hex'));
    assert.strictEqual(c.hex(c.md5(bytes)), nodeCrypto.createHash('md5').update(data)
      .digest('hex'));
    const key = nodeCrypto.randomBytes(1 + (size % 100));
    assert.strictEqual(c.hex(await c.hmacSha256(new Uint8Array(key), bytes)),
      nodeCrypto.createHmac('sha256', key).update(data).digest('hex'));
  }
});

function aggregate(records) {
  return new Promise((resolve, reject) => {
    const out = [];
    agg.aggregate(records, (encoded, done) => {
      out.push(encoded);
      done();
    }, () => resolve(out), reject);
  });
}

test('KPL aggregates from aws-kinesis-agg expand into their user records', async () => {
  const { deaggregate } = await load('kpl.js');
  const users = Array.from({ length: 40 }, (_, i) => ({ partitionKey: `key-${i % 7}`,
    explicitHashKey: i % 5 === 0 ? String(BigInt(i) * 12345678901234567890n) : undefined,
    data: Buffer.from(JSON.stringify({ i, pad: 'x'.repeat(i * 3) })) }));
  const [one] = await aggregate(users);
  const out = deaggregate(new Uint8Array(one.data));
  assert.strictEqual(out.records.length, users.length);
  out.records.forEach((r, i) => {
    assert.strictEqual(r.partitionKey, users[i].partitionKey);
    assert.strictEqual(r.explicitHashKey, users[i].explicitHashKey ?? null);
    assert.deepStrictEqual(Buffer.from(r.data), users[i].data);
  });
  const damaged = new Uint8Array(one.data);
  damaged[damaged.length - 1] ^= 1;
  assert.match(deaggregate(damaged).error, /MD5/);
  assert.strictEqual(deaggregate(new Uint8Array(Buffer.from('{"plain":true}'))), null);
  const truncated = Buffer.concat([Buffer.from([0xf3, 0x89, 0x9a, 0xc2, 0x1a, 0x50]),
    nodeCrypto.createHash('md5').update(Buffer.from([0x1a, 0x50])).digest()]);
  assert.match(deaggregate(new Uint8Array(truncated)).error, /malformed/);
});

test('the filter language', async () => {
  const { parseFilter, matches, parsePath } = await load('records.js');
  const rec = (pk, value, shard = 'shardId-000000000001') => ({ pk, shard,
    bytes: new Uint8Array(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))) });
  const a = rec('user-1', { type: 'sent', n: 5, user: { id: 7, tags: ['x', 'vip'] }, ok: true });
  const b = rec('user-22', { type: 'opened', n: 12, 'odd key': null }, 'shardId-000000000002');
  const c = rec('order-9', 'plain text, Not JSON');
  const pick = (filter) => [a, b, c].filter((r) => matches(r, parseFilter(filter)))
    .map((r) => r.pk);
  assert.deepStrictEqual(pick(''), ['user-1', 'user-22', 'order-9']);
  assert.deepStrictEqual(pick('.type == "sent"'), ['user-1']);
  assert.deepStrictEqual(pick('.type==sent'), ['user-1']);
  assert.deepStrictEqual(pick('.n > 6'), ['user-22']);
  assert.deepStrictEqual(pick('.n >= 5 .n <= 5'), ['user-1']);
  assert.deepStrictEqual(pick('.user.tags[1] == vip'), ['user-1']);
  assert.deepStrictEqual(pick('.user.tags ~ VIP'), ['user-1']);
  assert.deepStrictEqual(pick('.ok'), ['user-1']);
  assert.deepStrictEqual(pick('.["odd key"] == null'), ['user-22']);
  assert.deepStrictEqual(pick('.type != sent'), ['user-22']);
  assert.deepStrictEqual(pick('key:user-*'), ['user-1', 'user-22']);
  assert.deepStrictEqual(pick('key:user-2?'), []);
  assert.deepStrictEqual(pick('shard:0002'), ['user-22']);
  assert.deepStrictEqual(pick('not json'), ['order-9']);
  assert.deepStrictEqual(pick('"text, not"'), ['order-9']);
  assert.deepStrictEqual(pick('key:order-9 or .n > 10'), ['user-22', 'order-9']);
  assert.deepStrictEqual(pick('user and sent'), ['user-1']);
  assert.deepStrictEqual(parsePath('.a.b[2]["c d"]'), ['a', 'b', 2, 'c d']);
  assert.throws(() => parseFilter('"open'), /quote/);
  assert.throws(() => parseFilter('.n >'), /needs a value/);
  assert.throws(() => parseFilter('.a..b == 1'), /field path/);
});

test('previews stay bounded whatever the record size', async () => {
  const { preview, detail } = await load('records.js');
  const big = { bytes: new Uint8Array(5 << 20).fill(0x61), size: 5 << 20 };
  for (const format of ['text', 'json', 'hex', 'base64']) {
    assert.ok(preview(big, format).length <= 241, format);
  }
  assert.match(detail(big, 'text').note, /first 1048576 of 5242880 bytes/);
  assert.ok(detail(big, 'hex').text.length < 400000);
});

// A fake kinesd for the contract marks: a contract (version `version`, none when null) that
// refuses data starting with "bad"; it records the calls.
function fakeContract(version) {
  const fake = { version, calls: [] };
  fake.call = async (op, input) => {
    fake.calls.push({ op, input });
    if (op === 'GetStreamContract') {
      return fake.version === null ? {} : { Schema: '{}', LastUpdatedTimestamp: fake.version };
    }
    return { LastUpdatedTimestamp: fake.version, Results: input.Records.map((r) =>
      (Buffer.from(r.Data, 'base64').toString().startsWith('bad') ? { Admitted: false,
        ErrorMessage: 'refused ' + Buffer.from(r.Data, 'base64').toString() } :
        { Admitted: true })) };
  };
  return fake;
}

async function settled(marks) {
  while (marks.busy || marks.queue.length) await new Promise((r) => setTimeout(r, 1));
}

test('contract marks: batches of 500 records and 3 MiB, an aggregate checked once', async () => {
  const { ContractMarks } = await load('contract_marks.js');
  const fake = fakeContract(1000.5);
  let changes = 0;
  const marks = new ContractMarks('s', (changed) => { changes += changed ? 1 : 0; }, fake.call);
  await marks.load();
  assert.ok(marks.active);
  const row = (text, raw = new Uint8Array(Buffer.from(text))) => ({ raw });
  const rows = Array.from({ length: 1200 }, (_, i) => row((i % 3 ? 'ok ' : 'bad ') + i));
  const aggregate = new Uint8Array(Buffer.from('bad aggregate'));
  const users = [0, 1, 2].map(() => row(null, aggregate));
  const big = [0, 1].map(() => row('ok ' + 'x'.repeat(2 << 20)));
  marks.add(rows.slice(0, 700));
  marks.add([...rows.slice(700), ...users, ...big]);
  marks.add(rows); // queued already: nothing more
  await settled(marks);
  const checks = fake.calls.filter((c) => c.op === 'CheckStreamContract');
  assert.deepStrictEqual(checks.map((c) => c.input.Records.length), [500, 500, 202, 1]);
  const all = [...rows, ...users, ...big];
  assert.ok(all.every((r) => r.checkedBy === 1000.5));
  assert.strictEqual(all.filter((r) => marks.state(r) === 'violates').length, 400 + 3);
  assert.strictEqual(rows[3].violation, 'refused bad 3');
  assert.strictEqual(marks.state(rows[4]), 'admits');
  assert.strictEqual(changes, 0);

  fake.version = 2000; // a newer contract: the next answer says so, and every record goes again
  const late = row('bad late');
  marks.add([late]);
  await settled(marks);
  assert.strictEqual(changes, 1);
  assert.strictEqual(marks.state(rows[3]), 'unchecked');
  marks.add(all);
  await settled(marks);
  assert.ok(all.every((r) => r.checkedBy === 2000));
});

test('contract marks: no contract, no check', async () => {
  const { ContractMarks } = await load('contract_marks.js');
  const fake = fakeContract(null);
  const marks = new ContractMarks('s', () => {}, fake.call);
  await marks.load();
  marks.add([{ raw: new Uint8Array(Buffer.from('bad')) }]);
  await settled(marks);
  assert.deepStrictEqual(fake.calls.map((c) => c.op), ['GetStreamContract']);
  assert.strictEqual(marks.state({ raw: null }), 'unchecked');
});
