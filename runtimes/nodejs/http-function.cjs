'use strict';
// FC HTTP-function objects: the request is Node's own IncomingMessage (a readable stream, body not
// pre-read) decorated with FC's fields; the response wraps Node's ServerResponse.

const http = require('node:http');
const stream = require('node:stream');

function safeDecode(value) {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function parseQueries(search) {
  const queries = {};
  for (const [key, value] of new URLSearchParams(search)) {
    const prev = queries[key];
    if (prev === undefined) queries[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else queries[key] = [prev, value];
  }
  return queries;
}

function clientAddress(req) {
  const ip = req.headers['x-fc-client-ip'];
  if (typeof ip === 'string' && ip) return ip;
  const remote = req.socket?.remoteAddress || '';
  return remote.startsWith('::ffff:') ? remote.slice(7) : remote;
}

// Mutates and returns req. Must run before anything else reads req.headers.
function decorateRequest(req) {
  const clientIP = clientAddress(req);
  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!name.startsWith('x-fc-')) headers[name] = value;
  }
  const rawHeaders = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (!req.rawHeaders[i].toLowerCase().startsWith('x-fc-')) {
      rawHeaders.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
    }
  }
  const url = req.url || '/';
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  const search = q === -1 ? '' : url.slice(q + 1);

  req.headers = headers;
  req.rawHeaders = rawHeaders;
  req.path = safeDecode(pathname);
  req.queries = parseQueries(search);
  req.clientIP = clientIP;
  req.ip = clientIP;
  req.getHeader = (name) => headers[String(name).toLowerCase()];
  return req;
}

class FCResponse {
  constructor(res, onSent) {
    this._res = res;
    this._onSent = onSent;
    this._status = 200;
    this._headers = new Map(); // lower-case name -> [name, value]
    this._sent = false;
  }

  _checkOpen(what) {
    if (this._sent) throw new Error(`Cannot ${what} after response.send()`);
  }

  setStatusCode(code) {
    this._checkOpen('set status code');
    const n = Number(code);
    if (!Number.isInteger(n) || n < 100 || n > 999) throw new TypeError(`Invalid status code: ${code}`);
    this._status = n;
  }

  setHeader(name, value) {
    this._checkOpen('set header');
    http.validateHeaderName(name);
    const v = Array.isArray(value) ? value.map(String) : String(value);
    for (const item of Array.isArray(v) ? v : [v]) http.validateHeaderValue(name, item);
    this._headers.set(String(name).toLowerCase(), [String(name), v]);
  }

  deleteHeader(name) {
    this._checkOpen('delete header');
    this._headers.delete(String(name).toLowerCase());
  }

  hasHeader(name) {
    return this._headers.has(String(name).toLowerCase());
  }

  getHeader(name) {
    const entry = this._headers.get(String(name).toLowerCase());
    return entry ? entry[1] : undefined;
  }

  send(body) {
    this._checkOpen('send');
    this._sent = true;
    this._onSent();
    const res = this._res;
    res.statusCode = this._status;
    for (const [name, value] of this._headers.values()) res.setHeader(name, value);
    if (body instanceof stream.Readable || (body && typeof body.pipe === 'function')) {
      res.flushHeaders();
      body.on('error', (err) => {
        console.error('response stream error:', err);
        res.destroy(err);
      });
      body.pipe(res);
      return;
    }
    let data;
    if (body === undefined || body === null) data = Buffer.alloc(0);
    else if (Buffer.isBuffer(body) || body instanceof Uint8Array) data = body;
    else data = Buffer.from(String(body));
    res.end(data);
  }
}

module.exports = { decorateRequest, FCResponse };
