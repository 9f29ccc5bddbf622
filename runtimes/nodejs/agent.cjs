'use strict';
// Kumo built-in Node.js runtime agent (nodejs8 … nodejs20).
// Serves FC's custom-runtime protocol on 0.0.0.0:$FC_SERVER_PORT and runs the user's handlers:
//   POST /invoke       (x-fc-control-path /invoke)       handler(event, context, callback)
//   POST /initialize   (x-fc-control-path /initialize)   initializer(context, callback)
//   GET  /pre-stop, /pre-freeze                          hook(context, callback)
//   anything else      (x-fc-control-path /http-invoke)  handler(request, response, context)
// Uses Node built-ins only (it runs without node_modules) and runs on every Node.js major from 8 to 20:
// plain module names (no `node:`), ES2017 syntax (no `?.`, `??`, optional catch binding, class fields).

const http = require('http');
const path = require('path');
const util = require('util');
const crypto = require('crypto');
const { formatError } = require('./errors.cjs');
const { header, readBody, encodeResult, replyOk, replyFailure, settleOnce, runUser } = require('./calls.cjs');
const { requestStore, writeLine, patchConsole } = require('./logger.cjs');
const { createContext } = require('./context.cjs');
const { loadHandler } = require('./loader.cjs');
const { createRequest, FCResponse } = require('./http-function.cjs');
const { MAJOR } = require('./semantics.cjs');
const { emptyEventLoop } = require('./event-loop.cjs');

// crypto.randomUUID exists from Node.js 14.17.
const randomUUID =
  crypto.randomUUID ||
  (() => {
    const hex = crypto.randomBytes(16).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  });

// ---- environment -------------------------------------------------------------------------------

const KEEP_ENV = new Set([
  'FC_FUNC_CODE_PATH',
  'FC_FUNCTION_MEMORY_SIZE',
  'FC_ACCOUNT_ID',
  'FC_FUNCTION_HANDLER',
  'FC_FUNCTION_NAME',
  'FC_SERVICE_NAME',
  'FC_QUALIFIER',
  'FC_REGION',
  'FC_INSTANCE_ID',
  'FC_SERVER_PORT',
  'FC_CUSTOM_LISTEN_PORT',
  // documented for user code by FC as well
  'FC_RUNTIME_VERSION',
  'FC_VER_ID',
  'FC_FUNCTION_VERSION',
]);

const env = process.env;
const codeDir = path.resolve(env.FC_FUNC_CODE_PATH || process.cwd());
const port = Number.parseInt(env.FC_SERVER_PORT || env.FC_CUSTOM_LISTEN_PORT || '9000', 10);
const envInitializer = env.FC_INITIALIZER_HANDLER || '';

for (const name of Object.keys(env)) {
  if (/^_?FC_/.test(name) && !KEEP_ENV.has(name)) delete env[name];
}
try {
  process.chdir(codeDir);
} catch (_err) {
  // keep the current directory
}

patchConsole();

// Loads a "(context, callback)" style function (initializer / hooks) and runs it.
async function runContextFunction(req, state, handlerName) {
  if (!handlerName) return { data: undefined };
  let fn;
  try {
    fn = await loadHandler(handlerName, codeDir);
  } catch (err) {
    return { failed: true, error: err, handled: false };
  }
  const context = createContext(req.headers, state.requestId);
  return runUser(state, (callback) => fn(context, callback));
}

// ---- routes ------------------------------------------------------------------------------------

// The call's handler, or undefined after replying with the load error (missing module, syntax error …).
async function loadHandlerOrReply(req, res, state) {
  try {
    return await loadHandler(header(req, 'x-fc-function-handler') || env.FC_FUNCTION_HANDLER, codeDir);
  } catch (err) {
    replyFailure(res, state, err, false);
    return undefined;
  }
}

async function handleInvoke(req, res, state) {
  const event = await readBody(req);
  const fn = await loadHandlerOrReply(req, res, state);
  if (!fn) return;
  const context = createContext(req.headers, state.requestId);
  const result = await runUser(state, (callback) => fn(event, context, callback));
  if (result.failed) {
    replyFailure(res, state, result.error, result.handled);
    return;
  }
  let body;
  try {
    body = encodeResult(result.data);
  } catch (err) {
    replyFailure(res, state, err, false);
    return;
  }
  replyOk(res, body);
}

let initPromise = null; // resolved with a successful outcome once the initializer has succeeded

