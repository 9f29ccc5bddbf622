import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FcError } from '../../src/model/index.js';
import type { Scheduler, SlotRequest, StartPermit } from '../../src/scheduler/index.js';
import { assertLease, assertPermit, lease, recipe, slot, useScheduler } from './fake-sandbox.js';

const RESOURCE = 'acct#svc#prod#a';

function permitOf(granted: StartPermit | FcError): StartPermit {
  if (granted instanceof FcError) throw granted;
  return granted;
}

/** What the provisioner does: start an instance for the config and give its slot back at once. */
async function provision(scheduler: Scheduler, request: SlotRequest, resource = RESOURCE) {
  const started = await permitOf(scheduler.provisionStart(request, resource)).start(recipe());
  started.release();
  return started.instance;
}

describe('scheduler: provisioned instances', () => {
  it('are counted while starting, kept past the idle time, and serve calls before on-demand ones', async (t) => {
    const { scheduler } = await useScheduler(t, { instanceIdleMs: 50 });
    const onDemand = await lease(scheduler, slot('a'));
    const permit = permitOf(scheduler.provisionStart(slot('a'), RESOURCE));
    assert.deepEqual(scheduler.provisioned(RESOURCE), { ready: [], starting: 1 });
    const provisioned = await permit.start(recipe());
    provisioned.release();
    assert.deepEqual(scheduler.provisioned(RESOURCE), { ready: [provisioned.instance], starting: 0 });
    onDemand.release();
    await onDemand.instance.stopped; // the idle on-demand instance is reaped …
    assert.equal(provisioned.instance.state, 'ready', '… the provisioned one is not');
    const call = assertLease(await scheduler.acquire(slot('a')));
    assert.equal(call.instance, provisioned.instance);
    call.release();
  });

  it('a free provisioned slot is taken before a free on-demand one', async (t) => {
    const { scheduler } = await useScheduler(t);
    const warm = await lease(scheduler, slot('a'));
    warm.release();
    const kept = await provision(scheduler, slot('a'));
    const call = assertLease(await scheduler.acquire(slot('a')));
    assert.equal(call.instance, kept);
    const overflow = assertLease(await scheduler.acquire(slot('a')));
    assert.equal(overflow.instance, warm.instance, 'on-demand instances take the overflow');
    call.release();
    overflow.release();
  });

  it('released: an idle instance stops at once, a busy one after its call', async (t) => {
    const { scheduler } = await useScheduler(t);
    const idle = await provision(scheduler, slot('a'));
    const busy = await provision(scheduler, slot('a'));
    const call = assertLease(await scheduler.acquire(slot('a')));
    const held = call.instance === idle ? idle : busy;
    const free = held === idle ? busy : idle;
    scheduler.releaseProvisioned(free);
    scheduler.releaseProvisioned(held);
    await free.stopped;
    assert.equal(held.state, 'retiring', 'the busy one finishes its call');
    call.release();
    await held.stopped;
    assert.deepEqual(scheduler.provisioned(RESOURCE), { ready: [], starting: 0 });
  });

  it('a crashed provisioned instance leaves the count', async (t) => {
    const { scheduler, sandbox } = await useScheduler(t);
    const kept = await provision(scheduler, slot('a'));
    sandbox.instance(kept.id).crash(1);
    await kept.stopped;
    assert.deepEqual(scheduler.provisioned(RESOURCE).ready, []);
  });

  it('the on-demand cap ignores provisioned instances; beyond it calls queue, then get ResourceThrottled', async (t) => {
    const { scheduler } = await useScheduler(t, { maxQueuedCalls: 1 });
    const capped = (overrides: Partial<SlotRequest> = {}) => slot('a', { maxOnDemand: 1, ...overrides });
    await provision(scheduler, capped());
    const onProvisioned = assertLease(await scheduler.acquire(capped()));
    const permit = assertPermit(await scheduler.acquire(capped()));
    const onDemand = await permit.start(recipe());
    const queued = scheduler.acquire(capped());
    await assert.rejects(scheduler.acquire(capped()), (error: unknown) => {
      assert.ok(error instanceof FcError);
      assert.equal(error.code, 'ResourceThrottled');
      assert.equal(error.status, 429);
      return true;
    });
    onDemand.release();
    const woken = assertLease(await queued);
    assert.equal(woken.instance, onDemand.instance, 'the queued call takes the freed on-demand slot');
    for (const l of [onProvisioned, woken]) l.release();
  });

  it('provisioned starts stay within the per-function limit', async (t) => {
    const { scheduler } = await useScheduler(t, { maxInstancesPerFunction: 1 });
    await provision(scheduler, slot('a'));
    const refused = scheduler.provisionStart(slot('a'), RESOURCE);
    assert.ok(refused instanceof FcError);
    assert.equal(refused.code, 'ResourceExhausted');
  });
});
