// console_e2e.js - the web console in a real browser (headless Chromium driven by
// puppeteer-core), against a running kinesd; run by tests/integration/test_console.py.
//
//   node console_e2e.js open     the open-mode tour: create a stream from the page, put records
//                                with the aws CLI, see them in the data viewer's live tail, filter,
//                                pretty JSON, a KPL aggregate expanded, JSONL download, the records
//                                of CONTRACT_STREAM that violate its contract marked, reshard
//                                from the page and its shard map, a metric chart, a queue peeked
//                                and redriven, a function invoked from its page (FUNCTION
//                                names it)
//   node console_e2e.js verify   the sign-in form: a wrong secret refused, a user's key accepted,
//                                and the page shows what that key may see
//
// Environment: KINESD_ENDPOINT (http://127.0.0.1:PORT), SCREENSHOT_DIR, CHROMIUM (default
// /usr/bin/chromium); verify mode also USER_KEY, USER_SECRET, VISIBLE_STREAM, HIDDEN_STREAM.
// Prints one line per step with its time, and fails (exit 1) on the first broken expectation or
// any error in the page's log.
'use strict';

const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const puppeteer = require('puppeteer-core');
const agg = require('aws-kinesis-agg');

const endpoint = process.env.KINESD_ENDPOINT;
const shots = process.env.SCREENSHOT_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'shots-'));
const WAIT_MS = 15000;
const started = Date.now();

