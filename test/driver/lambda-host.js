'use strict';
/**
 * One Lambda function, hosted the way the Lambda Node.js runtime hosts it: plain Node (not jest's
 * module sandbox, where the AWS SDK's lazy `import('node:http')` cannot run), a process of its
 * own with the function's environment, JSON in and JSON out, an unhandled error reported as
 * { errorType, errorMessage, trace }. Driven over IPC by ./lambda.ts.
 *
 * Usage: node lambda-host.js <module path> [fresh]
 * - <module path>: the handler bundle, or aws-cdk-lib's provider-framework runtime `framework.js`.
 *   For the framework, the three calls it makes to AWS (outbound.js: Lambda Invoke, Step
 *   Functions StartExecution, the PUT to CloudFormation's response URL) go to the driver: the
 *   first two over IPC, the PUT over HTTP to the driver's response server
 *   (RESPONSE_SERVER_PORT), with the framework's own headers and body.
 * - fresh: every invocation runs in a new instance of the module (a cold start), so that nothing
 *   a function keeps in memory between invocations is relied on.
 *
 * Time: every invocation carries the driver's virtual clock; Date.now() answers it. Calls take
 * no virtual time, so timers (the SDK's retry backoff, the framework's PUT retries) fire at once.
 */
const http = require('http');
const path = require('path');
const util = require('util');

const modulePath = process.argv[2];
const fresh = process.argv[3] === 'fresh';

const logs = [];
for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
  console[level] = (...args) => logs.push({ level, message: util.format(...args) });
}

let virtualNow = Date.now();
Date.now = () => virtualNow;
const realSetTimeout = setTimeout;
global.setTimeout = (fn, _ms, ...args) => realSetTimeout(fn, 0, ...args);

// Leave with the driver: an orphaned host would keep jest waiting.
process.on('disconnect', () => process.exit(0));

let nextCall = 0;
const pending = new Map();
function askDriver(call, request) {
  const id = `out-${nextCall++}`;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    process.send({ type: 'outbound', id, call, request });
  });
}

function putResponse(options, body) {
  return new Promise((resolve, reject) => {
    const request = http.request({ ...options, hostname: '127.0.0.1', port: Number(process.env.RESPONSE_SERVER_PORT) }, (response) => {
      response.resume();
      if (!response.statusCode || response.statusCode >= 400) reject(new Error(`Unsuccessful HTTP response: ${response.statusCode}`));
      else resolve();
    });
    request.on('error', reject);
    request.write(body);
    request.end();
  });
}

function load() {
  if (path.basename(modulePath) === 'framework.js') {
    // outbound.js loads the Lambda and Step Functions clients the Lambda runtime ships; its three
    // functions are replaced below, so the clients are never used and need not be installed.
    const Module = require('module');
    const realLoad = Module._load;
    Module._load = function load(request, ...rest) {
      if (request === '@aws-sdk/client-lambda' || request === '@aws-sdk/client-sfn') return {};
      return realLoad.call(this, request, ...rest);
    };
    const outbound = require(path.join(path.dirname(modulePath), 'outbound.js'));
    outbound.invokeFunction = async (request) => {
      const response = await askDriver('invokeFunction', request);
      return { ...response, Payload: Buffer.from(response.Payload, 'utf8') };
    };
    outbound.startExecution = (request) => askDriver('startExecution', request);
    outbound.httpRequest = putResponse;
    return require(modulePath);
  }
  if (fresh) {
    for (const key of Object.keys(require.cache)) {
      if (!key.includes(`${path.sep}node_modules${path.sep}`)) delete require.cache[key];
    }
  }
  return require(modulePath);
}

let loaded = load();

process.on('message', async (message) => {
  if (message.type === 'outboundResult') {
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) waiting.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
    else waiting.resolve(message.result);
    return;
  }
  const { id, fn, event, now } = message;
  virtualNow = now;
  logs.length = 0;
  try {
    if (fresh) loaded = load();
    if (typeof loaded[fn] !== 'function') throw new TypeError(`the module exports no ${fn}`);
    const result = await loaded[fn](event);
    process.send({ type: 'result', id, result: result === undefined ? null : result, logs: logs.splice(0) });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    process.send({ type: 'result', id, error: { errorType: e.constructor.name === 'Retry' ? 'Retry' : e.name, errorMessage: e.message, trace: String(e.stack).split('\n') }, logs: logs.splice(0) });
  }
});

process.send({ type: 'ready' });
