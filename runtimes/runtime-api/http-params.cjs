'use strict';
// FC's `X-Fc-Http-Params` (FC_RUNTIME.md §2.1): an HTTP call's request line and headers travel to the program as
// base64(JSON {path, method, requestURI, clientIP, host, headersMap, queriesMap}) beside the raw body, and the
// program's status and headers come back the same way, base64(JSON {status, headersMap}).

const http = require('node:http');

/** Go's canonical header form (`content-type` → `Content-Type`), which the Go SDK's `http.Header` expects. */
function canonicalName(name) {
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) return name;
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash, letter) => dash + letter.toUpperCase());
}

function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The request half, from Kumo's HTTP call: the client's headers without Kumo's own `X-Fc-*`. */
function encodeRequest(req) {
  const url = req.url || '/';
  const q = url.indexOf('?');
  // Without a prototype: a header or query named `__proto__` is a key like any other.
  const headersMap = Object.create(null);
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (name.startsWith('x-fc-') || values === undefined) continue;
    headersMap[canonicalName(name)] = values;
  }
  const queriesMap = Object.create(null);
  for (const [key, value] of new URLSearchParams(q === -1 ? '' : url.slice(q + 1))) {
    if (!queriesMap[key]) queriesMap[key] = [];
    queriesMap[key].push(value);
  }
  const clientIP = firstHeader(req, 'x-fc-client-ip') || req.socket.remoteAddress || '';
  const params = {
    path: safeDecode(q === -1 ? url : url.slice(0, q)),
    method: req.method,
    requestURI: url,
    clientIP: clientIP.startsWith('::ffff:') ? clientIP.slice(7) : clientIP,
    host: firstHeader(req, 'host'),
    headersMap,
    queriesMap,
  };
  return Buffer.from(JSON.stringify(params)).toString('base64');
}

function firstHeader(req, name) {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) || '';
}

/** Response headers the bridge sets itself (the body is whole) or that belong to one connection. */
const OWN_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

/**
 * The response half, from the program's `X-Fc-Http-Params`: `{ status, headers: [[name, values]] }`, or throws
 * an Error saying what is wrong with it. A status the handler never wrote (0) is 200, as Go's net/http does.
 */
function decodeResponse(encoded) {
  if (!encoded) return { status: 200, headers: [] };
  let params;
  try {
    params = JSON.parse(Buffer.from(encoded, 'base64').toString());
  } catch {
    throw new Error('the response header X-Fc-Http-Params is not base64 JSON');
  }
  if (typeof params !== 'object' || params === null) throw new Error('X-Fc-Http-Params is not an object');
  const status = params.status === undefined || params.status === 0 ? 200 : params.status;
  // A final status only: a 1xx would leave Kumo's connection waiting for another head.
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    throw new Error(`the function answered an invalid HTTP status: ${JSON.stringify(params.status)}`);
  }
  const map = params.headersMap ?? params.headers ?? {};
  if (typeof map !== 'object' || map === null) throw new Error('X-Fc-Http-Params headers are not an object');
  const headers = [];
  for (const [name, value] of Object.entries(map)) {
    const values = (Array.isArray(value) ? value : [value]).map(String);
    if (OWN_HEADERS.has(name.toLowerCase())) continue;
    http.validateHeaderName(name); // throws a TypeError naming the header
    for (const item of values) http.validateHeaderValue(name, item);
    headers.push([name, values]);
  }
  return { status, headers };
}

module.exports = { canonicalName, encodeRequest, decodeResponse };
