import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { deployCustom, invoke, NODE_RUNTIME } from '../helpers/functions.js';
import { startTestServer } from '../helpers/server.js';
import { parseResponse, rawRequest } from './helpers.js';

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

test('connections are capped per client address and in total', async (t) => {
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

  const others = await Promise.all(Array.from({ length: 20 }, (_, i) => open(port, `127.0.1.${i + 1}`)));
  // 10 held by the hog + 20 = 30 > 25: 5 refused (6 if the healthz connection is not yet released).
  await until(
    'the connections over the total cap are refused',
    () => others.filter((p) => p.closed).length >= 5,
  );
  assert.ok(others.filter((p) => p.closed).length <= 6);
  for (const p of others.filter((o) => o.closed))
    assert.equal(parseResponse(p.received).errorCode, 'TooManyConnections');
  for (const p of [...hog, ...others]) p.socket.destroy();
  await until('healthz answers once they are gone', () => healthy(port));
});

test('a long call is not cut by the header and idle timeouts', async (t) => {
  const { fc } = await startTestServer(t, {
    httpHeadersTimeoutMs: 500,
    httpRequestTimeoutMs: 1000,
    httpIdleTimeoutMs: 500,
  });
  await deployCustom(fc, 'svc', 'slow', NODE_RUNTIME);
  const result = await invoke(fc, 'svc', 'slow', 'sleep:2500');
  assert.equal(result.body, 'slept 2500');
});
