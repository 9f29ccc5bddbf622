import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deployCustom } from '../helpers/functions.js';
import { startTestServer } from '../helpers/server.js';
import { assertHealthy, HOSTILE_WRITER, MiB } from './hostile-writer.js';

const LIMIT = 6 * MiB;
const TOO_LARGE = new RegExp(`response size exceeds maximum allowed size \\(${LIMIT} bytes\\)`);

test('sync responses are capped at 6 MB: the caller gets an unhandled function error, Kumo reads no further', async (t) => {
  const server = await startTestServer(t);
  await deployCustom(server.fc, 'svc', 'big', HOSTILE_WRITER, { timeout: 60 });
  await deployCustom(server.fc, 'svc', 'other', HOSTILE_WRITER);
  const call = (event: string) =>
    server.client.send('POST', '/services/svc/functions/big/invocations', event);

  await t.test('exactly the limit is answered whole', async () => {
    const response = await call(`exact:${LIMIT}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers['x-fc-error-type'], undefined);
    assert.equal(response.body.length, LIMIT);
  });

  for (const [name, event] of [
    ['a streamed 500 MiB body', 'body:500'],
    ['a 7 MiB body with its Content-Length', 'declared:7'],
    ['a 500 MiB error body', 'errorbody:500'],
  ] as const) {
    await t.test(name, async () => {
      const rssBefore = process.memoryUsage().rss;
      let peak = rssBefore;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 20);
      const response = await call(event).finally(() => clearInterval(sampler));
      assert.equal(response.status, 200, 'a function error is still HTTP 200 on the invoke API');
      assert.equal(response.headers['x-fc-error-type'], 'UnhandledInvocationError');
      assert.match(JSON.parse(response.body.toString()).errorMessage, TOO_LARGE);
      assert.ok(peak - rssBefore < 100 * MiB, `RSS grew by ${((peak - rssBefore) / MiB).toFixed(0)} MiB`);
      await assertHealthy(server, 'other');
      // The instance that answered too much is kept: only the connection was dropped. It still answers.
      const next = await call('ping');
      assert.equal(next.body.toString(), 'done ping');
      assert.equal(next.headers['x-fc-instance-id'], response.headers['x-fc-instance-id']);
    });
  }
});

test('an HTTP function error answer of 500 MiB is read up to 6 MB only: the client gets 502', async (t) => {
  const server = await startTestServer(t);
  await deployCustom(server.fc, 'svc', 'web', HOSTILE_WRITER, { timeout: 60 });
  await deployCustom(server.fc, 'svc', 'other', HOSTILE_WRITER);
  await server.fc.post('/services/svc/functions/web/triggers', {
    triggerName: 'http',
    triggerType: 'http',
    triggerConfig: JSON.stringify({ AuthType: 'ANONYMOUS', Methods: ['POST'] }),
  });
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const response = await fetch(`${server.server.url}/2016-08-15/proxy/svc/web/`, {
    method: 'POST',
    body: 'errorbody:500',
  }).finally(() => clearInterval(sampler));
  assert.equal(response.status, 502);
  assert.match(((await response.json()) as { errorMessage: string }).errorMessage, /exceeds 6291456 bytes/);
  assert.ok(peak - rssBefore < 100 * MiB, `RSS grew by ${((peak - rssBefore) / MiB).toFixed(0)} MiB`);
  await assertHealthy(server, 'other');
});

test("an initializer's answer is capped too: the call fails as an unhandled error, the server is fine", async (t) => {
  const server = await startTestServer(t);
  await deployCustom(server.fc, 'svc', 'init', HOSTILE_WRITER, {
    initializer: 'index.init',
    initializationTimeout: 60,
    environmentVariables: { INIT_BODY_MIB: '500' },
  });
  await deployCustom(server.fc, 'svc', 'other', HOSTILE_WRITER);
  const response = await server.client.send('POST', '/services/svc/functions/init/invocations', 'ping');
  assert.equal(response.headers['x-fc-error-type'], 'UnhandledInvocationError');
  assert.match(
    JSON.parse(response.body.toString()).errorMessage,
    /^Function initialization response size exceeds maximum allowed size \(6291456 bytes\)/,
  );
  await assertHealthy(server, 'other');
});