async function handleInitialize(req, res, state) {
  await readBody(req);
  if (!initPromise) {
    const handlerName = header(req, 'x-fc-function-initializer') || envInitializer;
    initPromise = runContextFunction(req, state, handlerName).then((result) => {
      if (result.failed) initPromise = null; // retried on the next /initialize
      return result;
    });
  }
  const result = await initPromise;
  if (result.failed) replyFailure(res, state, result.error, result.handled);
  else replyOk(res, Buffer.alloc(0));
}

async function handleHook(req, res, state, hook) {
  await readBody(req);
  const result = await runContextFunction(req, state, header(req, `x-fc-instance-lifecycle-${hook}-handler`));
  if (result.failed) replyFailure(res, state, result.error, result.handled);
  else replyOk(res, Buffer.alloc(0));
}

async function handleHttp(req, res, state) {
  const body = await readBody(req);
  const fn = await loadHandlerOrReply(req, res, state);
  if (!fn) return;
  const context = createContext(req.headers, state.requestId);
  const request = createRequest(req, body);

  const { outcome, finish } = settleOnce(state);
  const response = new FCResponse(res, () => finish({ sent: true }));
  const fail = (err) => {
    if (state.done) writeLine(state.requestId, 'error', JSON.stringify(formatError(err, false)));
    else finish({ failed: true, error: err });
  };
  state.fail = fail;
  try {
    const ret = fn(request, response, context);
    if (ret && typeof ret.then === 'function') ret.then(undefined, fail);
  } catch (err) {
    fail(err);
  }
  const result = await outcome;
  if (result.failed) replyFailure(res, state, result.error, false);
}

function route(req) {
  const controlPath = header(req, 'x-fc-control-path');
  if (controlPath === '/http-invoke') return 'http';
  if (controlPath === '/invoke') return 'invoke';
  if (controlPath === '/initialize') return 'initialize';
  if (controlPath === '/pre-stop') return 'pre-stop';
  if (controlPath === '/pre-freeze') return 'pre-freeze';
  if (controlPath) return 'http';
  const urlPath = (req.url || '/').split('?')[0];
  if (req.method === 'POST' && urlPath === '/invoke') return 'invoke';
  if (req.method === 'POST' && urlPath === '/initialize') return 'initialize';
  if (urlPath === '/pre-stop') return 'pre-stop';
  if (urlPath === '/pre-freeze') return 'pre-freeze';
  return 'http';
}

function onRequest(req, res) {
  const state = {
    requestId: header(req, 'x-fc-request-id') || randomUUID(),
    done: false,
    fail: null,
  };
  const kind = route(req);
  const held = kind === 'invoke' || kind === 'http' ? emptyEventLoop() : undefined;
  if (held) held.then(() => serve(req, res, state, kind));
  else serve(req, res, state, kind);
}

function serve(req, res, state, kind) {
  requestStore.run(state, () => {
    let work;
    if (kind === 'invoke') work = handleInvoke(req, res, state);
    else if (kind === 'initialize') work = handleInitialize(req, res, state);
    else if (kind === 'http') work = handleHttp(req, res, state);
    else work = handleHook(req, res, state, kind);
    work.catch((err) => {
      state.done = true;
      replyFailure(res, state, err, false);
    });
  });
}

// ---- crashes -----------------------------------------------------------------------------------

function onUncaught(err, origin) {
  const state = requestStore.getStore();
  if (state && state.fail && !state.done) {
    // FC's ≤ 16 agents log the stack and answer with this text instead of the error.
    if (MAJOR <= 16 && origin === 'uncaughtException') {
      console.error(err && err.stack ? err.stack : util.inspect(err));
      state.fail('FunctionUnhandledError: uncaughtException');
    } else {
      state.fail(err);
    }
    return;
  }
  if (state) {
    // Stray error from a request that already completed: attribute it, keep serving.
    writeLine(state.requestId, 'error', `${origin}: ${JSON.stringify(formatError(err, false))}`);
    return;
  }
  const text = err && typeof err.stack === 'string' ? err.stack : util.inspect(err);
  process.stderr.write(`${origin}: ${text}\n`);
  process.exit(1);
}

process.on('uncaughtException', (err) => onUncaught(err, 'uncaughtException'));
process.on('unhandledRejection', (reason) => onUncaught(reason, 'unhandledRejection'));

// ---- server ------------------------------------------------------------------------------------

const server = http.createServer(onRequest);
server.keepAliveTimeout = 0;
server.requestTimeout = 0;
server.timeout = 0;
server.on('error', (err) => {
  process.stderr.write(`nodejs runtime agent: ${err.stack || err}\n`);
  process.exit(1);
});
server.listen(port, '0.0.0.0', () => {
  console.log('FunctionCompute nodejs runtime inited.');
});