function step(text) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${text}`);
}

function check(ok, message) {
  if (!ok) throw new Error('expectation failed: ' + message);
}

// The aws CLI as the tests' root (open mode: any key).
const cliV2 = /^aws-cli\/2/.test(execFileSync('aws', ['--version']).toString());
function aws(service, ...args) {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: process.env.AWS_KEY || 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET || 'secret', AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: '', AWS_CONFIG_FILE: os.devnull, AWS_SHARED_CREDENTIALS_FILE: os.devnull };
  const binary = cliV2 && service === 'kinesis' ? ['--cli-binary-format', 'raw-in-base64-out'] : [];
  const out = execFileSync('aws', ['--endpoint-url', endpoint, '--output', 'json', service,
    ...args, ...binary], { env }).toString();
  return out.trim() ? JSON.parse(out) : null;
}

async function launch(mode) {
  fs.rmSync(path.join(shots, `failed-${mode}.png`), { force: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kinesd-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
      `--user-data-dir=${profile}`],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1440, height: 900 });
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push('console: ' + m.text());
  });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('response', async (r) => {
    if (r.status() < 400) return;
    const target = (r.request().headers()['x-amz-target'] || '') + ' ' + (r.request().postData() || '').slice(0, 600);
    problems.push(`HTTP ${r.status()} for ${r.url()} ${target}: ${await r.text().catch(() => '')}`);
  });
  page.setDefaultTimeout(WAIT_MS);
  return { browser, page, problems, profile };
}

// Runs body(browser session) in a fresh browser; on failure leaves a screenshot failed-MODE.png.
async function tour(mode, body) {
  const session = await launch(mode);
  try {
    await body(session);
  } catch (e) {
    await shot(session.page, 'failed-' + mode);
    throw e;
  } finally {
    await session.browser.close();
    fs.rmSync(session.profile, { recursive: true, force: true });
  }
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, name + '.png') });
}

async function text(page, selector) {
  return page.$eval(selector, (el) => el.textContent);
}

// Waits until fn (run in the page with args) is truthy; returns its value.
async function until(page, fn, ...args) {
  const handle = await page.waitForFunction(fn, { timeout: WAIT_MS, polling: 100 }, ...args);
  return handle.jsonValue();
}

// The problems in the page's log other than the answers a tour expects (`expected`: patterns of
// the HTTP lines). Browsers log every refused call as a failed load, named by the HTTP line
// beside it, so those lines go when their HTTP line is expected.
function unexpected(problems, expected) {
  return problems.filter((p) => !p.startsWith('console: Failed to load resource') &&
    !expected.some((re) => re.test(p)));
}

// Clicks the element `selector` names once it is there. The click happens inside the page, in one
// step, so a redraw (pages refresh themselves) cannot detach the element between finding it and
// clicking it.
async function press(page, selector) {
  await page.waitForSelector(selector);
  await page.evaluate((s) => document.querySelector(s).click(), selector);
}

// Replaces the text of the input `selector` names with `value`, typed as a user would.
async function fill(page, selector, value) {
  await page.waitForSelector(selector);
  await page.evaluate((s) => { document.querySelector(s).value = ''; }, selector);
  await page.type(selector, String(value));
}

// Opens a page of the console and waits for `selector` on it.
async function visit(page, hash, selector) {
  await page.goto(`${endpoint}/console/${hash}`, { waitUntil: 'networkidle0' });
  await page.waitForSelector(selector);
}

async function submitDialog(page, values) {
  await page.waitForSelector('dialog[open] form');
  for (const [name, value] of Object.entries(values)) {
    await fill(page, `dialog[open] [name="${name}"]`, value);
  }
  await press(page, 'dialog[open] button[type=submit]');
  await page.waitForFunction(() => !document.querySelector('dialog[open]'));
}

function kplAggregate(records) {
  return new Promise((resolve, reject) => {
    agg.aggregate(records, (encoded, done) => {
      resolve(encoded.data);
      done();
    }, () => {}, reject);
  });
}

// ---- open mode ---------------------------------------------------------------------------------

function openTour() {
  const stream = 'console-e2e';
  return tour('open', async ({ page, problems, profile }) => {
    await page.goto(endpoint + '/console/', { waitUntil: 'networkidle0' });
    await page.waitForSelector('.badge.open');
    step('the console opened in open mode');

    await press(page, '#create-stream');
    await submitDialog(page, { name: stream, shards: 2 });
    await until(page, (s) => {
      const row = document.querySelector(`tr[data-stream="${s}"]`);
      return row && row.textContent.includes('ACTIVE');
    }, stream);
    step('created a stream from the page');

    await visit(page, `#/viewer/${stream}`, '#viewer-start');
    await page.select('#viewer-start', 'LATEST');
    await press(page, '#viewer-live');
    await press(page, '#viewer-go');
    await page.waitForSelector('#viewer-status .live');
    const events = [{ type: 'sent', n: 1, user: { id: 1 } }, { type: 'opened', n: 2 },
      { type: 'sent', n: 3, user: { id: 3 } }, { type: 'clicked', n: 4 },
      { type: 'sent', n: 5, user: { id: 5 } }];
    aws('kinesis', 'put-records', '--stream-name', stream, '--records', JSON.stringify(
      events.map((e, i) => ({ Data: JSON.stringify(e), PartitionKey: `user-${i + 1}` }))));
    const put = Date.now();
    await until(page, () => /^5 records/.test(document.getElementById('viewer-count')
      .textContent));
    const seenMs = Date.now() - put;
    step(`live tail showed the 5 records put with the aws CLI ${seenMs} ms after it returned`);
    await shot(page, 'viewer-live');

    await page.type('#viewer-filter', '.type == "sent"');
    await until(page, () => document.getElementById('viewer-count').textContent ===
      '3 of 5 records');
    await fill(page, '#viewer-filter', 'key:user-2 or key:user-4');
    await until(page, () => document.getElementById('viewer-count').textContent ===
      '2 of 5 records');
    await fill(page, '#viewer-filter', '.user.id >= 3');
    await until(page, () => document.getElementById('viewer-count').textContent ===
      '2 of 5 records');
    await until(page, () => {
      const rows = [...document.querySelectorAll('#viewer-table .vt-body .vt-row')];
      return rows.length === 2 && rows.every((r) => r.textContent.includes('"sent"'));
    });
    step('filters: a JSON field, partition keys, a nested comparison');

    await press(page, '#viewer-table .vt-body .vt-row');
    await press(page, '[data-format=json]');
    const pretty = await text(page, '#record-data');
    check(/^\{\n {2}"type": "sent",\n {2}"n": [35],\n/.test(pretty), 'pretty JSON: ' + pretty);
    await press(page, '[data-format=hex]');
    check((await text(page, '#record-data')).startsWith('00000000  7b 22 74 79 70 65'),
      'hex dump');
    await press(page, '[data-format=json]');
    await shot(page, 'viewer-filter-json');
    step('pretty JSON and hex of the selected record');

    const users = ['alpha', 'beta', 'gamma'].map((word, i) => ({ partitionKey: `kpl-${i}`,
      data: Buffer.from(JSON.stringify({ type: 'kpl', word })) }));
    const blob = path.join(profile, 'aggregate.bin');
    fs.writeFileSync(blob, await kplAggregate(users));
    aws('kinesis', 'put-record', '--stream-name', stream, '--partition-key', 'kpl-0',
      '--data', 'fileb://' + blob);
    await fill(page, '#viewer-filter', '.type == kpl');
    await until(page, () => document.getElementById('viewer-count').textContent ===
      '3 of 8 records');
    const kpl = await page.$$eval('#viewer-table .pill.kpl', (els) => els.map((e) =>
      e.textContent));
    check(kpl.join() === 'KPL 1/3,KPL 2/3,KPL 3/3', 'KPL user records: ' + kpl);
    step('a KPL aggregate put with the CLI shows as its 3 user records');

    const downloads = path.join(profile, 'downloads');
    fs.mkdirSync(downloads);
    const cdp = await page.target().createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    await press(page, '#viewer-download');
    const deadline = Date.now() + WAIT_MS;
    let lines = [];
    while (Date.now() < deadline) {
      const done = fs.readdirSync(downloads).filter((f) => f.endsWith('.jsonl'));
      if (done.length) {
        lines = fs.readFileSync(path.join(downloads, done[0]), 'utf8').trim().split('\n');
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    check(lines.length === 3 && lines.every((l) => JSON.parse(l).json.type === 'kpl'),
      'the JSONL download holds the 3 shown records: ' + lines);
    step('downloaded the shown records as JSONL');

    const contracted = process.env.CONTRACT_STREAM;
    await visit(page, `#/viewer/${contracted}`, '#viewer-go');
    await press(page, '#viewer-live');
    await press(page, '#viewer-go');
    const violate = (n, of) => until(page, (want) => (document.querySelector(
      '#viewer-contract .summary') || {}).textContent === want,
    `${n} of ${of} records violate the contract`);
    await violate(2, 5);
    const marked = await page.$$eval('#viewer-table .vt-row.violates', (rows) => rows.map((r) =>
      [r.children[2].textContent, r.querySelector('.pill.violation').title]));
    const refusal = `Record does not match the contract of stream ${contracted}: `;
    check(marked.map(([pk]) => pk).join() === 'old-1,old-3' && marked.every(([, why]) =>
      why.startsWith(refusal)) && marked[0][1].includes('/kind: required property missing'),
    'the two records put before the contract that violate it are marked: ' + marked.join(' | '));
    aws('kinesis', 'put-record', '--stream-name', contracted, '--partition-key', 'new-5',
      '--data', JSON.stringify({ kind: 'new' }));
    await violate(2, 6);
    step('the viewer marks the 2 of 5 records put before the contract that violate it; a ' +
      'record put in live tail is checked too');
    await press(page, '#viewer-violations');
    await until(page, () => document.getElementById('viewer-count').textContent ===
      '2 of 6 records');
    await press(page, '#viewer-table .vt-body .vt-row');
    check((await text(page, '#record-violation')).startsWith(refusal),
      'the detail pane gives the refusal: ' + await text(page, '#record-violation'));
    await shot(page, 'viewer-contract');
    step('"Violations only" shows the 2; the detail pane gives the refusal a put would get');

    await visit(page, `#/streams/${stream}`, '.facts');
    await page.evaluate(() => [...document.querySelectorAll('.page-head .actions button')]
      .find((b) => b.textContent === 'Reshard').click());
    await submitDialog(page, { count: 4 });
    await press(page, '[data-tab=shards]');
    await until(page, () => document.querySelectorAll('#shard-map g.shard').length === 6);
    const open = await page.$$eval('#shard-map g.shard.open', (els) => els.length);
    const lineage = await page.$$eval('#shard-map path.lineage', (els) => els.length);
    check(open === 4 && lineage >= 4, `shard map: ${open} open, ${lineage} lineage lines`);
    await shot(page, 'shard-map');
    step('resharded 2 -> 4 from the page; the shard map shows 2 closed parents, 4 children');

    const series = encodeURIComponent(`AWS/Kinesis|IncomingRecords|StreamName=${stream}`);
    const metricsUrl = `${endpoint}/console/#/metrics?range=15m&stat=Sum&s=${series}`;
    let total = '';
    for (let attempt = 0; attempt < 10 && total !== 'total 6'; attempt++) {
      await page.goto('about:blank');
      await page.goto(metricsUrl, { waitUntil: 'networkidle0' });
      await page.waitForSelector('#metrics-chart .legend-item .total');
      total = await text(page, '#metrics-chart .legend-item .total');
      if (total !== 'total 6') await new Promise((r) => setTimeout(r, 1000));
    }
    check(total === 'total 6', `IncomingRecords charted: ${total} (6 records were put)`);
    await shot(page, 'metrics');
    step('the metrics page charts IncomingRecords: 6 records in all');

    aws('sqs', 'create-queue', '--queue-name', 'console-e2e-dlq');
    const url = aws('sqs', 'get-queue-url', '--queue-name', 'console-e2e-dlq').QueueUrl;
    aws('sqs', 'send-message', '--queue-url', url, '--message-body', '{"failed":"order-7"}');
    await visit(page, '#/queues', 'main h1');
    await until(page, () => {
      const t = document.getElementById('queues-table');
      return t && t.textContent.includes('console-e2e-dlq');
    });
    await shot(page, 'queues');
    await visit(page, '#/queues/console-e2e-dlq', '#peek');
    await press(page, '#peek');
    await until(page, () => {
      const t = document.getElementById('peeked');
      return t && t.textContent.includes('order-7');
    });
    const peeked = await page.$$eval('#peeked tbody tr', (rows) => rows.length);
    check(peeked === 1, `the one message is listed once, not ${peeked} times`);
    const visible = aws('sqs', 'get-queue-attributes', '--queue-url', url, '--attribute-names',
      'ApproximateNumberOfMessages').Attributes.ApproximateNumberOfMessages;
    check(visible === '1', 'peeking left the message visible: ' + visible);
    await shot(page, 'queue-peek');
    step('peeked at a queue message; it stays visible');

    aws('sqs', 'create-queue', '--queue-name', 'console-e2e-orders');
    const target = aws('sqs', 'get-queue-url', '--queue-name', 'console-e2e-orders').QueueUrl;
    await press(page, '#redrive');
    await submitDialog(page, { target: 'console-e2e-orders', count: 10 });
    const depth = (u) => aws('sqs', 'get-queue-attributes', '--queue-url', u, '--attribute-names',
      'ApproximateNumberOfMessages').Attributes.ApproximateNumberOfMessages;
    check(depth(url) === '0' && depth(target) === '1', 'redrive moved the message');
    step('redrove it from the page to another queue');

    const fn = process.env.FUNCTION;
    await visit(page, '#/functions', `tr[data-function="${fn}"]`);
    await visit(page, `#/functions/${fn}`, '#invoke');
    await fill(page, '#invoke-payload', '{"name": "console"}');
    await press(page, '#invoke');
    await until(page, () => {
      const out = document.getElementById('invoke-output');
      return out && out.textContent.includes('"greeting": "hello console"');
    });
    await until(page, () => document.querySelectorAll('#invocations tbody tr').length === 1 &&
      document.getElementById('function-log').textContent.includes('console handler got'));
    await shot(page, 'function');
    step('invoked a function from its page: its result, the invocation and its log line');
    await until(page, () => document.querySelectorAll('#function-metrics .chart-card svg')
      .length === 4 && document.getElementById('function-metrics').textContent
      .includes('Throttles') &&
      document.querySelectorAll('#triggers .trigger-shards tbody tr').length === 1);
    await page.evaluate(() => document.getElementById('function-metrics').scrollIntoView());
    await shot(page, 'function-metrics');
    step("its page charts its AWS/Lambda metrics and shows its trigger's shard");
    await visit(page, '#/streams/console-trigger-source', '.facts');
    await press(page, '[data-tab=consumers]');
    await until(page, (f) => [...document.querySelectorAll('#stream-triggers tbody tr')]
      .some((tr) => tr.textContent.includes(f) && tr.textContent.includes('the stream')), fn);
    step("the trigger's source stream lists it among its readers");
    await press(page, '[data-tab=configuration]');
    await page.waitForSelector('#stream-contract .card-head button');
    await press(page, '#stream-contract .card-head button');
    await submitDialog(page, { text: '{"type": "object", "required": ["kind"]}' });
    await until(page, () => (document.querySelector('#stream-contract pre') || {}).textContent ===
      JSON.stringify({ type: 'object', required: ['kind'] }, null, 2));
    step('set a contract on the stream from its page; the page reads it back');

    await visit(page, '#/streams', `tr[data-stream="${stream}"] svg.spark`);
    await shot(page, 'streams');
    // a function without asynchronous settings, and its log before the first invocation, are
    // answered 404 as on AWS: the page shows "none" and an empty log
    const left = unexpected(problems, [/event-invoke-config .*doesn't have an EventInvokeConfig/,
      /HTTP 404 for \S+\/_kinesd\/lambda\/logs\/\S+\?from=0 /]);
    check(!left.length, 'the page logged errors:\n' + left.join('\n'));
    step('no errors in the page log');
  });
}

