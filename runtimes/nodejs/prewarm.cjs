'use strict';
// A pre-warmed agent (started by Kumo's pool with KUMO_PREWARM_TOKEN=<token> and no function) serves exactly one
// request before it becomes a function's: POST /kumo/specialize with that token and the function's whole
// environment as JSON ({"env": {...}}). Every other request before it is refused; after it, the agent is the same
// as one started with that environment, and /kumo/specialize is an ordinary path of the function's.
// Before it is ready (Kumo waits for the 503), it calls its own warm-up handler once (warmup/index.cjs), so the
// code of a call is compiled ahead of the function's first. It also holds the agent's filter of FC's variables.
// Node.js 4 syntax only (see agent.cjs).

const http = require('http');
const path = require('path');
const readBody = require('./calls.cjs').readBody;

// The agent's own warm-up handler (never the function's: its module path is outside /code).
const WARMUP_DIR = path.join(__dirname, 'warmup');

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

// FC's internal variables (FC_* / _FC_* but the ones FC documents for user code) are not the function's to see.
function removeInternalVariables(env) {
  for (const name of Object.keys(env)) {
    if (/^_?FC_/.test(name) && !KEEP_ENV.has(name)) delete env[name];
  }
}

function refuse(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

// Returns undefined when the agent was started normally, else a function handling the requests that arrive
// before specialisation (`specialize()` applies the new environment; the agent then serves as usual).
// `warmUp(req, res, codeDir)` serves one invocation of the warm-up handler from `codeDir`.
function createGate(env, specialize, inited, warmUp) {
  const token = env.KUMO_PREWARM_TOKEN;
  delete env.KUMO_PREWARM_TOKEN;
  if (!token) return undefined;
  // warming: the agent's own warm-up call is running, it answers nothing else (Kumo waits for the 503).
  let state = 'warming';
  const gate = (req, res) => {
    if (state === 'serving') return false;
    if (state === 'specialized') {
      // Said on the first request, as a normally started agent's line (printed on listening) mostly lands in
      // its function's first call's log.
      state = 'serving';
      console.log(inited);
      return false;
    }
    const url = (req.url || '').split('?')[0];
    if (state === 'warming' && url === '/kumo/warmup' && req.headers['x-kumo-prewarm-token'] === token) {
      warmUp(req, res, WARMUP_DIR);
      return true;
    }
    const valid = req.method === 'POST' && url === '/kumo/specialize';
    if (state !== 'generic' || !valid || req.headers['x-kumo-prewarm-token'] !== token) {
      if (state === 'warming') refuse(res, 409, 'warming up');
      else refuse(res, 503, 'this instance has no function yet');
      return true;
    }
    state = 'specializing';
    readBody(req)
      .then((body) => {
        const next = JSON.parse(body.toString('utf8')).env;
        if (!next || typeof next !== 'object') throw new Error('no environment');
        // Only what changes: setting TZ (even to its value) makes Node.js reload the time zone, which costs ms.
        for (const name of Object.keys(env)) if (!(name in next)) delete env[name];
        for (const name of Object.keys(next))
          if (env[name] !== String(next[name])) env[name] = String(next[name]);
        state = 'specialized';
        specialize();
        res.writeHead(204);
        res.end();
      })
      .catch((err) => {
        refuse(res, 400, String(err && err.message));
        process.exit(1); // half-specialised: never serve anything
      });
    return true;
  };
  gate.warmUp = (port) =>
    selfWarmUp(port, token, () => {
      state = 'generic';
    });
  return gate;
}

// Calls the warm-up once through the agent's HTTP server, as Kumo will call the function (errors are ignored:
// the warm-up only saves time).
function selfWarmUp(port, token, done) {
  const req = http.request({
    host: '127.0.0.1',
    port: port,
    method: 'POST',
    path: '/kumo/warmup',
    headers: {
      'x-kumo-prewarm-token': token,
      'x-fc-function-handler': 'index.handler',
      'x-fc-request-id': 'warmup',
    },
  });
  req.on('response', (res) => {
    res.on('end', done);
    res.resume();
  });
  req.on('error', done);
  req.end('warm-up');
}

module.exports = { createGate, removeInternalVariables };
