'use strict';
// FC's runtime API (`2020-11-11`, FC_RUNTIME.md §2.1), as the program inside the instance sees it:
//   GET  /2020-11-11/runtime/invocation/next             long poll; body = event, X-Fc-* headers = context
//   POST /2020-11-11/runtime/invocation/{id}/response    body = result (HTTP functions: X-Fc-Http-Params)
//   POST /2020-11-11/runtime/invocation/{id}/error       body = FC error JSON
//   POST /2020-11-11/runtime/init/error                  the program cannot start serving: every call fails
// Served on 127.0.0.1 under a per-instance secret path prefix (FC_RUNTIME_API=127.0.0.1:<port>/<secret>):
// where instances share the host's loopback (the `process` sandbox), another one cannot reach it by port alone.

const http = require('node:http');
const { randomBytes } = require('node:crypto');
const { failure } = require('./calls.cjs');

const API_VERSION = '2020-11-11';

/** Reads a request body up to `max` bytes; resolves undefined (and stops reading) past it. */
function readBody(req, max) {
  return new Promise((resolve) => {
    const chunks = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk) => {
      if (over) return;
      size += chunk.length;
      if (size > max) {
        over = true;
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', () => resolve(over ? undefined : Buffer.concat(chunks)));
  });
}

function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function reply(res, status, body) {
  const data = Buffer.from(body === undefined ? '' : JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': data.length });
  res.end(data);
}

/** The program's error body as FC's error object: its JSON when it is one, else its text as the message. */
function errorObject(body) {
  const text = body.toString();
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      if (typeof parsed.errorMessage !== 'string') parsed.errorMessage = String(parsed.errorMessage ?? '');
      return parsed;
    }
  } catch {
    // not JSON: the text is the message
  }
  return { errorMessage: text };
}

/** The headers a poll answers with: the call's `X-Fc-*` context plus type, deadline and HTTP params. */
function nextHeaders(call) {
  const headers = {
    ...call.headers,
    'X-Fc-Request-Id': call.id,
    'X-Fc-Function-Type': String(call.type),
    'X-Fc-Function-Deadline': String(call.deadline),
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(call.body.length),
  };
  if (call.httpParams) headers['X-Fc-Http-Params'] = call.httpParams;
  return headers;
}

/**
 * Starts the runtime API for `queue` on 127.0.0.1 (a free port). `events.onPoll()` runs at each poll (the first
 * one tells the bridge the program is ready); `events.onInitError(result)` when the program reports a failed
 * start. Resolves with `{ address, server }`, address being what FC_RUNTIME_API is set to.
 */
function startRuntimeApi(queue, limits, events) {
  const secret = randomBytes(16).toString('hex');
  const prefix = `/${secret}/${API_VERSION}/runtime/`;

  const server = http.createServer((req, res) => {
    const url = (req.url || '').split('?')[0];
    if (!url.startsWith(prefix)) {
      req.resume();
      return reply(res, 404, { errorMessage: 'not found' });
    }
    const route = url.slice(prefix.length);
    if (req.method === 'GET' && route === 'invocation/next') return next(req, res);
    if (req.method === 'POST' && route === 'init/error') return initError(req, res);
    const answer = /^invocation\/([^/]+)\/(response|error)$/.exec(route);
    if (req.method === 'POST' && answer) return settle(req, res, safeDecode(answer[1]), answer[2]);
    req.resume();
    reply(res, 404, { errorMessage: `no route ${req.method} ${route}` });
  });
  server.keepAliveTimeout = 0;
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.timeout = 0;

  function next(req, res) {
    req.resume();
    events.onPoll();
    // After an init error there is no more work: the poll is left open, so a program that polls on does not spin.
    if (queue.failed) return;
    const withdraw = queue.poll((call) => {
      if (res.destroyed) return false;
      res.writeHead(200, nextHeaders(call));
      res.end(call.body);
      return true;
    });
    if (!withdraw) return reply(res, 429, { errorMessage: `more than ${limits.maxPolls} polls are waiting` });
    res.on('close', () => {
      if (!res.writableFinished) withdraw();
    });
  }

  async function settle(req, res, id, outcome) {
    const call = queue.running(id);
    if (!call) {
      req.resume();
      return reply(res, 400, {
        errorMessage: `request id ${id} is not a call in progress on this instance`,
        errorType: 'InvalidRequestID',
      });
    }
    const body = await readBody(req, limits.maxBodyBytes);
    if (body === undefined) {
      reply(res, 413, { errorMessage: `the ${outcome} is larger than ${limits.maxBodyBytes} bytes` });
      queue.finish(
        call,
        failure(`Function response size exceeds maximum allowed size (${limits.maxBodyBytes} bytes)`),
      );
      return;
    }
    if (call.state !== 'running') return reply(res, 400, { errorMessage: `request id ${id} already ended` });
    const httpParams = req.headers['x-fc-http-params'];
    queue.finish(
      call,
      outcome === 'response'
        ? { ok: true, body, httpParams: typeof httpParams === 'string' ? httpParams : undefined }
        : { ok: false, error: errorObject(body) },
    );
    reply(res, 200);
  }

  async function initError(req, res) {
    const body = await readBody(req, limits.maxBodyBytes);
    reply(res, 200);
    const error =
      body === undefined ? { errorMessage: 'the runtime failed to initialize' } : errorObject(body);
    events.onInitError({ ok: false, error });
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ address: `127.0.0.1:${port}/${secret}`, server });
    });
  });
}

module.exports = { startRuntimeApi };
