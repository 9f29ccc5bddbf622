import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import { FcError } from '../../src/model/index.js';
import { type Lease, ScaleOutPolicy, type Scheduler, type SlotRequest } from '../../src/scheduler/index.js';
import {
  assertLease,
  assertPermit,
  FakeCpu,
  lease,
  recipe,
  slot,
  state,
  until,
  useScheduler,
} from './fake-sandbox.js';

/** The policy on one core (one busy instance takes the host), its CPU set by the test, waits up to `maxHoldMs`. */
function policy(share: number, maxHoldMs = 60_000) {
  const cpu = new FakeCpu(share);
  return { cpu, scaleOut: new ScaleOutPolicy(maxHoldMs, cpu, 1) };
}

async function provisioned(scheduler: Scheduler, request: SlotRequest): Promise<Lease> {
  const granted = scheduler.provisionStart(request, 'acct#svc#LATEST#a');
  if (granted instanceof FcError) throw granted;
  return granted.start(recipe());
}

describe('scheduler: CPU-aware scale-out', () => {
  it('a call waits for the busy instance’s slot while the CPU is saturated, instead of starting one', async (t) => {
    const { scaleOut } = policy(1);
    const { scheduler, sandbox } = await useScheduler(t, {}, scaleOut);
    const first = await lease(scheduler, slot('a'));
    assert.equal(first.coldStart, true, 'a pool with no instance starts one at once');
    const second = scheduler.acquire(slot('a'));
    await until(() => scheduler.queuedCalls === 1, 'the second call waits');
    assert.equal(await state(second), 'pending');
    first.release();
    const woken = assertLease(await second);
    assert.equal(woken.instance, first.instance, 'it took the freed slot of the warm instance');
    assert.equal(woken.coldStart, false);
    assert.equal(sandbox.started.length, 1, 'no second instance');
    woken.release();
  });

  it('the wait is bounded (by the policy, then by the call’s own wait budget): then the start is granted', async (t) => {
    const { scaleOut } = policy(1, 30);
    const { scheduler } = await useScheduler(t, {}, scaleOut);
    const busy = await lease(scheduler, slot('a'));
    const afterHold = assertPermit(await scheduler.acquire(slot('a')));
    const second = await afterHold.start(recipe());
    assert.notEqual(second.instance, busy.instance, 'the slot never freed: a second instance');

    const long = policy(1, 60_000);
    const other = await useScheduler(t, {}, long.scaleOut);
    const held = await lease(other.scheduler, slot('b'));
    const budget = assertPermit(await other.scheduler.acquire(slot('b', { maxWaitMs: 50 })));
    assert.equal(other.scheduler.instanceCount, 2, 'granted a start when its wait budget ran out, no error');
    (await budget.start(recipe())).release();
    for (const l of [busy, second, held]) l.release();
  });

  it('with a start under way on every core and the CPU saturated, a call past its hold waits for it', async (t) => {
    const { scaleOut } = policy(1, 1);
    const { scheduler, sandbox } = await useScheduler(t, {}, scaleOut);
    const first = await lease(scheduler, slot('a'));
    const open = sandbox.hold();
    const second = assertPermit(await scheduler.acquire(slot('a'))); // one core, no start under way: after 1 ms
    const starting = second.start(recipe());
    const since = Date.now();
    const third = scheduler.acquire(slot('a'));
    await until(
      () => Date.now() > since + 20 && scheduler.queuedCalls === 1,
      'the third call is past its hold',
    );
    assert.equal(await state(third), 'pending', 'it waits for the start, no second start at once');
    assert.equal(scheduler.instanceCount, 2);
    open();
    const secondLease = await starting;
    const thirdPermit = assertPermit(await third);
    const thirdLease = await thirdPermit.start(recipe());
    for (const l of [first, secondLease, thirdLease]) l.release();
  });

  it('an I/O-bound function (its instances busy, the CPU idle) scales out at once', async (t) => {
    const { scaleOut } = policy(0.05);
    const { scheduler, sandbox } = await useScheduler(t, {}, scaleOut);
    const sleeping: Lease[] = [];
    for (let i = 0; i < 5; i++) {
      const granted = scheduler.acquire(slot('sleepy'));
      assert.equal(await state(granted), 'fulfilled', `call ${i} did not wait`);
      const permit = assertPermit(await granted);
      sleeping.push(await permit.start(recipe()));
    }
    assert.equal(sandbox.started.length, 5, 'one instance per call in flight');
    assert.equal(scheduler.queuedCalls, 0);
    for (const l of sleeping) l.release();
  });

  it('never more than instanceConcurrency calls on an instance, with waits and starts mixed', async (t) => {
    const { scaleOut } = policy(1, 5);
    const { scheduler, sandbox } = await useScheduler(t, { maxQueuedCalls: 100 }, scaleOut);
    const request = slot('a', { concurrency: 2 });
    let peak = 0;
    const call = async () => {
      const l = await lease(scheduler, request);
      peak = Math.max(peak, l.instance.inFlight);
      assert.ok(l.instance.inFlight <= 2, `${l.instance.id} runs ${l.instance.inFlight} calls`);
      await turn();
      l.release();
    };
    await Promise.all(Array.from({ length: 60 }, call));
    assert.equal(peak, 2, 'instances were filled up to their concurrency');
    assert.ok(sandbox.started.length <= 10, `within the per-function limit: ${sandbox.started.length}`);
    for (const instance of scheduler.instances('svc/a')) assert.equal(instance.inFlight, 0);
  });

  it('the queue bound and the limits hold: a full queue means a start, no start beyond the limits', async (t) => {
    const { scaleOut } = policy(1);
    const limits = { maxQueuedCalls: 1, maxInstancesPerFunction: 2 };
    const { scheduler } = await useScheduler(t, limits, scaleOut);
    const first = await lease(scheduler, slot('a'));
    const held = scheduler.acquire(slot('a'));
    await until(() => scheduler.queuedCalls === 1, 'the second call waits');
    const third = scheduler.acquire(slot('a'));
    assert.equal(await state(third), 'fulfilled', 'the queue is full: it does not wait for a slot');
    const started = await assertPermit(await third).start(recipe());
    // The start woke the waiting call, which looked again and is back in the queue (the limit is reached now).
    await until(() => scheduler.queuedCalls === 1, 'the second call waits again');
    await assert.rejects(
      scheduler.acquire(slot('a')),
      (error: unknown) => error instanceof FcError && error.code === 'ResourceExhausted',
      'the per-function limit is reached and the queue is full',
    );
    first.release();
    const second = assertLease(await held);
    for (const l of [second, started]) l.release();

    const capped = await useScheduler(t, {}, policy(1).scaleOut);
    const onDemand = await lease(capped.scheduler, slot('c', { maxOnDemand: 1 }));
    await assert.rejects(
      capped.scheduler.acquire(slot('c', { maxOnDemand: 1, maxWaitMs: 20 })),
      (error: unknown) => error instanceof FcError && error.code === 'ResourceThrottled',
      'maximumInstanceCount still answers ResourceThrottled',
    );
    onDemand.release();
  });

  it('a waiting call takes a provisioned instance’s slot first when one frees', async (t) => {
    const { cpu, scaleOut } = policy(0);
    const { scheduler, sandbox } = await useScheduler(t, {}, scaleOut);
    const kept = await provisioned(scheduler, slot('a'));
    const overflow = await lease(scheduler, slot('a'));
    assert.notEqual(overflow.instance, kept.instance);
    cpu.share = 1;
    const waiting = scheduler.acquire(slot('a'));
    await until(() => scheduler.queuedCalls === 1, 'the third call waits');
    kept.release();
    const got = assertLease(await waiting);
    assert.equal(got.instance, kept.instance);
    assert.equal(sandbox.started.length, 2);
    got.release();
    overflow.release();
    const next = assertLease(await scheduler.acquire(slot('a')));
    assert.equal(next.instance, kept.instance, 'provisioned first among free slots');
    next.release();
  });
});
