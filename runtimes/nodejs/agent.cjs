'use strict';
// Kumo built-in Node.js runtime agent (nodejs4.4, nodejs6, nodejs8 … nodejs20).
// Serves FC's custom-runtime protocol on 0.0.0.0:$FC_SERVER_PORT and runs the user's handlers:
//   POST /invoke       (x-fc-control-path /invoke)       handler(event, context, callback)
//   POST /initialize   (x-fc-control-path /initialize)   initializer(context, callback)
//   GET  /pre-stop, /pre-freeze                          hook(context, callback)
//   anything else      (x-fc-control-path /http-invoke)  handler(request, response, context)
// Uses Node built-ins only (it runs without node_modules) and runs on every Node.js major from 4 to 20, so
// every file is strict mode and the syntax Node.js 4 has: let/const, classes, arrow functions, template
// strings, for…of; no destructuring, default or rest parameters, spread, async functions, trailing commas in
// calls, `node:` module names, `?.`, `??`, optional catch binding or class fields (promise chains instead).

const http = require('http');
const path = require('path');
const util = require('util');
const crypto = require('crypto');
const formatError = require('./errors.cjs').formatError;
const calls = require('./calls.cjs');
const logger = require('./logger.cjs');
const createContext = require('./context.cjs').createContext;
const loadHandler = require('./loader.cjs').loadHandler;
const httpFunction = require('./http-function.cjs');
const semantics = require('./semantics.cjs');
const eventLoop = require('./event-loop.cjs');
const prewarm = require('./prewarm.cjs');

const header = calls.header;
const readBody = calls.readBody;
const replyOk = calls.replyOk;
const replyFailure = calls.replyFailure;
const runUser = calls.runUser;
const requestStore = logger.requestStore;
const writeLine = logger.writeLine;

// crypto.randomUUID exists from Node.js 14.17.
const randomUUID =
  crypto.randomUUID ||
  (() => {
    const hex = crypto.randomBytes(16).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  });

// ---- environment -------------------------------------------------------------------------------

const env = process.env;
const port = Number.parseInt(env.FC_SERVER_PORT || env.FC_CUSTOM_LISTEN_PORT || '9000', 10);
let codeDir = '';
let envInitializer = '';

// What the agent does with its environment at start (or, pre-warmed, once it is given its function's).
function applyEnvironment() {
  codeDir = path.resolve(env.FC_FUNC_CODE_PATH || process.cwd());
  envInitializer = env.FC_INITIALIZER_HANDLER || '';
  prewarm.removeInternalVariables(env);
  if (require('fs').existsSync(codeDir)) process.chdir(codeDir); // else keep the current directory
  logger.patchConsole();
}

const INITED = 'FunctionCompute nodejs runtime inited.';
const prewarmGate = prewarm.createGate(env, applyEnvironment, INITED, (req, res, dir) => {
  codeDir = dir; // the function's is set when it is specialised, after this call
  res.on('finish', () => (codeDir = ''));
  serve(req, res, { requestId: 'warmup', done: false, fail: null }, 'invoke');
});
if (!prewarmGate) applyEnvironment();

// Loads a "(context, callback)" style function (initializer / hooks) and runs it.
function runContextFunction(req, state, handlerName) {
  if (!handlerName) return Promise.resolve({ data: undefined });
  return loadHandler(handlerName, codeDir).then(
    (fn) => {
      const context = createContext(req.headers, state.requestId);
      return runUser(state, (callback) => fn(context, callback));
    },
    (err) => ({ failed: true, error: err, handled: false })
  );
}

// ---- routes ------------------------------------------------------------------------------------

// The call's handler, or undefined after replying with the load error (missing module, syntax error …).
function loadHandlerOrReply(req, res, state) {
  return loadHandler(header(req, 'x-fc-function-handler') || env.FC_FUNCTION_HANDLER, codeDir).then(
    undefined,
    (err) => {
      replyFailure(res, state, err, false);
      return undefined;
    }
  );
}

