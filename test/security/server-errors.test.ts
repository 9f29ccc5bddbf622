import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { startTestServer } from '../helpers/server.js';
import { parseResponse, type RawResponse, ROOT_KEY, rawRequest, signedHeaders } from './helpers.js';

const V = '/2016-08-15';

/** Writes `bytes` as they are (malformed HTTP included) and reads until the server closes. */
function rawBytes(port: number, bytes: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(parseResponse(Buffer.concat(chunks).toString('latin1'))));
    socket.write(bytes);
  });
}

function assertFcError(response: RawResponse, status: number, code: string, what: string): void {
  assert.equal(response.status, status, `${what}: ${response.body}`);
  assert.equal(response.errorCode, code, `${what}: ${response.body}`);
  assert.match(response.headers['content-type'] ?? '', /^application\/json/, what);
  const body = JSON.parse(response.body) as Record<string, string>;
  assert.equal(typeof body.ErrorMessage, 'string', what);
  assert.ok(response.headers['x-fc-request-id'], `${what}: x-fc-request-id`);
}

test('errors the server itself produces are FC error JSON with the right status', async (t) => {
  const { server } = await startTestServer(t, { httpHeadersTimeoutMs: 1000, httpRequestTimeoutMs: 2000 });
  const { port } = server;
  const get = (target: string, headers: Record<string, string> = {}) =>
    rawRequest(port, { method: 'GET', target, headers });

  // A path parameter longer than the router accepts (was Fastify's 414 JSON).
  const long = `${V}/services/${'a'.repeat(2000)}`;
  assertFcError(await get(long, signedHeaders(ROOT_KEY, 'GET', long)), 414, 'URITooLong', '414');
  // Percent-encoding the router cannot decode (was FST_ERR_BAD_URL).
  assertFcError(await get(`${V}/services/%E0%A4%A`), 400, 'InvalidArgument', 'bad url');
  assertFcError(await get(`${V}/services/%C0%AE`), 400, 'InvalidArgument', 'overlong utf-8');
  // Headers larger than Node accepts (was Fastify's 431 JSON).
  assertFcError(
    await get(`${V}/services`, { 'x-big': 'b'.repeat(20_000) }),
    431,
    'RequestHeaderFieldsTooLarge',
    '431',
  );
  // Malformed HTTP.
  assertFcError(await rawBytes(port, 'NOT HTTP AT ALL\r\n\r\n'), 400, 'InvalidArgument', 'garbage');
  assertFcError(
    await rawBytes(
      port,
      `GET ${V}/services HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n`,
    ),
    400,
    'InvalidArgument',
    'duplicate content-length',
  );
  // Headers that never complete (a slow client) and a body that never completes.
  assertFcError(
    await rawBytes(port, `GET ${V}/services HTTP/1.1\r\nHost: x\r\n`),
    408,
    'RequestTimeout',
    'headers',
  );
  const slowBody = signedHeaders(ROOT_KEY, 'POST', `${V}/services`);
  assertFcError(
    await rawBytes(
      port,
      `POST ${V}/services HTTP/1.1\r\n${Object.entries({ ...slowBody, host: 'x', 'content-length': '100' })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('')}\r\n{"serviceName":`,
    ),
    408,
    'RequestTimeout',
    'body',
  );
  // No route; a body over the management limit; unsigned.
  const missing = `${V}/nothing-here`;
  assertFcError(await get(missing, signedHeaders(ROOT_KEY, 'GET', missing)), 400, 'PathNotSupported', '404');
  const big = JSON.stringify({ serviceName: 'big', description: 'x'.repeat(300_000) });
  const tooBig = await rawRequest(port, {
    method: 'POST',
    target: `${V}/services`,
    headers: signedHeaders(ROOT_KEY, 'POST', `${V}/services`, { body: big }),
    body: big,
  });
  assertFcError(tooBig, 400, 'EntityTooLarge', 'body limit');
  assertFcError(await get(`${V}/services`), 400, 'MissingRequiredHeader', 'unsigned');

  // The server is still serving.
  const health = await get('/healthz');
  assert.equal(health.status, 200);
});
