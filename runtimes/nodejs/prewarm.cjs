'use strict';
// A pre-warmed agent (started by Kumo's pool with KUMO_PREWARM_TOKEN=<token> and no function) serves exactly one
// request before it becomes a function's: POST /kumo/specialize with that token and the function's whole
// environment as JSON ({"env": {...}}). Every other request before it is refused; after it, the agent is the same
// as one started with that environment, and /kumo/specialize is an ordinary path of the function's.
// Node.js 4 syntax only (see agent.cjs).

const readBody = require('./calls.cjs').readBody;

function refuse(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

// Returns undefined when the agent was started normally, else a function handling the requests that arrive
// before specialisation (`specialize()` applies the new environment; the agent then serves as usual).
function createGate(env, specialize, inited) {
  const token = env.KUMO_PREWARM_TOKEN;
  delete env.KUMO_PREWARM_TOKEN;
  if (!token) return undefined;
  let state = 'generic';
  return (req, res) => {
    if (state === 'serving') return false;
    if (state === 'specialized') {
      // Said on the first request, as a normally started agent's line (printed on listening) mostly lands in
      // its function's first call's log.
      state = 'serving';
      console.log(inited);
      return false;
    }
    const url = (req.url || '').split('?')[0];
    const valid = req.method === 'POST' && url === '/kumo/specialize';
    if (state !== 'generic' || !valid || req.headers['x-kumo-prewarm-token'] !== token) {
      refuse(res, 503, 'this instance has no function yet');
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
}

module.exports = { createGate };
