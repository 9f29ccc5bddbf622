'use strict';
// FC HTTP-function objects. The request is an http.IncomingMessage carrying FC's fields and the whole body
// as `request.body` (a Buffer), and still a readable stream of that body; the response checks its input as
// FC's agent does (a number status, string headers, a Buffer / string / stream body) and throws otherwise.

const http = require('http');
const querystring = require('querystring');
const stream = require('stream');
const URLSearchParams = require('url').URLSearchParams;

function safeDecode(value) {
  try {
    return decodeURIComponent(value);
  } catch (_err) {
    return value;
  }
}

// URLSearchParams exists from Node.js 6.13 (querystring's parse, the same shape, before that).
function parseQueries(search) {
  if (typeof URLSearchParams !== 'function') return Object.assign({}, querystring.parse(search));
  const queries = {};
  new URLSearchParams(search).forEach((value, key) => {
    const prev = queries[key];
    if (prev === undefined) queries[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else queries[key] = [prev, value];
  });
  return queries;
}

function clientAddress(req) {
  const ip = req.headers['x-fc-client-ip'];
  if (typeof ip === 'string' && ip) return ip;
  const remote = (req.socket && req.socket.remoteAddress) || '';
  return remote.startsWith('::ffff:') ? remote.slice(7) : remote;
}

// The user's request: a new IncomingMessage that replays `body`, with FC's fields (X-Fc-* headers removed).
function createRequest(req, body) {
  const headers = {};
  for (const name of Object.keys(req.headers)) {
    if (!name.startsWith('x-fc-')) headers[name] = req.headers[name];
  }
  const rawHeaders = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (!req.rawHeaders[i].toLowerCase().startsWith('x-fc-')) {
      rawHeaders.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
    }
  }
  const url = req.url || '/';
  const q = url.indexOf('?');
  const clientIP = clientAddress(req);
  const request = new http.IncomingMessage(req.socket);
  request._read = () => {}; // the body is pushed below: never read the socket again
  Object.assign(request, {
    method: req.method,
    url,
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
    headers,
    rawHeaders,
    path: safeDecode(q === -1 ? url : url.slice(0, q)),
    queries: parseQueries(q === -1 ? '' : url.slice(q + 1)),
    clientIP,
    ip: clientIP,
    body,
    getHeader: (name) => headers[String(name).toLowerCase()],
    // Whole: Node.js ≥ 16 would otherwise take the end of this stream for an aborted request and close the socket.
    complete: true,
  });
  if (body.length > 0) request.push(body);
  request.push(null);
  return request;
}

// http.validateHeaderName/Value exist from Node.js 14.3; the same rules (RFC 7230 token, no control bytes).
const TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

function checkHeader(name, value) {
  if (typeof name !== 'string' || !TOKEN.test(name)) throw new TypeError(`Invalid header name: ${name}`);
  const values = Array.isArray(value) ? value : [value];
  for (const item of values) {
    if (typeof item !== 'string') {
      throw new TypeError(`The value of header '${name}' must be a string or an array of strings`);
    }
    if (INVALID_VALUE.test(item)) throw new TypeError(`Invalid character in header '${name}'`);
  }
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
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 100 || code > 999) {
      throw new TypeError(
        `The status code must be an integer number from 100 to 999, got ${typeof code} ${code}`
      );
    }
    this._status = code;
  }

  setHeader(name, value) {
    this._checkOpen('set header');
    checkHeader(name, value);
    this._headers.set(name.toLowerCase(), [name, value]);
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
    const isStream = body instanceof stream.Readable;
    const isBytes = Buffer.isBuffer(body) || body instanceof Uint8Array;
    if (!isStream && !isBytes && typeof body !== 'string' && body !== undefined && body !== null) {
      throw new TypeError('The body must be a Buffer, a string or a stream.Readable');
    }
    this._sent = true;
    this._onSent();
    const res = this._res;
    res.statusCode = this._status;
    for (const entry of this._headers.values()) res.setHeader(entry[0], entry[1]);
    if (isStream) {
      res.flushHeaders();
      body.on('error', (err) => {
        console.error('response stream error:', err);
        res.destroy(err);
      });
      body.pipe(res);
      return;
    }
    res.end(body === undefined || body === null ? Buffer.alloc(0) : body);
  }
}

module.exports = { createRequest, FCResponse };
