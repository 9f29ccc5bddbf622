'use strict';
// The pieces of one call shared by the agent's routes: reading the request, encoding the result, replying,
// and running a user function that may answer through callback() and/or a promise.

const errors = require('./errors.cjs');
const writeLine = require('./logger.cjs').writeLine;
const ASYNC_RESULT_ENDS_CALL = require('./semantics.cjs').ASYNC_RESULT_ENDS_CALL;

function header(req, name) {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value || '';
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// FC's _formatData: Buffer raw, string raw, object → JSON, number/boolean → String, null → empty.
function encodeResult(data) {
  if (data === undefined || data === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === 'string') return Buffer.from(data);
  if (typeof data === 'object') {
    const json = JSON.stringify(data);
    return Buffer.from(json === undefined ? '' : json);
  }
  return Buffer.from(String(data));
}

function replyOk(res, body) {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
  res.end(body);
}

function replyFailure(res, state, err, handled) {
  writeLine(state.requestId, 'error', JSON.stringify(errors.formatError(err, handled)));
  errors.sendError(res, err, handled);
}

// A promise that the first call of `finish` settles (later calls are ignored); it marks the request done.
function settleOnce(state) {
  let resolve;
  const outcome = new Promise((r) => {
    resolve = r;
  });
  let settled = false;
  const finish = (result) => {
    if (settled) return;
    settled = true;
    state.done = true;
    resolve(result);
  };
  return { outcome, finish };
}

// Runs a user function that may call callback(err, data) and/or return a promise; the first
// outcome wins. Uncaught errors in the request's async context settle it via state.fail. On Node.js ≤ 16
// (FC's old agents) a resolved promise does not end the call: only callback() or a rejection does.
function runUser(state, call) {
  const settle = settleOnce(state);
  const finish = settle.finish;
  state.fail = (err) => finish({ failed: true, error: err, handled: false });
  const callback = (err, data) => {
    if (err !== undefined && err !== null) finish({ failed: true, error: err, handled: true });
    else finish({ data });
  };
  try {
    const ret = call(callback);
    if (ret && typeof ret.then === 'function') {
      ret.then(
        (data) => {
          if (ASYNC_RESULT_ENDS_CALL) finish({ data });
        },
        (err) => finish({ failed: true, error: err, handled: false })
      );
    }
  } catch (err) {
    finish({ failed: true, error: err, handled: false });
  }
  return settle.outcome;
}

module.exports = { header, readBody, encodeResult, replyOk, replyFailure, settleOnce, runUser };
