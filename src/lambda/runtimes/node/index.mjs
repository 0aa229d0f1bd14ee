// kinesd's runtime interface client for Node.js functions (nodejs20.x, nodejs22.x).
//
// kinesd starts it in the function's directory (LAMBDA_TASK_ROOT) with AWS_LAMBDA_RUNTIME_API
// naming the execution environment's own Runtime API. It loads _HANDLER ("index.handler": the
// module index.js, .mjs or .cjs, and its export handler), then loops: GET .../invocation/next,
// call the handler (async, returning a promise, or with a callback), POST the result to
// .../response or the error to .../error as {errorType, errorMessage, stackTrace}. A handler that
// cannot be loaded is reported to .../init/error and the process exits. console.* lines carry
// the timestamp, request id and level, as on Lambda.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

const API = '/2018-06-01/runtime';
const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let currentRequestId = '';

function call(method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: API + urlPath, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers,
                                    body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function post(urlPath, payload, errorType) {
  const headers = { 'Content-Type': 'application/json' };
  if (errorType) headers['Lambda-Runtime-Function-Error-Type'] = errorType;
  return call('POST', urlPath, JSON.stringify(payload), headers);
}

function errorBody(err, errorType) {
  const e = err instanceof Error ? err : new Error(typeof err === 'string' ? err : JSON.stringify(err));
  const trace = (e.stack || '').split('\n');
  return { errorType: errorType || e.name || 'Error', errorMessage: e.message, trace,
           stackTrace: trace };
}

function patchConsole() {
  for (const [name, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'],
                               ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']]) {
    console[name] = (...args) => {
      const line = `${new Date().toISOString()}\t${currentRequestId || 'undefined'}\t${level}\t${format(...args)}`;
      fs.writeSync(1, line.replace(/\n/g, '\r') + '\n');
    };
  }
}

class InitError extends Error {
  constructor(type, message) { super(message); this.type = type; }
}

async function loadHandler(spec, taskRoot) {
  const dot = spec.lastIndexOf('.');
  if (dot <= 0) throw new InitError('Runtime.MalformedHandlerName', `Bad handler ${spec}`);
  const modulePath = path.resolve(taskRoot, spec.slice(0, dot));
  const name = spec.slice(dot + 1);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => modulePath + ext).find((f) => fs.existsSync(f));
  if (!file) {
    throw new InitError('Runtime.ImportModuleError',
                        `Error: Cannot find module '${path.basename(modulePath)}'`);
  }
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    throw new InitError(err instanceof SyntaxError ? 'Runtime.UserCodeSyntaxError'
                                                   : 'Runtime.ImportModuleError', String(err));
  }
  const handler = mod[name] ?? mod.default?.[name];
  if (typeof handler !== 'function') {
    throw new InitError('Runtime.HandlerNotFound', `${spec} is undefined or not exported`);
  }
  return handler;
}

function makeContext(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms'] || 0);
  const clientContext = headers['lambda-runtime-client-context'];
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: clientContext ? JSON.parse(clientContext) : undefined,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

// Runs the handler: async (a promise) or with a callback (three parameters).
function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err); else resolve(result);
    };
    context.done = callback;
    context.succeed = (result) => callback(null, result);
    context.fail = (err) => callback(err ?? new Error('handled'));
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === 'function') returned.then((r) => callback(null, r), callback);
      else if (handler.length < 3) callback(null, returned);
    } catch (err) {
      callback(err);
    }
  });
}

async function serve(handler) {
  for (;;) {
    const next = await call('GET', '/invocation/next');
    if (next.status !== 200) process.exit(0); // the environment is going away
    const context = makeContext(next.headers);
    currentRequestId = context.awsRequestId;
    process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'] || '';
    const event = next.body.length ? JSON.parse(next.body.toString('utf8')) : null;
    try {
      const result = await runHandler(handler, event, context);
      await call('POST', `/invocation/${currentRequestId}/response`,
                 JSON.stringify(result === undefined ? null : result),
                 { 'Content-Type': 'application/json' });
    } catch (err) {
      const body = errorBody(err);
      console.error(`Invoke Error \t${JSON.stringify(body)}`);
      await post(`/invocation/${currentRequestId}/error`, body, body.errorType);
    }
  }
}

async function main() {
  patchConsole();
  let handler;
  try {
    handler = await loadHandler(process.env._HANDLER || '', process.env.LAMBDA_TASK_ROOT || process.cwd());
  } catch (err) {
    const body = errorBody(err, err.type);
    console.error(`${body.errorType}: ${body.errorMessage}`);
    await post('/init/error', body, body.errorType);
    process.exit(1);
  }
  process.on('uncaughtException', async (err) => {
    await post(`/invocation/${currentRequestId}/error`, errorBody(err), 'Runtime.UncaughtException');
    process.exit(129);
  });
  await serve(handler);
}

main();
