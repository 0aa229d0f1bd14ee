// aws.js - the console's only way to kinesd: the same AWS APIs any client calls (Kinesis JSON 1.1,
// CloudWatch and SQS JSON 1.0, Lambda REST-JSON, STS over the query protocol), signed with SigV4
// in the browser.
//
// The session holds the access key the console signs with: the user's (verify mode: asked for,
// kept in this tab's sessionStorage at most) or a dummy one (open mode: kinesd believes any
// well-formed signature). Errors come back as AwsError with AWS's code and message.
import { utf8 } from './crypto.js';
import { amzDate, authorization } from './sigv4.js';

const SESSION_KEY = 'kinesd.console.session';
export const OPEN_MODE_KEY = { accessKeyId: 'AKIDKINESDCONSOLE', secretAccessKey: 'open-mode' };
export const DEFAULT_REGION = 'us-east-1';

// The JSON services: their target prefix, content type and SigV4 signing name.
const JSON_SERVICES = {
  kinesis: { target: 'Kinesis_20131202', type: 'application/x-amz-json-1.1', signing: 'kinesis' },
  cloudwatch: { target: 'GraniteServiceVersion20100801', type: 'application/x-amz-json-1.0',
    signing: 'monitoring' },
  sqs: { target: 'AmazonSQS', type: 'application/x-amz-json-1.0', signing: 'sqs' },
};

// Errors that say the key itself is not accepted (as opposed to a refused action).
const CREDENTIAL_ERRORS = new Set(['UnrecognizedClientException', 'InvalidClientTokenId',
  'InvalidSignatureException', 'SignatureDoesNotMatch', 'IncompleteSignatureException',
  'MissingAuthenticationTokenException', 'ExpiredToken', 'ExpiredTokenException']);

export class AwsError extends Error {
  constructor(code, message, status) {
    super(message || code);
    this.code = code; // "ResourceNotFoundException", "AccessDeniedException", ...
    this.status = status; // HTTP status; 0 when kinesd did not answer
  }

  get credentialProblem() {
    return CREDENTIAL_ERRORS.has(this.code);
  }
}

let session = null; // {accessKeyId, secretAccessKey, sessionToken, region, open}
let rejected = null; // told when kinesd stops accepting the signed-in key
let clockOffsetMs = 0; // kinesd's clock minus ours, learnt from a "signature expired" answer

// fn(AwsError) is called when a call is refused for its credentials while signed in with a key.
export function onCredentialsRejected(fn) {
  rejected = fn;
}

export function currentSession() {
  return session;
}

// Uses these credentials from now on; `remember` keeps them for this tab (sessionStorage).
export function setSession(creds, remember) {
  session = { ...creds, region: creds.region || DEFAULT_REGION };
  sessionStorage.removeItem(SESSION_KEY);
  if (remember && !session.open) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function restoreSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
    if (saved && saved.accessKeyId && saved.secretAccessKey) session = saved;
  } catch (e) {
    sessionStorage.removeItem(SESSION_KEY);
  }
  return session;
}

export function signOut() {
  session = null;
  sessionStorage.removeItem(SESSION_KEY);
}

// Signs and sends one request; resolves to the Response. request: {method (POST), path ("/"),
// query (encoded, no "?"), headers (lower-case names), body (text)}.
async function send(signingName, { method = 'POST', path = '/', query = '', headers = {},
  body = '' }) {
  const creds = session || OPEN_MODE_KEY;
  const all = { ...headers, host: location.host,
    'x-amz-date': amzDate(new Date(Date.now() + clockOffsetMs)) };
  if (creds.sessionToken) all['x-amz-security-token'] = creds.sessionToken;
  const bytes = utf8(body);
  const auth = await authorization({ method, path, query, headers: all, body: bytes }, creds,
    { region: (session && session.region) || DEFAULT_REGION, service: signingName });
  delete all.host; // the browser sends it, and may not be told to
  try {
    return await fetch(path + (query ? '?' + query : ''), { method, headers: { ...all,
      authorization: auth }, body: method === 'GET' ? undefined : bytes, cache: 'no-store',
    credentials: 'omit' });
  } catch (e) {
    throw new AwsError('NetworkError', 'kinesd did not answer (' + e.message + ')', 0);
  }
}

