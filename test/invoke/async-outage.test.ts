import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { AsyncWorker, enqueueAsync, type Invoker, resolveTarget } from '../../src/invoke/index.js';
import type { AsyncQueueStore } from '../../src/store/index.js';
import { controlHarness, customFunction } from '../helpers/control.js';
import { until } from '../helpers/poll.js';

test('the async worker rides out a store outage: no crash, said once, the queued call runs when the store is back', async (t) => {
  const { control, store } = controlHarness(t);
  await control.services.create({ serviceName: 'svc' });
  await control.functions.create({ serviceName: 'svc' }, await customFunction('fn'));
  const target = await resolveTarget(store, { serviceRef: 'svc', functionName: 'fn' });
  await enqueueAsync(store.asyncQueue, target, { requestId: 'req-1', payload: Buffer.from('event') });

  // The queue as a database that went away (the error a dropped PostgreSQL database gives), back after 5 polls.
  let failures = 0;
  const queue: AsyncQueueStore = Object.create(store.asyncQueue);
  queue.claimDue = async (now: number) => {
    if (failures < 5) {
      failures++;
      throw new Error('database "kumo" does not exist');
    }
    return store.asyncQueue.claimDue(now);
  };
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const calls: string[] = [];
  const invoker = {
    invoke: async (request: { requestId: string }) => {
      calls.push(request.requestId);
      return { status: 200, headers: {}, body: Buffer.from('ok') };
    },
  } as unknown as Invoker; // the worker's seam to the invoker
  const options = {
    concurrency: 1,
    maxRetries: 0,
    baseDelayMs: 10,
    pollMs: 10,
    home: { region: 'local', accountId: '1' },
  };
  const worker = new AsyncWorker(queue, store.asyncConfigs, store, invoker, logger, options);
  t.after(() => worker.close());
  await worker.start();

  await until(async () => (await store.asyncQueue.getAsync('req-1'))?.status === 'Succeeded', {
    what: 'the queued call ran after the outage',
  });
  assert.equal(failures, 5);
  assert.deepEqual(calls, ['req-1']);
  const said = lines.filter((line) => /async invocations/.test(line.msg)).map((line) => line.msg);
  assert.deepEqual(said, ['cannot look for due async invocations', 'async invocations are looked for again']);
});
