import assert from 'node:assert/strict';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { Pool } from 'undici';
import { canonicalHeadConnector, canonicalName } from '../../src/scheduler/canonical-head.js';

test("canonicalName is Go's CanonicalMIMEHeaderKey", () => {
  assert.equal(canonicalName('content-length'), 'Content-Length');
  assert.equal(canonicalName('x-fc-request-id'), 'X-Fc-Request-Id');
  assert.equal(canonicalName('X-CA-KEY'), 'X-Ca-Key');
  assert.equal(canonicalName('etag'), 'Etag');
  assert.equal(canonicalName('bad name'), 'bad name', 'not a token: left alone');
});

// A raw server records each request head and body, while the pool sends two requests on one connection.
test('the connector writes the names undici adds in canonical case and leaves the rest of the request alone', async (t) => {
  const heads: string[] = [];
  const bodies: string[] = [];
  const server = createServer((socket: Socket) => {
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.slice(0, end);
        const length = Number(/\r\nContent-Length: (\d+)/.exec(head)?.[1] ?? -1);
        const chunked = head.includes('\r\nTransfer-Encoding: chunked');
        const rest = buffered.slice(end + 4);
        let body: string;
        if (length >= 0) {
          if (rest.length < length) return;
          body = rest.slice(0, length);
          buffered = rest.slice(length);
        } else if (chunked) {
          const last = rest.indexOf('\r\n0\r\n\r\n');
          if (last < 0) return;
          body = rest.slice(0, last);
          buffered = rest.slice(last + 7);
        } else return assert.fail(`no body framing in ${head}`);
        heads.push(head);
        bodies.push(body);
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, {
    connections: 1,
    connect: canonicalHeadConnector,
  });
  t.after(async () => {
    await pool.close();
    server.close();
  });
  // A body that looks like a request head must go out as it is.
  const lookalike = 'GET / HTTP/1.1\r\nhost: x\r\ncontent-length: 1\r\n\r\n';
  const first = await pool.request({
    method: 'POST',
    path: '/invoke',
    headers: { 'X-Fc-Request-Id': 'r1', 'x-kept-as-given': '1' },
    body: Buffer.from(lookalike),
  });
  await first.body.dump();
  const second = await pool.request({
    method: 'POST',
    path: '/http-invoke',
    headers: {},
    body: Readable.from([Buffer.from('streamed')]),
  });
  await second.body.dump();

  assert.match(heads[0] ?? '', /^POST \/invoke HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\nX-Fc-Request-Id/);
  // Go's client (FC's front end) announces no keep-alive: HTTP/1.1 is persistent anyway.
  assert.doesNotMatch(heads.join('\n'), /connection:/i);
  assert.match(heads[0] ?? '', /\r\nX-Fc-Request-Id: r1\r\nx-kept-as-given: 1\r\n/);
  assert.match(heads[0] ?? '', new RegExp(`\\r\\nContent-Length: ${lookalike.length}$`));
  assert.equal(bodies[0], lookalike);
  assert.match(heads[1] ?? '', /\r\nTransfer-Encoding: chunked$/);
  assert.match(bodies[1] ?? '', /streamed/);
});
