'use strict';
// What differs between FC's Node.js runtimes, by the major this agent runs on (docs/fidelity.md, Node.js agent):
// FC's nodejs6 … nodejs16 agents prefix unhandled errors and end a call only through `callback`; the
// nodejs18/20 runtimes take an async handler's resolved value and keep the error's own name.

const MAJOR = Number.parseInt(process.versions.node.split('.')[0], 10);

/** Node.js ≤ 16: `"errorType": "FunctionUnhandledError: Error"` for a thrown or rejected error. */
const UNHANDLED_PREFIX = MAJOR <= 16 ? 'FunctionUnhandledError: ' : '';

/** Node.js ≤ 16: a promise's resolved value does not end the call (only `callback` does). */
const ASYNC_RESULT_ENDS_CALL = MAJOR >= 18;

/** `async_hooks` (Node.js ≥ 8), or null on the nodejs4.4 and nodejs6 runtimes. */
let asyncHooks = null;
try {
  asyncHooks = require('async_hooks');
} catch (_err) {
  // Node.js 4 and 6: the agent falls back on what concurrency 1 allows (logger.cjs, event-loop.cjs).
}

module.exports = { MAJOR, UNHANDLED_PREFIX, ASYNC_RESULT_ENDS_CALL, asyncHooks };
