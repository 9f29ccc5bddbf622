'use strict';
// The bridge's generic start (Kumo's pre-warmed pool, docs/prewarm.md): started with KUMO_PREWARM_TOKEN=<token>
// and no program, it listens on the instance's port at once and refuses every request (503) but one
// POST /kumo/specialize with that token and the function's whole environment as JSON ({"env": {...}}). That
// request replaces the bridge's environment, changes to the code folder (FC_FUNC_CODE_PATH, /code) and resolves `specialized` with the program to run
// (/code/<handler>, as a normal start's command names it); the bridge then starts as usual, and `serve(handle)`
// answers the request (204) once the program asks for work, as a normal start's port opens then. From then on
// every request is the function's, /kumo/specialize included.

const { instanceServer } = require('./instance-server.cjs');

const MAX_SPECIALIZE_BYTES = 1024 * 1024;

function refuse(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_SPECIALIZE_BYTES) req.destroy(new Error('too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

/** Replaces `env` (process.env) with `next`. */
function replaceEnvironment(env, next) {
  for (const name of Object.keys(env)) if (!Object.hasOwn(next, name)) delete env[name];
  for (const [name, value] of Object.entries(next)) env[name] = String(value);
}

/**
 * Undefined when the bridge was started normally (no token in `env`, which loses it either way). Else
 * `{ specialized, serve(handle) }`: `specialized` resolves with the program's argv once the environment arrived.
 */
function openGate(env, port) {
  const token = env.KUMO_PREWARM_TOKEN;
  delete env.KUMO_PREWARM_TOKEN;
  if (!token) return undefined;
  let state = 'generic';
  let handleCall;
  let pending;
  let done;
  const specialized = new Promise((resolve) => {
    done = resolve;
  });
  const server = instanceServer((req, res) => {
    if (state === 'serving') return handleCall(req, res);
    const url = (req.url || '').split('?')[0];
    const valid = req.method === 'POST' && url === '/kumo/specialize';
    if (state !== 'generic' || !valid || req.headers['x-kumo-prewarm-token'] !== token) {
      req.resume();
      return refuse(res, 503, 'this instance has no function yet');
    }
    state = 'specializing';
    readJson(req)
      .then((body) => {
        const next = body?.env;
        if (!next || typeof next !== 'object' || Array.isArray(next)) throw new Error('no environment');
        replaceEnvironment(env, next);
        const codeDir = env.FC_FUNC_CODE_PATH || '/code';
        process.chdir(codeDir);
        pending = res;
        done([`${codeDir}/${env.FC_FUNCTION_HANDLER || ''}`]);
      })
      .catch((error) => {
        refuse(res, 400, String(error?.message));
        process.exit(1); // half-specialised: never serve anything
      });
  }, port);
  server.listen(port, '0.0.0.0');
  return {
    specialized,
    /** Serves calls with `handle` from now on; answers the specialisation. Returns `{ server }`. */
    serve(handle) {
      handleCall = handle;
      state = 'serving';
      pending.writeHead(204);
      pending.end();
      return server;
    },
  };
}

module.exports = { openGate };
