import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { enqueueAsync, type Invoker, resolveTarget } from '../../src/invoke/index.js';
import { startAsyncWorker } from '../helpers/async.js';
import { controlHarness, customFunction } from '../helpers/control.js';

test('a queued async call whose function was deleted fails for good, without reaching an instance', async (t) => {
  const { control, store } = controlHarness(t);
  await control.services.create({ serviceName: 'svc' });
  await control.functions.create({ serviceName: 'svc' }, await customFunction('fn'));
  const target = await resolveTarget(store, { serviceRef: 'svc', functionName: 'fn' });
  await enqueueAsync(store.asyncQueue, target, { requestId: 'req-1', payload: Buffer.from('event') });
  await control.functions.delete({ serviceName: 'svc', functionName: 'fn' });

  let invoked = 0;
  // The worker's seam to the invoker: this test is about resolution, so any call to it is a failure.
  const invoker = {
    invoke: async () => {
      invoked++;
      throw new Error('a deleted function must not be invoked');
    },
  } as unknown as Invoker;
  const worker = await startAsyncWorker(t, store, invoker, 3);

  const deadline = Date.now() + 10_000;
  let record = await store.asyncQueue.getAsync('req-1');
  while (record?.status !== 'Failed' && Date.now() < deadline) {
    await sleep(20);
    record = await store.asyncQueue.getAsync('req-1');
  }
  await worker.close();
  assert.equal(record?.status, 'Failed');
  assert.equal(record?.attempts, 1, 'not retried: retrying cannot bring the function back');
  assert.match(record?.error ?? '', /svc\/fn no longer exists: function 'fn' does not exist/);
  assert.equal(invoked, 0);
});
