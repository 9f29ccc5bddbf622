import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AsyncConfig } from '../../src/model/index.js';
import type { OpenStore } from './conformance.js';
import { fn, invocation, rejectsWith, service } from './conformance.js';

const config = (qualifier: string, functionName = 'f'): AsyncConfig => ({
  serviceName: 's',
  functionName,
  qualifier,
  maxAsyncRetryAttempts: 1,
  statefulInvocation: true,
  destinationConfig: {},
  createdTime: '',
  lastModifiedTime: '',
});

export function asyncConformance(open: OpenStore): void {
  test('async queue: enqueue, unique invocation ids, claims due work oldest first and counts the attempt', async (t) => {
    const { asyncQueue: queue } = await open(t);
    await queue.enqueue(invocation('late', { nextAttemptAt: 5000, createdAt: 1 }));
    await queue.enqueue(invocation('first', { nextAttemptAt: 1000, createdAt: 3, versionId: '2' }));
    await queue.enqueue(invocation('second', { nextAttemptAt: 1000, createdAt: 4, origin: 'first' }));
    await rejectsWith(
      queue.enqueue(invocation('other-id', { invocationId: 'first' })),
      'StatefulAsyncInvocationAlreadyExists',
    );
    await queue.enqueue(
      invocation('elsewhere', { invocationId: 'first', functionName: 'g', nextAttemptAt: 9999 }),
    );
    assert.equal(await queue.claimDue(999), undefined, 'nothing is due yet');
    const claimed = await queue.claimDue(2000);
    assert.equal(claimed?.id, 'first');
    assert.equal(claimed?.status, 'Running');
    assert.equal(claimed?.attempts, 1);
    assert.equal(claimed?.startedAt, 2000);
    assert.equal(claimed?.versionId, '2');
    assert.deepEqual(claimed?.payload, Buffer.from('payload first'));
    const next = await queue.claimDue(2000);
    assert.deepEqual([next?.id, next?.origin], ['second', 'first']);
    assert.equal(await queue.claimDue(2000), undefined);
    assert.equal((await queue.getAsync('first'))?.status, 'Running');
    assert.equal((await queue.findInvocation('s', 'g', 'first'))?.id, 'elsewhere');
    assert.equal(await queue.findInvocation('s', 'f', 'nope'), undefined);
    assert.equal(await queue.getAsync('nope'), undefined);
  });

  test('async queue: retry later, finish with a destination delivery in the same transaction', async (t) => {
    const { asyncQueue: queue } = await open(t);
    await queue.enqueue(invocation('a'));
    await queue.claimDue(1000);
    await queue.retryLater('a', 1, 3000, 'boom');
    const waiting = await queue.getAsync('a');
    assert.deepEqual(
      [waiting?.status, waiting?.attempts, waiting?.nextAttemptAt, waiting?.error],
      ['Enqueued', 1, 3000, 'boom'],
    );
    assert.equal(await queue.claimDue(2999), undefined);
    const again = await queue.claimDue(3000);
    assert.deepEqual([again?.attempts, again?.startedAt], [2, 1000], 'the first start time is kept');
    await queue.finish(
      'a',
      'Succeeded',
      2,
      { result: Buffer.from('ok') },
      invocation('a-dest', { origin: 'a' }),
    );
    const done = await queue.getAsync('a');
    assert.equal(done?.status, 'Succeeded');
    assert.deepEqual(done?.result, Buffer.from('ok'));
    assert.ok(done?.endedAt);
    assert.equal((await queue.getAsync('a-dest'))?.status, 'Enqueued');
    await queue.enqueue(invocation('b', { nextAttemptAt: 500 }));
    assert.equal((await queue.claimDue(1000))?.id, 'b');
    await rejectsWith(
      queue.finish('b', 'Failed', 1, { error: 'x' }, invocation('a-dest', { invocationId: 'a-dest' })),
      'StatefulAsyncInvocationAlreadyExists',
    );
    assert.equal((await queue.getAsync('b'))?.status, 'Running', 'a refused delivery undoes the finish too');
  });

  test('async queue: stop requests, requeue after a crash, concurrent claims take each invocation once', async (t) => {
    const { asyncQueue: queue } = await open(t);
    for (const [i, id] of ['q', 'r', 'done'].entries()) await queue.enqueue(invocation(id, { createdAt: i }));
    assert.equal(await queue.requestStop('s', 'f', 'q'), 'stopped');
    assert.equal((await queue.getAsync('q'))?.status, 'Stopped');
    const running = await queue.claimDue(1000);
    assert.equal(running?.id, 'r');
    assert.equal(await queue.isStopRequested('r'), false);
    assert.equal(await queue.requestStop('s', 'f', 'r'), 'stopping');
    assert.equal(await queue.isStopRequested('r'), true);
    await queue.retryLater('r', 1, 2000, 'err');
    assert.equal((await queue.getAsync('r'))?.status, 'Stopped', 'a stop wins over the retry');
    await queue.claimDue(1000);
    await queue.finish('done', 'Succeeded', 1, {});
    assert.equal(await queue.requestStop('s', 'f', 'done'), 'finished');
    assert.equal(await queue.requestStop('s', 'f', 'nope'), 'missing');
    for (const [i, id] of ['c1', 'c2', 'c3'].entries())
      await queue.enqueue(invocation(id, { createdAt: 10 + i }));
    await queue.claimDue(1000);
    await queue.claimDue(1000);
    await queue.requestStop('s', 'f', 'c2');
    assert.equal(await queue.requeueRunning(), 1);
    assert.deepEqual(
      [(await queue.getAsync('c1'))?.status, (await queue.getAsync('c2'))?.status],
      ['Enqueued', 'Stopped'],
    );
    for (let i = 0; i < 8; i++) await queue.enqueue(invocation(`p${i}`));
    const claims = await Promise.all(Array.from({ length: 12 }, () => queue.claimDue(1000)));
    const ids = claims.flatMap((c) => (c ? [c.id] : [])).sort();
    assert.deepEqual(ids, ['c1', 'c3', ...Array.from({ length: 8 }, (_, i) => `p${i}`)].sort());
  });

  test('async queue: lists by function with filters, both orders and keyset pages', async (t) => {
    const { asyncQueue: queue } = await open(t);
    for (const [i, id] of ['x-1', 'x-2', 'y-3', 'x-4'].entries()) {
      await queue.enqueue(
        invocation(id, { createdAt: 100 * (i + 1), qualifier: i === 3 ? 'prod' : 'LATEST' }),
      );
    }
    await queue.enqueue(invocation('other', { functionName: 'g' }));
    const base = { serviceName: 's', functionName: 'f', sortOrderByTime: 'asc' as const };
    const listed = async (q: Partial<Parameters<typeof queue.listInvocations>[0]>) =>
      (await queue.listInvocations({ ...base, limit: 10, ...q })).items.map((i) => i.id);
    assert.deepEqual(await listed({}), ['x-1', 'x-2', 'y-3', 'x-4']);
    assert.deepEqual(await listed({ sortOrderByTime: 'desc' }), ['x-4', 'y-3', 'x-2', 'x-1']);
    assert.deepEqual(await listed({ invocationIdPrefix: 'x-' }), ['x-1', 'x-2', 'x-4']);
    assert.deepEqual(await listed({ invocationIdPrefix: '%' }), []);
    assert.deepEqual(await listed({ qualifier: 'prod' }), ['x-4']);
    assert.deepEqual(await listed({ startedTimeBegin: 200, startedTimeEnd: 300 }), ['x-2', 'y-3']);
    await queue.claimDue(1000);
    assert.deepEqual(await listed({ status: 'Running' }), ['x-1']);
    const page = await queue.listInvocations({ ...base, limit: 3, sortOrderByTime: 'desc' });
    assert.deepEqual(
      page.items.map((i) => i.id),
      ['x-4', 'y-3', 'x-2'],
    );
    const rest = await queue.listInvocations({
      ...base,
      limit: 3,
      sortOrderByTime: 'desc',
      nextToken: page.nextToken,
    });
    assert.deepEqual(
      rest.items.map((i) => i.id),
      ['x-1'],
    );
    assert.equal(rest.nextToken, undefined);
    await rejectsWith(queue.listInvocations({ ...base, limit: 3, nextToken: 'bogus' }), 'InvalidArgument');
  });

  test('async configs: one per qualifier, pages, gone with their function', async (t) => {
    const { store, asyncConfigs } = await open(t);
    await store.createService(service('s'));
    await store.createFunction(fn('s', 'f'));
    for (const q of ['LATEST', 'a', 'b']) await asyncConfigs.putConfig(config(q));
    await asyncConfigs.putConfig({ ...config('a'), maxAsyncRetryAttempts: 2 });
    assert.equal((await asyncConfigs.getConfig('s', 'f', 'a'))?.maxAsyncRetryAttempts, 2);
    assert.equal(await asyncConfigs.getConfig('s', 'f', 'zz'), undefined);
    const page = await asyncConfigs.listConfigs('s', 'f', { limit: 2 });
    assert.deepEqual(
      page.items.map((c) => c.qualifier),
      ['LATEST', 'a'],
    );
    const rest = await asyncConfigs.listConfigs('s', 'f', { limit: 2, nextToken: page.nextToken });
    assert.deepEqual(
      rest.items.map((c) => c.qualifier),
      ['b'],
    );
    await rejectsWith(asyncConfigs.listConfigs('s', 'f', { limit: 2, nextToken: '!!' }), 'InvalidArgument');
    assert.equal(await asyncConfigs.deleteConfig('s', 'f', 'b'), true);
    assert.equal(await asyncConfigs.deleteConfig('s', 'f', 'b'), false);
    await store.deleteFunction('s', 'f');
    await store.createFunction(fn('s', 'f'));
    assert.deepEqual((await asyncConfigs.listConfigs('s', 'f', { limit: 5 })).items, []);
  });

  test('capacity: provision and on-demand configs, filtered pages, kept across a reopen', async (t) => {
    const opened = await open(t);
    const capacity = opened.store.capacity;
    const key = { serviceName: 's', qualifier: 'prod', functionName: 'f' };
    const provision = {
      ...key,
      target: 2,
      scheduledActions: [],
      targetTrackingPolicies: [],
      alwaysAllocateCPU: true,
      lastModifiedTime: '',
    };
    capacity.putProvisionConfig(provision);
    capacity.putProvisionConfig({ ...provision, serviceName: 't' });
    capacity.putOnDemandConfig({ ...key, maximumInstanceCount: 3, lastModifiedTime: '' });
    assert.deepEqual(capacity.getProvisionConfig(key), provision);
    assert.equal(capacity.getOnDemandConfig(key)?.maximumInstanceCount, 3);
    assert.deepEqual(
      capacity.listProvisionConfigs({ serviceName: 't' }, { limit: 5 }).items.map((c) => c.serviceName),
      ['t'],
    );
    assert.equal(capacity.allProvisionConfigs().length, 2);
    capacity.deleteProvisionConfig({ ...key, serviceName: 't' });
    await capacity.flush();
    const reopened = await opened.reopen();
    const again = reopened.store.capacity;
    assert.deepEqual(again.allProvisionConfigs(), [provision]);
    assert.equal(again.getOnDemandConfig(key)?.maximumInstanceCount, 3);
    assert.equal(again.deleteOnDemandConfig(key), true);
    assert.equal(again.deleteOnDemandConfig(key), false);
    assert.deepEqual(again.listOnDemandConfigs({}, { limit: 5 }).items, []);
  });
}
