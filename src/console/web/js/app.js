// app.js - the console's shell: who is signed in (open mode at once; in verify mode a form asks
// for an access key, checked with STS GetCallerIdentity), the hash router (#/streams/NAME, ...)
// and each page's life: mounted into <main>, its cleanup run when the user leaves it.
import { AwsError, callerIdentity, currentSession, DEFAULT_REGION, OPEN_MODE_KEY,
  onCredentialsRejected, restoreSession, setSession, signOut } from './aws.js';
import { h, replace } from './dom.js';
import * as fn from './pages/function.js';
import * as functions from './pages/functions.js';
import * as metrics from './pages/metrics.js';
import * as queue from './pages/queue.js';
import * as queues from './pages/queues.js';
import * as stream from './pages/stream.js';
import * as streams from './pages/streams.js';
import * as viewer from './pages/viewer.js';

// [pattern over the path, the section it highlights, the page]
const ROUTES = [
  [/^\/streams$/, 'streams', streams],
  [/^\/streams\/([^/]+)$/, 'streams', stream],
  [/^\/viewer(?:\/([^/]+))?$/, 'viewer', viewer],
  [/^\/queues$/, 'queues', queues],
  [/^\/queues\/([^/]+)$/, 'queues', queue],
  [/^\/metrics$/, 'metrics', metrics],
  [/^\/functions$/, 'functions', functions],
  [/^\/functions\/([^/]+)$/, 'functions', fn],
];

const main = document.getElementById('main');
let leave = null; // the current page's cleanup
let identity = null; // {arn, account, userId}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/streams';
  const [path, query] = raw.split('?');
  return { path, query: new URLSearchParams(query || '') };
}

// Mounts the page the URL names into a fresh box in <main>. A page still loading when the user
// moved on finds its box detached: its cleanup runs at once, and it never draws over the next.
async function show() {
  if (leave) leave();
  leave = null;
  const { path, query } = parseHash();
  const route = ROUTES.find(([re]) => re.test(path));
  if (!route) {
    location.hash = '#/streams';
    return;
  }
  const [re, section, page] = route;
  const params = (re.exec(path).slice(1)).map((p) => (p === undefined ? p : decodeURIComponent(p)));
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.dataset.section === section);
  }
  const box = h('div', { class: 'page' });
  replace(main, box);
  try {
    const cleanup = (await page.mount(box, { params, query, identity })) || null;
    if (box.parentNode === main) leave = cleanup;
    else if (cleanup) cleanup();
  } catch (e) {
    replace(box, h('div', { class: 'callout error' }, h('b', null, e.code || 'Error'), ' ',
      e.message));
  }
}

function showIdentity() {
  const who = document.getElementById('who');
  const s = currentSession();
  const account = h('span', { class: 'who-arn', title: identity.arn }, identity.arn);
  if (s.open) {
    replace(who, h('span', { class: 'badge open', title: 'kinesd runs with --auth open: any ' +
      'well-formed signature is believed' }, 'open mode'), account, h('span', { class: 'region' },
      s.region));
    return;
  }
  replace(who, h('span', { class: 'badge verify' }, 'verify mode'), account,
    h('span', { class: 'region' }, s.region),
    h('button', { class: 'button small', onclick: () => { signOut(); location.reload(); } },
      'Sign out'));
}

function loginPage(reason) {
  replace(document.getElementById('who'), '');
  const error = h('p', { class: 'dialog-error', role: 'alert' }, reason || '');
  const form = h('form', { class: 'login card', autocomplete: 'off' },
    h('h1', null, 'Sign in to kinesd'),
    h('p', { class: 'intro' }, 'This kinesd checks every signature (--auth verify). Enter an ' +
      'access key: the console signs each call with it in this browser and sees exactly what ' +
      'the key may see. The secret never leaves this browser; nothing is stored on the server.'),
    h('label', { class: 'field' }, h('span', { class: 'label' }, 'Access key ID'),
      h('input', { name: 'accessKeyId', required: true, autocomplete: 'off',
        spellcheck: 'false' })),
    h('label', { class: 'field' }, h('span', { class: 'label' }, 'Secret access key'),
      h('input', { name: 'secretAccessKey', type: 'password', required: true,
        autocomplete: 'off' })),
    h('label', { class: 'field' }, h('span', { class: 'label' }, 'Session token (optional)'),
      h('input', { name: 'sessionToken', autocomplete: 'off', spellcheck: 'false' })),
    h('label', { class: 'field' }, h('span', { class: 'label' }, 'Region'),
      h('input', { name: 'region', value: DEFAULT_REGION, required: true })),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'remember',
      checked: true }), ' Keep the key in this tab until it is closed (sessionStorage)'),
    error,
    h('div', { class: 'dialog-actions' }, h('button', { class: 'button primary', type: 'submit' },
      'Sign in')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = Object.fromEntries(new FormData(form).entries());
    const creds = { accessKeyId: v.accessKeyId.trim(), secretAccessKey: v.secretAccessKey,
      sessionToken: v.sessionToken.trim() || undefined, region: v.region.trim() };
    setSession(creds, v.remember === 'on');
    try {
      identity = await callerIdentity();
      start();
    } catch (err) {
      signOut();
      error.textContent = `${err.code}: ${err.message}`;
    }
  });
  replace(main, form);
  form.querySelector('input').focus();
}

function start() {
  showIdentity();
  window.addEventListener('hashchange', show);
  show();
}

// Who the console is: the key kept in this tab, else open mode's dummy key; a key kinesd does not
// accept brings up the sign-in form.
async function boot() {
  onCredentialsRejected((err) => {
    if (leave) leave();
    leave = null;
    window.removeEventListener('hashchange', show);
    signOut();
    loginPage(`${err.code}: ${err.message}`);
  });
  const saved = restoreSession();
  if (!saved) setSession({ ...OPEN_MODE_KEY, open: true }, false);
  try {
    identity = await callerIdentity();
    start();
  } catch (err) {
    if (!(err instanceof AwsError) || !err.credentialProblem) {
      replace(main, h('div', { class: 'callout error' }, `${err.code}: ${err.message}`));
      return;
    }
    signOut();
    loginPage(saved ? `${err.code}: ${err.message}` : '');
  }
}

boot();
