'use strict';
// Error types raised by the agent and the FC error envelope
// ({errorMessage, errorType, stackTrace}) sent back to Kumo.

const path = require('path');
const semantics = require('./semantics.cjs');

const MAJOR = semantics.MAJOR;
const UNHANDLED_PREFIX = semantics.UNHANDLED_PREFIX;

const AGENT_DIR = __dirname + path.sep;

class AgentError extends Error {
  constructor(type, message, cause) {
    super(message);
    this.name = type;
    if (cause !== undefined) this.cause = cause;
  }
}

// Frames that belong to the agent or to Node internals are not the user's business.
function isInternalLine(line) {
  return (
    line.includes(AGENT_DIR) ||
    line.includes('node:internal') ||
    line.includes('node:async_hooks') ||
    line.includes('(node.js:') || // Node.js 4's bootstrap
    /\(internal\/|at internal\//.test(line)
  );
}

function cleanMessage(message) {
  // "Cannot find module 'x'\nRequire stack:\n- /code/a.js\n- <agent>/loader.cjs": drop agent lines.
  return String(message)
    .split('\n')
    .filter((line) => !line.includes(AGENT_DIR))
    .join('\n');
}

function stackLines(stack) {
  if (typeof stack !== 'string') return [];
  return stack.split('\n').filter((line) => line.trim() !== '' && !isInternalLine(line));
}

function isErrorLike(err) {
  return typeof err === 'object' && err !== null && typeof err.message === 'string' && 'stack' in err;
}

function textOf(value) {
  if (value === undefined || value === null) return String(value);
  if (Buffer.isBuffer(value)) return value.toString();
  if (typeof value === 'string') return value;
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value);
    } catch (_err) {
      return String(value);
    }
  }
  return String(value);
}

// handled: the user passed err to callback(); otherwise it was thrown / rejected / uncaught.
// Node ≤ 16 (FC's old agents): an unhandled error's type is prefixed, and anything that is not an Error goes
// through callback() as FC's agent does (it cannot rename a string), so it reads as a handled error.
function formatError(err, handled) {
  if (isErrorLike(err)) {
    const name = typeof err.name === 'string' && err.name ? err.name : 'Error';
    return {
      errorMessage: cleanMessage(err.message),
      errorType: handled || name.startsWith(UNHANDLED_PREFIX) ? name : UNHANDLED_PREFIX + name,
      stackTrace: stackLines(err.stack),
    };
  }
  return {
    errorMessage: textOf(err),
    errorType: handled || MAJOR <= 16 ? 'FunctionHandledError' : 'FunctionUnhandledError',
  };
}

// Write an FC error reply. Kumo reads status 404 + x-fc-status 404 as a function failure.
function sendError(res, err, handled) {
  const body = Buffer.from(JSON.stringify(formatError(err, handled)));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(404, {
    'x-fc-status': '404',
    'x-fc-error-type': handled ? 'HandledInvocationError' : 'UnhandledInvocationError',
    'content-type': 'application/json',
    'content-length': body.length,
  });
  res.end(body);
}

module.exports = { AgentError, formatError, sendError, stackLines, cleanMessage, AGENT_DIR };