// ---- verify mode -------------------------------------------------------------------------------

function verifyTour() {
  const visible = process.env.VISIBLE_STREAM, hidden = process.env.HIDDEN_STREAM;
  return tour('verify', async ({ page, problems }) => {
    await page.goto(endpoint + '/console/', { waitUntil: 'networkidle0' });
    await page.waitForSelector('form.login');
    await shot(page, 'sign-in');
    step('verify mode: the console asks for a key');

    await page.type('input[name=accessKeyId]', process.env.USER_KEY);
    await page.type('input[name=secretAccessKey]', 'not-the-secret');
    await press(page, 'form.login button[type=submit]');
    await until(page, () => /Signature/.test(document.querySelector('.dialog-error')
      .textContent));
    step('a wrong secret is refused: ' + await text(page, '.dialog-error'));

    await fill(page, 'input[name=secretAccessKey]', process.env.USER_SECRET);
    await press(page, 'form.login button[type=submit]');
    await page.waitForSelector('.badge.verify');
    const who = await text(page, '.who-arn');
    check(who.endsWith(':user/console-reader'), 'signed in as ' + who);
    await until(page, (v, hd) => {
      const ok = document.querySelector(`tr[data-stream="${v}"]`);
      const refused = document.querySelector(`tr[data-stream="${hd}"]`);
      return ok && ok.textContent.includes('ACTIVE') && refused &&
        refused.textContent.includes('no access');
    }, visible, hidden);
    await shot(page, 'verify-streams');
    step(`signed in as ${who}: ${visible} is readable, ${hidden} shows no access`);

    await visit(page, `#/viewer/${visible}`, '#viewer-go');
    await press(page, '#viewer-go');
    await until(page, () => /^2 records/.test(document.getElementById('viewer-count')
      .textContent));
    step('the user reads the visible stream\'s records');

    const local = await page.evaluate(() => JSON.stringify(localStorage) + document.cookie);
    check(!local.includes(process.env.USER_SECRET), 'no secret in localStorage or cookies');
    step('the key is in this tab\'s sessionStorage at most');

    // The refusals this tour causes: the open-mode probe's dummy key, the wrong secret, the hidden
    // stream.
    const expected = [/GetCallerIdentity.*InvalidClientTokenId/,
      /GetCallerIdentity.*SignatureDoesNotMatch/,
      /DescribeStreamSummary.*AccessDeniedException.*stream\/hidden-/];
    expected.forEach((re) => check(problems.some((p) => re.test(p)), 'no refusal like ' + re));
    const left = unexpected(problems, expected);
    check(!left.length, 'the page logged errors:\n' + left.join('\n'));
    step('no errors in the page log besides the three refusals the tour asked for');
  });
}

const tours = { open: openTour, verify: verifyTour };
tours[process.argv[2]]().then(() => {
  step('passed');
}, (e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
