'use strict';
// Per-request log attribution. Each request runs inside requestStore.run(state, ...), so console
// output from interleaved concurrent requests carries the right request id.
// Runs on every Node.js major from 8 on: plain module names, ES2017 syntax only.

const asyncHooks = require('async_hooks');
const util = require('util');
const { MAJOR } = require('./semantics.cjs');

// AsyncLocalStorage exists from Node 12.17 / 13.10. Older majors get the same two methods on async_hooks:
// each async resource remembers the store current when it was created and restores it when it runs.
function createRequestStore() {
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
    console[method] = function patchedConsoleMethod(...args) {
      const state = requestStore.getStore();
      if (!state) return original.apply(console, args);
      writeLine(state.requestId, level, util.format(...args));
    };
  }
}

const LOGGER_LEVELS = { silly: 0, verbose: 1, debug: 2, info: 3, warn: 4, error: 5 };

// context.logger: `<ISO time> <requestId> [info] message`, FC's lower-case level names; `log` writes at the
// level console.log has; `setLogLevel(name)` hides the levels below it.
function createContextLogger(requestId) {
  let minLevel = 0;
  const method = (level) =>
    function contextLog(...args) {
      if (LOGGER_LEVELS[level] >= minLevel) writeLine(requestId, level, util.format(...args));
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
