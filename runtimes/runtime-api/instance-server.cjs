'use strict';
// Kumo's side of the bridge: FC's custom-runtime protocol on 0.0.0.0:$FC_SERVER_PORT, as the Node.js agent serves
// it (POST /invoke, POST /initialize, GET /pre-stop, GET /pre-freeze, anything else with X-Fc-Control-Path
// /http-invoke). Each request becomes a call on the queue; the program's answer becomes the HTTP answer.

const http = require('node:http');
const { randomUUID } = require('node:crypto');
const { Call, FUNCTION_TYPE, failure } = require('./calls.cjs');
const { canonicalName, decodeResponse, encodeRequest } = require('./http-params.cjs');

/** Headers the bridge sets on a poll's answer itself, never copied from Kumo's call. */
const OWN = new Set([
  'x-fc-control-path',
  'x-fc-http-params',
  'x-fc-function-type',
  'x-fc-function-deadline',
]);

function route(req) {
  const controlPath = req.headers['x-fc-control-path'];
  if (controlPath === '/invoke' || controlPath === '/initialize') return controlPath.slice(1);
  if (controlPath === '/pre-stop' || controlPath === '/pre-freeze') return controlPath.slice(1);
  if (controlPath) return 'http';
  const path = (req.url || '/').split('?')[0];
  if (req.method === 'POST' && (path === '/invoke' || path === '/initialize')) return path.slice(1);
  if (path === '/pre-stop' || path === '/pre-freeze') return path.slice(1);
  return 'http';
}

const TYPE_OF = {
  invoke: FUNCTION_TYPE.handler,
  http: FUNCTION_TYPE.handler,
  initialize: FUNCTION_TYPE.initializer,
  'pre-stop': FUNCTION_TYPE.preStop,
  'pre-freeze': FUNCTION_TYPE.preFreeze,
};

/** Kumo's `X-Fc-*` headers in canonical case; FC's Go SDK cannot take a call without X-Fc-Function-Timeout. */
function contextHeaders(req) {
  const headers = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const lower = req.rawHeaders[i].toLowerCase();
    if (lower.startsWith('x-fc-') && !OWN.has(lower)) headers[canonicalName(lower)] = req.rawHeaders[i + 1];
  }
  if (!/^\d{1,6}$/.test(headers['X-Fc-Function-Timeout'] ?? '')) headers['X-Fc-Function-Timeout'] = '3';
  return headers;
}

/** Epoch ms by which the call must end: the initializer's timeout for an initializer, else the function's. */
function deadlineOf(headers, type) {
  const seconds = Number(
    type === FUNCTION_TYPE.initializer
      ? (headers['X-Fc-Initialization-Timeout'] ?? headers['X-Fc-Function-Timeout'])
      : headers['X-Fc-Function-Timeout'],
  );
  return Date.now() + (Number.isFinite(seconds) && seconds > 0 ? seconds : 3) * 1000;
}

function readBody(req, max) {
  return new Promise((resolve) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () => resolve(size <= max ? Buffer.concat(chunks) : undefined));
    req.on('error', () => resolve(undefined));
  });
}

/** Two turns of the event loop: the program's output written before it answered reaches stdout first. */
const afterOutput = () => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

function writeFailure(res, error) {
  const body = Buffer.from(JSON.stringify(error));
  res.writeHead(404, {
    'X-Fc-Status': '404',
    'X-Fc-Error-Type': 'UnhandledInvocationError',
    'Content-Type': 'application/json',
    'Content-Length': body.length,
  });
  res.end(body);
}

function writeAnswer(req, res, kind, result) {
  if (!result.ok) return writeFailure(res, result.error);
  if (kind !== 'http') {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': result.body.length });
    return res.end(result.body);
  }
  let meta;
  try {
    meta = decodeResponse(result.httpParams);
  } catch (error) {
    return writeFailure(res, { errorMessage: error.message, errorType: 'InvalidHttpResponse' });
  }
  res.statusCode = meta.status;
  for (const [name, values] of meta.headers) res.setHeader(name, values.length === 1 ? values[0] : values);
  if (meta.status === 204 || meta.status === 304) return res.end(); // no body, no length
  res.setHeader('Content-Length', result.body.length);
  res.end(req.method === 'HEAD' ? undefined : result.body);
}

/**
 * The handler of Kumo's calls for `queue`: `{ handle(req, res), answering() }`, how many answers are being written
 * (the bridge lets them out before it exits).
 */
function instanceHandler(queue, limits) {
  let answering = 0;

  async function onRequest(req, res) {
    const kind = route(req);
    const body = await readBody(req, limits.maxBodyBytes);
    if (res.destroyed) return; // Kumo hung up while sending
    const headers = contextHeaders(req);
    const type = TYPE_OF[kind];
    const call = new Call({
      id: String(req.headers['x-fc-request-id'] || randomUUID()),
      type,
      headers,
      body: kind === 'invoke' || kind === 'http' ? (body ?? Buffer.alloc(0)) : Buffer.alloc(0),
      deadline: deadlineOf(headers, type),
      httpParams: kind === 'http' ? encodeRequest(req) : undefined,
    });
    res.on('close', () => {
      if (!res.writableFinished) queue.abandon(call); // Kumo hung up: a timeout, or its client went away
    });
    if (body === undefined) {
      call.settle(failure(`the request body is larger than ${limits.maxBodyBytes} bytes`));
    } else {
      queue.submit(call);
    }
    const result = await call.answer;
    if (res.destroyed) return;
    answering++;
    res.on('close', () => answering--);
    await afterOutput();
    writeAnswer(req, res, kind, result);
  }

  const handle = (req, res) => {
    onRequest(req, res).catch((error) => {
      process.stderr.write(`runtime-api bridge: ${error.stack || error}\n`);
      if (!res.headersSent) writeFailure(res, { errorMessage: String(error.message || error) });
      else res.destroy();
    });
  };
  return { handle, answering: () => answering };
}

/** An HTTP server for the instance's port, `handle` serving its requests (not listening yet). */
function instanceServer(handle, port) {
  const server = http.createServer(handle);
  server.keepAliveTimeout = 0;
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.timeout = 0;
  server.on('error', (error) => {
    process.stderr.write(`runtime-api bridge: cannot serve port ${port}: ${error.message}\n`);
    process.exit(1);
  });
  return server;
}

/** Serves Kumo's calls on `port` for `queue`. Returns `{ server, answering() }`. */
function serveInstance(queue, limits, port, onListening) {
  const { handle, answering } = instanceHandler(queue, limits);
  const server = instanceServer(handle, port);
  server.listen(port, '0.0.0.0', onListening);
  return { server, answering };
}

module.exports = { instanceHandler, instanceServer, serveInstance };
