'use strict';
/**
 * Hosts the handler bundle the way the Lambda Node.js runtime does: plain Node (not jest's module
 * sandbox, where the AWS SDK's lazy `import('node:http')` cannot run), a process of its own with
 * the function's environment, one invocation at a time, JSON in and JSON out, an unhandled error
 * reported as { errorType, errorMessage, trace }. Driven over IPC by test/wire/harness.ts.
 *
 * Usage: node lambda-host.js <bundle path>; messages { id, fn: 'onEvent' | 'isComplete', event }.
 */
const util = require('util');

const logs = [];
for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
  console[level] = (...args) => logs.push({ level, message: util.format(...args) });
}

// Leave with the test: an orphaned host would keep moto busy and jest waiting.
process.on('disconnect', () => process.exit(0));

let handler;
try {
  handler = require(process.argv[2]);
} catch (error) {
  process.send({ loadError: String(error && error.stack) }, () => process.exit(1));
  return;
}

process.on('message', async ({ id, fn, event }) => {
  logs.length = 0;
  try {
    if (typeof handler[fn] !== 'function') throw new TypeError(`the bundle exports no ${fn}`);
    const result = await handler[fn](event);
    process.send({ id, result: result === undefined ? null : result, logs: logs.splice(0) });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    process.send({ id, error: { errorType: e.name, errorMessage: e.message, trace: String(e.stack).split('\n') }, logs: logs.splice(0) });
  }
});

process.send({ ready: true, exports: Object.keys(handler) });
