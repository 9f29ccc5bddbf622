'use strict';
// context.waitsForEmptyEventLoopBeforeCallback (FC keeps it in global.FCWaitForEmptyEventLoop, false by default).
// When a call leaves it true, FC's agent answers at once but takes the next call only when the event loop is
// empty: what the calls started (timers, sockets, file operations) has finished first. Kumo's agent does the
// same: from the moment the flag is first set it keeps the async resources calls create (promises aside), and
// holds the next call while one of them still keeps the event loop alive (an unref'd timer or socket does not).
// Node.js 4 and 6 have no async_hooks: there the agent looks at what keeps the loop alive now (its own server,
// connections and stdio aside), which includes what was opened before the flag was set.

const asyncHooks = require('./semantics.cjs').asyncHooks;
const requestStore = require('./logger.cjs').requestStore;

const pending = new Map(); // asyncId -> resource
let waiters = [];
let hook = null;
let flag = false;

function keepsLoopAlive(resource) {
  return !resource || typeof resource.hasRef !== 'function' || resource.hasRef();
}

let agentServer = null;
const recheckHandles = new Set(); // Node.js 4: an unref'd timer's handle still counts among the active ones

function isAgentHandle(handle) {
  if (handle === process.stdout || handle === process.stderr || handle === process.stdin) return true;
  if (recheckHandles.has(handle)) return true;
  return agentServer !== null && (handle === agentServer || handle.server === agentServer);
}

function busyWithoutHooks() {
  if (process._getActiveRequests().length > 0) return true;
  return process._getActiveHandles().some((handle) => !isAgentHandle(handle) && keepsLoopAlive(handle));
}

function busy() {
  if (!asyncHooks) return busyWithoutHooks();
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
  if (hook || !asyncHooks) return;
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
      if (waiters.indexOf(resolve) !== -1) return;
      clearInterval(recheck);
      recheckHandles.delete(recheck._handle);
    }, 100);
    recheck.unref();
    if (recheck._handle) recheckHandles.add(recheck._handle);
  });
}

// Node.js 4 and 6 have no async_hooks to tell apart the output of calls running at once, so there calls take
// turns (FC's built-in agents run one call at a time unless concurrent invokes are enabled): a call starts
// once the previous one is answered, or its connection is gone (a timed-out call retires the instance).
let lastTurn = Promise.resolve();
function previousTurn(res) {
  const previous = lastTurn;
  lastTurn = new Promise((resolve) => {
    res.on('finish', resolve);
    res.on('close', resolve);
  });
  return previous;
}

/** The agent's own server, whose listening socket and connections never count as the calls' work. */
function ignoreServer(server) {
  agentServer = server;
}

module.exports = { emptyEventLoop, ignoreServer, previousTurn };
