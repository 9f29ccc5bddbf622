'use strict';
// Per-request log attribution. Each request runs inside requestStore.run(state, ...), so console
// output from interleaved concurrent requests carries the right request id.
// Runs on every Node.js major from 4 on (see agent.cjs for the syntax this allows).

const util = require('util');
const semantics = require('./semantics.cjs');

const MAJOR = semantics.MAJOR;
const asyncHooks = semantics.asyncHooks;

// AsyncLocalStorage exists from Node 12.17 / 13.10. Node.js 8 … 12 get the same two methods on async_hooks:
// each async resource remembers the store current when it was created and restores it when it runs.
// Node.js 4 and 6 have no async_hooks at all (createSerialStore).
function createRequestStore() {
  if (!asyncHooks) return createSerialStore();
  if (typeof asyncHooks.AsyncLocalStorage === 'function') return new asyncHooks.AsyncLocalStorage();
  const stores = new Map();
  const stack = [];
  let current;
  asyncHooks
    .createHook({
      init(asyncId) {
        if (current !== undefined) stores.set(asyncId, current);
      },
      before(asyncId) {
        stack.push(current);
        current = stores.get(asyncId);
      },
      after() {
        current = stack.length > 0 ? stack.pop() : undefined;
      },
      destroy(asyncId) {
        stores.delete(asyncId);
      },
    })
    .enable();
  return {
    run(store, fn) {
      const previous = current;
      current = store;
      try {
        return fn();
      } finally {
        current = previous;
      }
    },
    getStore() {
      return current;
    },
  };
}

// Node.js 4 and 6 (FC's nodejs4.4 and nodejs6 ran one request per instance at a time): the request whose code
// runs synchronously inside run(), else the one request in flight (not `answered` yet), else the last one started (a timer that
// fires after its call ended). With several requests in flight (instanceConcurrency > 1) and none running
// synchronously, the output cannot be attributed and goes out as plain lines.
function createSerialStore() {
  let current;
  let last;
  const inFlight = new Set();
  return {
    run(store, fn) {
      const previous = current;
      current = store;
      last = store;
      inFlight.add(store);
      try {
        return fn();
      } finally {
        current = previous;
      }
    },
    getStore() {
      if (current !== undefined) return current;
      inFlight.forEach((store) => {
        if (store.answered) inFlight.delete(store);
      });
      if (inFlight.size > 1) return undefined;
      return inFlight.size === 1 ? inFlight.values().next().value : last;
    },
  };
}

const requestStore = createRequestStore();

// FC's line format; a multi-line message stays one entry: its \n become \r.
function writeLine(requestId, level, message) {
  const line = `${new Date().toISOString()} ${requestId} [${level}] ${String(message).replace(/\n/g, '\r')}\n`;
  process.stdout.write(line);
}

// console.log is `verbose` on FC's Node.js ≤ 16 agents and `info` on the Node.js 18/20 runtimes.
const LOG_LEVEL = MAJOR >= 18 ? 'info' : 'verbose';
const CONSOLE_LEVELS = { log: LOG_LEVEL, info: 'info', warn: 'warn', error: 'error', debug: 'debug' };
let consolePatched = false;

function patchConsole() {
  if (consolePatched) return;
  consolePatched = true;
  for (const method of Object.keys(CONSOLE_LEVELS)) {
    const original = console[method];
    const level = CONSOLE_LEVELS[method];
    console[method] = function patchedConsoleMethod() {
      const state = requestStore.getStore();
      if (!state) return original.apply(console, arguments);
      writeLine(state.requestId, level, util.format.apply(util, arguments));
    };
  }
}

const LOGGER_LEVELS = { silly: 0, verbose: 1, debug: 2, info: 3, warn: 4, error: 5 };

// context.logger: `<ISO time> <requestId> [info] message`, FC's lower-case level names; `log` writes at the
// level console.log has; `setLogLevel(name)` hides the levels below it.
function createContextLogger(requestId) {
  let minLevel = 0;
  const method = (level) =>
    function contextLog() {
      if (LOGGER_LEVELS[level] >= minLevel) writeLine(requestId, level, util.format.apply(util, arguments));
    };
  return {
    debug: method('debug'),
    info: method('info'),
    log: method(LOG_LEVEL),
    warn: method('warn'),
    error: method('error'),
    setLogLevel(level) {
      const key = String(level).toLowerCase();
      if (key in LOGGER_LEVELS) minLevel = LOGGER_LEVELS[key];
    },
  };
}

module.exports = { requestStore, writeLine, patchConsole, createContextLogger };