// An expired-signature answer whose Date says our clock is off: remember the offset, retry once.
function learnClock(response, error) {
  const date = Date.parse(response.headers.get('date') || '');
  if (!/expired|skew|time/i.test(error.message) || Number.isNaN(date)) return false;
  const offset = date - Date.now();
  if (Math.abs(offset - clockOffsetMs) < 60000) return false;
  clockOffsetMs = offset;
  return true;
}

function jsonError(response, parsed) {
  const queryError = (response.headers.get('x-amzn-query-error') ||
    response.headers.get('x-amzn-errortype') || '').split(/[;:]/)[0];
  const type = String((parsed && parsed.__type) || '').split('#').pop();
  const message = parsed && (parsed.message || parsed.Message);
  return new AwsError(queryError || type || 'HTTP' + response.status, message ||
    `kinesd answered HTTP ${response.status}`, response.status);
}

// Calls a JSON-protocol operation: service "kinesis" | "cloudwatch" | "sqs"; resolves to the
// parsed output, rejects with AwsError.
export async function call(service, operation, input = {}, retried = false) {
  const svc = JSON_SERVICES[service];
  const body = JSON.stringify(input);
  const response = await send(svc.signing, { headers: { 'content-type': svc.type,
    'x-amz-target': svc.target + '.' + operation }, body });
  const parsed = parseJson(await response.text());
  if (response.ok && parsed) return parsed;
  const error = refused(response, parsed);
  if (!retried && learnClock(response, error)) return call(service, operation, input, true);
  throw error;
}

function parseJson(text) {
  try {
    return text ? JSON.parse(text) : {};
  } catch (e) {
    return null;
  }
}

// The AwsError of a refused call; the signed-in key's rejection is told to the shell first.
function refused(response, parsed) {
  const error = jsonError(response, parsed);
  if (error.credentialProblem && session && !session.open && rejected) rejected(error);
  return error;
}

// Calls a REST-JSON operation (Lambda): method, path (its segments encoded by the caller),
// query (encoded), a body (an object sent as JSON, or `payload` text as it is) and extra headers.
// Resolves to {status, headers, text, json} (json null when the answer is not JSON); rejects
// with AwsError on an error status.
export async function rest(signingName, method, path, { query = '', body, payload,
  headers = {} } = {}) {
  const text = payload ?? (body === undefined ? '' : JSON.stringify(body));
  const all = text ? { 'content-type': 'application/json', ...headers } : headers;
  const response = await send(signingName, { method, path, query, headers: all, body: text });
  const out = await response.text();
  const json = parseJson(out);
  if (!response.ok) throw refused(response, json);
  return { status: response.status, headers: response.headers, text: out, json };
}

export const kinesis = (op, input) => call('kinesis', op, input);
export const cloudwatch = (op, input) => call('cloudwatch', op, input);
export const sqs = (op, input) => call('sqs', op, input);

// STS GetCallerIdentity over the query protocol: {arn, account, userId}.
export async function callerIdentity() {
  const response = await send('sts', { headers: {
    'content-type': 'application/x-www-form-urlencoded' },
  body: 'Action=GetCallerIdentity&Version=2011-06-15' });
  const xml = new DOMParser().parseFromString(await response.text(), 'application/xml');
  const text = (tag) => (xml.getElementsByTagName(tag)[0] || {}).textContent || '';
  if (!response.ok) {
    throw new AwsError(text('Code') || 'HTTP' + response.status, text('Message'),
      response.status);
  }
  return { arn: text('Arn'), account: text('Account'), userId: text('UserId') };
}

// Follows a paginated operation: calls op with the NextToken of each page (alone when tokenAlone,
// as ListShards wants it); `pick` gives a page's items; stops after `limit` items.
export async function paginate(service, op, input, pick, { limit = Infinity, tokenAlone } = {}) {
  const items = [];
  let token;
  do {
    const next = tokenAlone ? { NextToken: token } : { ...input, NextToken: token };
    const page = await call(service, op, token ? next : input);
    items.push(...pick(page));
    token = page.NextToken;
  } while (token && items.length < limit);
  return items;
}
