import assert from 'node:assert/strict';
import { test } from 'node:test';
import type FC from '@alicloud/fc2';
import { deployCustom, functionLogs, invoke, NODE_RUNTIME } from '../helpers/functions.js';
import { until } from '../helpers/poll.js';
import { startTestServer } from '../helpers/server.js';

const codeOf = async (call: Promise<unknown>) =>
  call.then(
    () => 'no error',
    (e: { code?: string }) => e.code,
  );

type Settled = { ok: true; instanceId: string } | { ok: false; code: string; status: number };

async function settle(fc: FC, event: string): Promise<Settled> {
  try {
    const result = await invoke(fc, 'od', 'slow', event);
    return { ok: true, instanceId: result.headers['x-fc-instance-id'] ?? '' };
  } catch (error) {
    // fc2 puts the HTTP status in the message: "POST … failed with 429. requestid: …".
    const e = error as { code: string; message: string };
    return { ok: false, code: e.code, status: Number(/failed with (\d+)/.exec(e.message)?.[1]) };
  }
}

test('on-demand config: put, get, list, delete as FC; a version is refused', async (t) => {
  const { fc } = await startTestServer(t);
  await deployCustom(fc, 'od', 'slow', NODE_RUNTIME);
  await fc.publishVersion('od', 'v1');
  assert.equal(await codeOf(fc.getOnDemandConfig('od', 'slow', 'LATEST')), 'OnDemandConfigNotFound');
  const put = await fc.putOnDemandConfig('od', 'slow', 'LATEST', { maximumInstanceCount: 3 });
  assert.deepEqual(put.data, { resource: 'services/od.LATEST/functions/slow', maximumInstanceCount: 3 });
  assert.deepEqual((await fc.getOnDemandConfig('od', 'slow', 'LATEST')).data, put.data);
  assert.deepEqual((await fc.listOnDemandConfigs()).data.configs, [put.data]);
  assert.equal(
    await codeOf(fc.putOnDemandConfig('od', 'slow', '1', { maximumInstanceCount: 1 })),
    'InvalidArgument',
  );
  assert.equal(
    await codeOf(fc.putOnDemandConfig('od', 'slow', 'LATEST', { maximumInstanceCount: -1 })),
    'InvalidArgument',
  );
  assert.equal(
    await codeOf(fc.putOnDemandConfig('od', 'nope', 'LATEST', { maximumInstanceCount: 1 })),
    'FunctionNotFound',
  );
  await fc.deleteOnDemandConfig('od', 'slow', 'LATEST');
  assert.equal(await codeOf(fc.deleteOnDemandConfig('od', 'slow', 'LATEST')), 'OnDemandConfigNotFound');
});

test('maximumInstanceCount 1: five concurrent calls queue on one instance and all succeed', async (t) => {
  const { fc, server } = await startTestServer(t);
  await deployCustom(fc, 'od', 'slow', NODE_RUNTIME);
  await fc.putOnDemandConfig('od', 'slow', 'LATEST', { maximumInstanceCount: 1 });
  const results = await Promise.all(Array.from({ length: 5 }, () => settle(fc, 'sleep:300')));
  assert.ok(
    results.every((r) => r.ok),
    JSON.stringify(results),
  );
  assert.equal(new Set(results.map((r) => r.ok && r.instanceId)).size, 1, 'one instance served them all');
  assert.equal(server.instanceCount(), 1);
});

test('beyond the cap and a full queue, calls get 429 ResourceThrottled; async calls are retried, never lost', async (t) => {
  const { fc, client } = await startTestServer(t, {
    maxQueuedCalls: 2,
    // No retries at all: a throttled async call is retried without counting as an attempt, as on FC.
    asyncMaxRetries: 0,
    asyncRetryBaseMs: 100,
  });
  await deployCustom(fc, 'od', 'slow', NODE_RUNTIME);
  await fc.putOnDemandConfig('od', 'slow', 'LATEST', { maximumInstanceCount: 1 });
  // One call runs, two wait in the queue, two are refused at once.
  const results = await Promise.all(Array.from({ length: 5 }, () => settle(fc, 'sleep:2000')));
  const refused = results.filter((r) => !r.ok);
  assert.equal(results.filter((r) => r.ok).length, 3, JSON.stringify(results));
  assert.deepEqual(
    refused.map((r) => !r.ok && [r.code, r.status]),
    [
      ['ResourceThrottled', 429],
      ['ResourceThrottled', 429],
    ],
  );

  const events = Array.from({ length: 5 }, (_, i) => `print:async-${i}`);
  const busy = settle(fc, 'sleep:1500');
  for (const event of events) {
    await fc.invokeFunction('od', 'slow', event, { 'x-fc-invocation-type': 'Async' });
  }
  await busy;
  await until(
    async () => {
      const lines = await functionLogs(client, 'od', 'slow', { text: 'async-' });
      return events.every((e) => lines.some((line) => line.includes(`event ${e}`)));
    },
    { what: 'every async call ran', timeoutMs: 60_000 },
  );
});