function handleInvoke(req, res, state) {
  let event;
  return readBody(req)
    .then((body) => {
      event = body;
      return loadHandlerOrReply(req, res, state);
    })
    .then((fn) => {
      if (!fn) return undefined;
      const context = createContext(req.headers, state.requestId);
      return runUser(state, (callback) => fn(event, context, callback));
    })
    .then((result) => {
      if (result) replyInvokeResult(res, state, result);
    });
}

function replyInvokeResult(res, state, result) {
  if (result.failed) {
    replyFailure(res, state, result.error, result.handled);
    return;
  }
  let body;
  try {
    body = calls.encodeResult(result.data);
  } catch (err) {
    replyFailure(res, state, err, false);
    return;
  }
  replyOk(res, body);
}

let initPromise = null; // resolved with a successful outcome once the initializer has succeeded

function handleInitialize(req, res, state) {
  return readBody(req)
    .then(() => {
      if (!initPromise) {
        const handlerName = header(req, 'x-fc-function-initializer') || envInitializer;
        initPromise = runContextFunction(req, state, handlerName).then((result) => {
          if (result.failed) initPromise = null; // retried on the next /initialize
          return result;
        });
      }
      return initPromise;
    })
    .then((result) => replyDone(res, state, result));
}

function handleHook(req, res, state, hook) {
  return readBody(req)
    .then(() => runContextFunction(req, state, header(req, `x-fc-instance-lifecycle-${hook}-handler`)))
    .then((result) => replyDone(res, state, result));
}

// The answer to an initializer or a hook: empty, or the failure.
function replyDone(res, state, result) {
  if (result.failed) replyFailure(res, state, result.error, result.handled);
  else replyOk(res, Buffer.alloc(0));
}

function handleHttp(req, res, state) {
  let body;
  return readBody(req)
    .then((bytes) => {
      body = bytes;
      return loadHandlerOrReply(req, res, state);
    })
    .then((fn) => {
      if (!fn) return undefined;
      return runHttpFunction(fn, req, res, state, body).then((result) => {
        if (result.failed) replyFailure(res, state, result.error, false);
      });
    });
}

function runHttpFunction(fn, req, res, state, body) {
  const context = createContext(req.headers, state.requestId);
  const request = httpFunction.createRequest(req, body);
  const settle = calls.settleOnce(state);
  const response = new httpFunction.FCResponse(res, () => settle.finish({ sent: true }));
  const fail = (err) => {
    if (state.done) writeLine(state.requestId, 'error', JSON.stringify(formatError(err, false)));
    else settle.finish({ failed: true, error: err });
  };
  state.fail = fail;
  try {
    const ret = fn(request, response, context);
    if (ret && typeof ret.then === 'function') ret.then(undefined, fail);
  } catch (err) {
    fail(err);
  }
  return settle.outcome;
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
  if (prewarmGate && prewarmGate(req, res)) return;
  const state = {
    requestId: header(req, 'x-fc-request-id') || randomUUID(),
    done: false,
    fail: null,
  };
  const kind = route(req);
  const answered = () => {
    state.answered = true;
  };
  res.on('finish', answered);
  res.on('close', answered);
  const isCall = kind === 'invoke' || kind === 'http';
  const start = () => {
    const held = isCall ? eventLoop.emptyEventLoop() : undefined;
    if (held) held.then(() => serve(req, res, state, kind));
    else serve(req, res, state, kind);
  };
  if (isCall && !semantics.asyncHooks) eventLoop.previousTurn(res).then(start);
  else start();
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
    if (semantics.MAJOR <= 16 && origin === 'uncaughtException') {
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
eventLoop.ignoreServer(server);
server.keepAliveTimeout = 0;
server.requestTimeout = 0;
server.timeout = 0;
server.on('error', (err) => {
  process.stderr.write(`nodejs runtime agent: ${err.stack || err}\n`);
  process.exit(1);
});
server.listen(port, '0.0.0.0', () => {
  if (!prewarmGate) console.log(INITED);
  else prewarmGate.warmUp(port);
});
