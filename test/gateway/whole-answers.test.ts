import assert from 'node:assert/strict';
import { test } from 'node:test';
import { request } from 'undici';
import { deployCustom } from '../helpers/functions.js';
import { startTestServer } from '../helpers/server.js';

// Answers of every shape the gateway may read whole (small, length declared) or pipe (large, chunked, untyped).
const BOOTSTRAP = `#!/usr/bin/env node
const http = require('node:http');
http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const size = Number(url.searchParams.get('size') || 10);
  const body = Buffer.alloc(size, 'a');
  if (url.pathname === '/untyped') {
    res.writeHead(200, { 'Content-Length': String(size), 'X-Order-B': '2', 'x-order-a': '1' });
    return res.end(body);
  }
  if (url.pathname === '/short') {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
    res.write('only ten b');
    return setTimeout(() => res.socket.destroy(), 50);
  }
  if (url.pathname === '/chunked') {
    res.writeHead(201, { 'content-type': 'text/plain' });
    res.write(body.subarray(0, 3));
    return res.end(body.subarray(3));
  }
  res.setHeader('set-cookie', ['a=1', 'b=2']);
  res.writeHead(Number(url.searchParams.get('status') || 200), {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(size),
    'X-Order-B': '2',
    'x-order-a': '1',
  });
  res.end(body);
}).listen(Number(process.env.FC_SERVER_PORT || 9000), '0.0.0.0');
`;

/** Headers of an answer without those that vary per call. */
function stable(headers: Record<string, string | string[] | undefined>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'date' || name === 'content-length' || name.startsWith('x-fc-')) continue;
    kept[name] = value;
  }
  return kept;
}

test('HTTP trigger: a small answer read whole comes back as a large piped one does', async (t) => {
  const { fc, server } = await startTestServer(t, { sandbox: 'process' });
  await deployCustom(fc, 'whole', 'app', { bootstrap: BOOTSTRAP, 'package.json': '{"type":"commonjs"}' });
  await fc.post('/services/whole/functions/app/triggers', {
    triggerName: 'http',
    triggerType: 'http',
    triggerConfig: JSON.stringify({ AuthType: 'ANONYMOUS', Methods: ['GET', 'HEAD'] }),
  });
  const base = `${server.url}/2016-08-15/proxy/whole/app`;
  const get = async (path: string, method: 'GET' | 'HEAD' = 'GET') => {
    const answer = await request(`${base}${path}`, { method });
    const body = Buffer.from(await answer.body.arrayBuffer());
    return { status: answer.statusCode, headers: answer.headers, body };
  };

  const small = await get('/typed?size=10');
  const large = await get('/typed?size=200000');
  assert.equal(small.status, 200);
  assert.deepEqual(small.body, Buffer.alloc(10, 'a'));
  assert.equal(small.headers['content-length'], '10');
  assert.deepEqual(large.body, Buffer.alloc(200_000, 'a'));
  assert.deepEqual(stable(small.headers), stable(large.headers), 'same headers, same order');
  assert.deepEqual(Object.keys(stable(small.headers)), [
    'set-cookie',
    'content-type',
    'x-order-b',
    'x-order-a',
    'connection',
    'keep-alive',
  ]);
  for (const name of [
    'x-fc-request-id',
    'x-fc-invocation-duration',
    'x-fc-max-memory-usage',
    'x-fc-instance-id',
  ])
    assert.ok(small.headers[name] !== undefined, name);

  const status = await get('/typed?size=5&status=418');
  assert.equal(status.status, 418);
  assert.deepEqual(status.body, Buffer.alloc(5, 'a'));

  // No content type: none is added (a Buffer reply would get application/octet-stream).
  const untyped = await get('/untyped?size=10');
  assert.equal(untyped.headers['content-type'], undefined);
  assert.deepEqual(untyped.body, Buffer.alloc(10, 'a'));

  const chunked = await get('/chunked?size=10');
  assert.equal(chunked.status, 201);
  assert.deepEqual(chunked.body, Buffer.alloc(10, 'a'));

  const head = await get('/typed?size=10', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '10');
  assert.equal(head.body.length, 0);

  // A function that declares more than it sends is a failed call, not a truncated 200.
  const short = await get('/short');
  assert.equal(short.status, 502);
});
