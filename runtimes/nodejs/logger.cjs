'use strict';
// Per-request log attribution. Each request runs inside requestStore.run(state, ...), so console
// output from interleaved concurrent requests carries the right request id.

const { AsyncLocalStorage } = require('node:async_hooks');
const util = require('node:util');

const requestStore = new AsyncLocalStorage();

function writeLine(requestId, level, message) {
  const line = `${new Date().toISOString()} ${requestId} [${level}] ${String(message).replace(/\n/g, '\r')}\n`;
  process.stdout.write(line);
}

// console.log → verbose, as FC's Node runtime does.
const CONSOLE_LEVELS = { log: 'verbose', info: 'info', warn: 'warn', error: 'error', debug: 'debug' };
let consolePatched = false;

function patchConsole() {
  if (consolePatched) return;
  consolePatched = true;
  for (const [method, level] of Object.entries(CONSOLE_LEVELS)) {
    const original = console[method];
    console[method] = function patchedConsoleMethod(...args) {
      const state = requestStore.getStore();
      if (!state) return original.apply(console, args);
      writeLine(state.requestId, level, util.format(...args));
    };
  }
}

const LOGGER_LEVELS = { silly: 0, verbose: 0, debug: 1, info: 2, log: 2, warn: 3, error: 4 };

// context.logger: `<ISO time> <requestId> [INFO] message`, level filter per logger.
function createContextLogger(requestId) {
  let minLevel = 0;
  const method = (level, label) =>
    function contextLog(...args) {
      if (LOGGER_LEVELS[level] >= minLevel) writeLine(requestId, label, util.format(...args));
    };
  return {
    debug: method('debug', 'DEBUG'),
    info: method('info', 'INFO'),
    log: method('info', 'INFO'),
    warn: method('warn', 'WARN'),
    error: method('error', 'ERROR'),
    setLogLevel(level) {
      const key = String(level).toLowerCase();
      if (key in LOGGER_LEVELS) minLevel = LOGGER_LEVELS[key];
    },
  };
}

module.exports = { requestStore, writeLine, patchConsole, createContextLogger };
