import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { FcError } from '../../src/model/index.js';
import {
  assertLease,
  assertPermit,
  lease,
  recipe,
  slot,
  state,
  until,
  useScheduler,
} from './fake-sandbox.js';

const isExhausted = (error: unknown) => error instanceof FcError && error.code === 'ResourceExhausted';

describe('scheduler: slots and limits', () => {
  it('grants a start, then reuses the warm instance; the instance id is the one of the permit', async (t) => {
    const { scheduler, sandbox } = await useScheduler(t);
    const permit = assertPermit(await scheduler.acquire(slot('a')));
    assert.equal(scheduler.instanceCount, 1, 'a granted start counts as an instance');
    const first = await permit.start(recipe());
    assert.equal(first.instance.id, permit.instanceId);
    assert.equal(first.coldStart, true);
    assert.equal(sandbox.started[0]?.spec.instanceId, permit.instanceId, 'the scheduler names the sandbox');
    const answer = await request(`http://${first.instance.handle.host}:${first.instance.handle.port}/`, {
      dispatcher: first.instance.dispatcher,
    });
    assert.equal(await answer.body.text(), permit.instanceId, 'the dispatcher reaches the instance');
    first.release();

    const second = assertLease(await scheduler.acquire(slot('a')));
    assert.equal(second.instance, first.instance);
    assert.equal(second.coldStart, false);
    assert.equal(sandbox.started.length, 1);
    second.release();
  });

  it('starts another instance when every slot of the warm ones is taken, up to instanceConcurrency', async (t) => {
    const { scheduler, sandbox } = await useScheduler(t);
    const request = slot('a', { concurrency: 2 });
    const first = await lease(scheduler, request);
    const second = await lease(scheduler, request);
    assert.equal(second.instance, first.instance, 'the second call shares the instance');
    assert.equal(first.instance.inFlight, 2);
    const third = await lease(scheduler, request);
    assert.notEqual(third.instance, first.instance);
    assert.equal(sandbox.started.length, 2);
    for (const l of [first, second, third]) l.release();
  });

  it('queues a call beyond the per-function limit and hands it the first slot released', async (t) => {
    const { scheduler, sandbox } = await useScheduler(t, { maxInstancesPerFunction: 2 });
    const held = [await lease(scheduler, slot('a')), await lease(scheduler, slot('a'))];
    const waiting = scheduler.acquire(slot('a'));
    await until(() => scheduler.queuedCalls === 1, 'the third call waits');
    assert.equal(await state(waiting), 'pending');
    held[1]?.release();
    const woken = assertLease(await waiting);
    assert.equal(woken.instance, held[1]?.instance, 'it got the released slot, no third instance');
    assert.equal(sandbox.started.length, 2);
    assert.equal(scheduler.queuedCalls, 0);
    held[0]?.release();
    woken.release();
  });

  it('the global limit holds across functions; a stopped instance lets a waiting function start', async (t) => {
    const { scheduler } = await useScheduler(t, { maxInstances: 2 });
    const a1 = await lease(scheduler, slot('a'));
    const a2 = await lease(scheduler, slot('a'));
    const waiting = scheduler.acquire(slot('b'));
    await until(() => scheduler.queuedCalls === 1, 'function b waits for a global slot');
    a2.release({ destroy: true });
    const permit = assertPermit(await waiting);
    const b = await permit.start(recipe());
    assert.equal(scheduler.instanceCount, 2);
    a1.release();
    b.release();
  });

  it('answers ResourceExhausted when the queue is full, and when the wait exceeds the call timeout', async (t) => {
    const { scheduler } = await useScheduler(t, { maxInstancesPerFunction: 1, maxQueuedCalls: 1 });
    const held = await lease(scheduler, slot('a'));
    const queued = scheduler.acquire(slot('a'));
    await until(() => scheduler.queuedCalls === 1, 'one call queued');
    await assert.rejects(scheduler.acquire(slot('a')), isExhausted, 'the queue holds one call');
    held.release();
    const next = assertLease(await queued);

    const late = scheduler.acquire(slot('a', { maxWaitMs: 50 }));
    await assert.rejects(late, isExhausted, 'no slot freed up within maxWaitMs');
    await assert.rejects(
      scheduler.acquire(slot('a', { maxWaitMs: 0 })),
      isExhausted,
      'a call with no time left is refused at once',
    );
    assert.equal(scheduler.queuedCalls, 0);
    next.release();
  });
});

describe('scheduler: pending-start fill', () => {
  it('calls claim the slots of an instance being started before another start is granted', async (t) => {
    const { scheduler, sandbox } = await useScheduler(t);
    const open = sandbox.hold();
    const request = slot('a', { concurrency: 3 });
    const permit = assertPermit(await scheduler.acquire(request));
    const starting = permit.start(recipe());
    const claims = [scheduler.acquire(request), scheduler.acquire(request)];
    assert.equal(await state(claims[0] as Promise<unknown>), 'pending', 'a claim waits for the start');
    const another = assertPermit(await scheduler.acquire(request));
    assert.notEqual(another.instanceId, permit.instanceId, 'the fourth call is granted its own start');
    assert.equal(scheduler.instanceCount, 2);

    open();
    const first = await starting;
    const claimed = (await Promise.all(claims)).map(assertLease);
    for (const l of claimed) {
      assert.equal(l.instance, first.instance);
      assert.equal(l.coldStart, true, 'a claimed slot waited for the start');
    }
    assert.equal(first.instance.inFlight, 3);
    const second = await another.start(recipe());
    assert.equal(sandbox.started.length, 2);
    for (const l of [first, second, ...claimed]) l.release();
  });

  it('a failed start fails its claims too, and frees its place for a new start', async (t) => {
    const { scheduler, sandbox } = await useScheduler(t, { maxInstancesPerFunction: 1 });
    const open = sandbox.hold();
    const request = slot('a', { concurrency: 2 });
    const permit = assertPermit(await scheduler.acquire(request));
    const claim = scheduler.acquire(request);
    const failure = new FcError('CAFilePermission', 'bootstrap is not executable');
    await assert.rejects(permit.start(Promise.reject(failure)), (error) => error === failure);
    await assert.rejects(claim, (error) => error === failure, 'the claim gets the start error');
    assert.equal(scheduler.instanceCount, 0);
    open();
    assert.equal(sandbox.started.length, 0, 'nothing was started without a recipe');

    const retry = await lease(scheduler, request);
    assert.equal(scheduler.instances('svc/a').length, 1);
    await assert.rejects(permit.start(recipe()), /already used/, 'a permit starts one instance');
    retry.release();
  });
});
