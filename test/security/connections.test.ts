import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { deployCustom, NODE_RUNTIME } from '../helpers/functions.js';
import { startTestServer } from '../helpers/server.js';
import { parseResponse, ROOT_KEY, rawRequest, signedHeaders } from './helpers.js';

interface Probe {
  socket: Socket;
  closed: boolean;
  received: string;
}

/** Opens a socket from `localAddress` (any 127.x address is this host: one "client" per address). */
function open(port: number, localAddress: string, send?: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const probe: Probe = {
      socket: connect({ port, host: '127.0.0.1', localAddress }),
      closed: false,
      received: '',
    };
    probe.socket.on('data', (chunk) => {
      probe.received += chunk.toString('latin1');
    });
    probe.socket.on('error', () => {});
    probe.socket.on('close', () => {
      probe.closed = true;
    });
    probe.socket.once('connect', () => {
      if (send) probe.socket.write(send);
      resolve(probe);
    });
    probe.socket.once('error', reject);
  });
}

async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const healthy = async (port: number) =>
  (await rawRequest(port, { method: 'GET', target: '/healthz' })).status === 200;

test('slowloris, idle and kept-alive sockets are closed; the server stays healthy', async (t) => {
  const { server } = await startTestServer(t, {
    httpHeadersTimeoutMs: 1000,
    httpRequestTimeoutMs: 2000,
    httpIdleTimeoutMs: 1000,
  });
  const { port } = server;
  const idle = await Promise.all(Array.from({ length: 40 }, () => open(port, '127.0.0.2')));
  const partial = await Promise.all(
    Array.from({ length: 40 }, () => open(port, '127.0.0.3', 'GET /healthz HTTP/1.1\r\nHost: x\r\n')),
  );
  // Slowloris proper: one more header byte every 200 ms, never finishing the headers.
  const dripping = await Promise.all(
    Array.from({ length: 20 }, () => open(port, '127.0.0.4', 'GET / HTTP/1.1\r\n')),
  );
  const drip = setInterval(() => {
    for (const p of dripping) if (!p.closed) p.socket.write('X');
  }, 200);
  t.after(() => clearInterval(drip));
  // A slow body: headers complete, body never does.
  const slowBody = await Promise.all(
    Array.from({ length: 10 }, () =>
      open(port, '127.0.0.5', 'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{'),
    ),
  );
  // A client that made one request and keeps the connection open.
  const keptAlive = await open(port, '127.0.0.6', 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  await until('the kept-alive request is answered', () => keptAlive.received.includes('"ok"'));

  assert.ok(await healthy(port), 'healthz answers while the sockets are open');
  const all = [...idle, ...partial, ...dripping, ...slowBody, keptAlive];
  await until('every slow or idle socket is closed by the server', () => all.every((p) => p.closed));
  for (const p of [...partial, ...dripping, ...slowBody]) {
    const answer = parseResponse(p.received);
    assert.equal(answer.status, 408, p.received);
    assert.equal(answer.errorCode, 'RequestTimeout');
  }
  assert.ok(await healthy(port), 'healthz answers after');
});

test('connections are capped per client address; at the total cap idle ones make room', async (t) => {
  const { server } = await startTestServer(t, { httpMaxConnectionsPerClient: 10, httpMaxConnections: 25 });
  const { port } = server;
  const hog = await Promise.all(Array.from({ length: 14 }, () => open(port, '127.0.0.7')));
  await until(
    'the connections over the per-client cap are refused',
    () => hog.filter((p) => p.closed).length === 4,
  );
  for (const p of hog.filter((h) => h.closed)) {
    const answer = parseResponse(p.received);
    assert.equal(answer.status, 429);
    assert.equal(answer.errorCode, 'TooManyConnections');
  }
  assert.ok(await healthy(port), 'another client is still served');

  // 10 idle hog sockets + 20 new clients > 25: the oldest idle sockets (the hog's) are closed for the new ones.
  const others: Probe[] = [];
  for (let i = 0; i < 20; i++) others.push(await open(port, `127.0.1.${i + 1}`));
  await until(
    'the oldest idle sockets are closed to make room',
    () => hog.filter((p) => p.closed).length >= 9,
  );
  assert.ok(await healthy(port), 'healthz answers at the total cap');
  assert.ok(others.filter((p) => p.closed).length <= 1, 'the newer sockets were kept');
  for (const p of [...hog, ...others]) p.socket.destroy();
});

test('a long call is not cut by the timeouts, nor by the total cap; a newcomer is refused when all are busy', async (t) => {
  const { fc, server } = await startTestServer(t, {
    httpHeadersTimeoutMs: 500,
    httpRequestTimeoutMs: 1000,
    httpIdleTimeoutMs: 500,
    httpMaxConnections: 2,
  });
  await deployCustom(fc, 'svc', 'slow', NODE_RUNTIME, { instanceConcurrency: 4 });
  const target = '/2016-08-15/services/svc/functions/slow/invocations';
  const call = () =>
    rawRequest(server.port, {
      method: 'POST',
      target,
      headers: signedHeaders(ROOT_KEY, 'POST', target, { body: 'sleep:2500' }),
      body: 'sleep:2500',
    });
  const calls = [call(), call()];
  await until('both calls are in flight', () => server.instanceCount() >= 1);
  // Both connections are busy: nothing to evict.
  const refused = await rawRequest(server.port, { method: 'GET', target: '/healthz' });
  assert.equal(refused.errorCode, 'TooManyConnections');
  for (const result of await Promise.all(calls)) {
    assert.equal(result.status, 200, result.body);
    assert.equal(result.body, 'slept 2500');
  }
  await until('healthz answers once the calls are done', () => healthy(server.port));
});

test('connection settings come from KUMO_* variables, validated at start', () => {
  const config = loadConfig({
    KUMO_HTTP_HEADERS_TIMEOUT_MS: '5000',
    KUMO_HTTP_MAX_CONNECTIONS_PER_CLIENT: '7',
  });
  assert.equal(config.httpHeadersTimeoutMs, 5000);
  assert.equal(config.httpMaxConnectionsPerClient, 7);
  assert.equal(config.httpMaxConnections, 2048, 'default');
  assert.throws(() => loadConfig({ KUMO_HTTP_MAX_CONNECTIONS: '0' }), /KUMO_HTTP_MAX_CONNECTIONS/);
  assert.throws(
    () => loadConfig({ KUMO_HTTP_HEADERS_TIMEOUT_MS: '9000', KUMO_HTTP_REQUEST_TIMEOUT_MS: '1000' }),
    /KUMO_HTTP_HEADERS_TIMEOUT_MS/,
  );
});
