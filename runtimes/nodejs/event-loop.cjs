'use strict';
// context.waitsForEmptyEventLoopBeforeCallback (FC keeps it in global.FCWaitForEmptyEventLoop, false by default).
// When a call leaves it true, FC's agent answers at once but takes the next call only when the event loop is
// empty: what the calls started (timers, sockets, file operations) has finished first. Kumo's agent does the
// same: from the moment the flag is first set it keeps the async resources calls create (promises aside), and
// holds the next call while one of them still keeps the event loop alive (an unref'd timer or socket does not).

const asyncHooks = require('async_hooks');
const { requestStore } = require('./logger.cjs');

const pending = new Map(); // asyncId -> resource
let waiters = [];
let hook = null;
let flag = false;

function keepsLoopAlive(resource) {
  return !resource || typeof resource.hasRef !== 'function' || resource.hasRef();
}

function busy() {
  for (const resource of pending.values()) if (keepsLoopAlive(resource)) return true;
  return false;
}

function releaseWhenIdle() {
  if (waiters.length === 0 || busy()) return;
  const ready = waiters;
  waiters = [];
  for (const resolve of ready) resolve();
}

function track() {
  if (hook) return;
  hook = asyncHooks.createHook({
    init(asyncId, type, _trigger, resource) {
      if (type !== 'PROMISE' && requestStore.getStore()) pending.set(asyncId, resource);
    },
    destroy(asyncId) {
      if (pending.delete(asyncId)) releaseWhenIdle();
    },
  });
  hook.enable();
}

Object.defineProperty(global, 'FCWaitForEmptyEventLoop', {
  configurable: true,
  get() {
    return flag;
  },
  set(value) {
    flag = value === true;
    if (flag) track();
  },
});

// Undefined when the next call may start now, else a promise that resolves once earlier calls' work is done.
function emptyEventLoop() {
  if (!flag || !busy()) return undefined;
  return new Promise((resolve) => {
    waiters.push(resolve);
    // A resource may be unref'd after it was created, which no hook reports: look again now and then.
    const recheck = setInterval(() => {
      releaseWhenIdle();
      if (!waiters.includes(resolve)) clearInterval(recheck);
    }, 100);
    recheck.unref();
  });
}

module.exports = { emptyEventLoop };
