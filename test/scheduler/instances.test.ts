import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FcError } from '../../src/model/index.js';
import { assertLease, assertPermit, lease, recipe, slot, until, useScheduler } from './fake-sandbox.js';

const hasCode = (code: string) => (error: unknown) => error instanceof FcError && error.code === code;

describe('scheduler: instance lifecycle', () => {
  it('a new revision gets new instances; retire stops idle ones at once and busy ones after their call', async (t) => {
    const { scheduler, sandbox } = await useScheduler(t);
    const busy = await lease(scheduler, slot('a'));
    const idle = await lease(scheduler, slot('a'));
    idle.release();
    assert.equal(busy.instance.state, 'ready');

    const changed = assertPermit(await scheduler.acquire(slot('a', { revision: 'r2' })));
    const fresh = await changed.start(recipe());
    assert.notEqual(fresh.instance, idle.instance, 'a free instance of the old revision is not reused');
    fresh.release();

    scheduler.retire('svc/a');
    assert.equal(idle.instance.state, 'stopping');
    await idle.instance.stopped;
    assert.equal(idle.instance.state, 'stopped');
    assert.equal(sandbox.instance(idle.instance.id).stopCalls, 1);
    assert.equal(busy.instance.state, 'retiring', 'the busy instance finishes its call first');
    assert.equal(busy.instance.hasFreeSlot, false);

    busy.release();
    await busy.instance.stopped;
    assert.equal(busy.instance.state, 'stopped');
    await fresh.instance.stopped;
    assert.deepEqual(scheduler.instances('svc/a'), []);
    assert.equal(scheduler.instanceCount, 0);
  });

  it('a late notice of a change keeps the instances already running the revision it made current', async (t) => {
    const { scheduler } = await useScheduler(t);
    const old = await lease(scheduler, slot('a'));
    old.release();
    const current = await lease(scheduler, slot('a', { revision: 'r2' }));
    current.release();
    scheduler.retire('svc/a', 'r2');
    await old.instance.stopped;
    assert.equal(current.instance.state, 'ready', 'started with the new code: it stays');
    const again = assertLease(await scheduler.acquire(slot('a', { revision: 'r2' })));
    assert.equal(again.instance, current.instance, 'and keeps taking calls');
    again.release();
  });

  it('an instance whose function changed while it was starting serves its waiting calls, then stops', async (t) => {
    const { scheduler, sandbox } = await useScheduler(t);
    const open = sandbox.hold();
    const request = slot('a', { concurrency: 2 });
    const permit = assertPermit(await scheduler.acquire(request));
    const starting = permit.start(recipe());
    const claim = scheduler.acquire(request);
    scheduler.retire('svc/a');
    const after = assertPermit(await scheduler.acquire(request));
    assert.notEqual(
      after.instanceId,
      permit.instanceId,
      'a call after the change does not join the old start',
    );
    open();
    const first = await starting;
    const second = assertLease(await claim);
    assert.equal(second.instance, first.instance);
    assert.equal(first.instance.state, 'retiring');
    first.release();
    second.release();
    await first.instance.stopped;
    (await after.start(recipe())).release();
  });

  it('reaps instances idle longer than instanceIdleMs, not busy ones', async (t) => {
    const { scheduler } = await useScheduler(t, { instanceIdleMs: 100 });
    const busy = await lease(scheduler, slot('a'));
    const idle = await lease(scheduler, slot('a'));
    idle.release();
    await idle.instance.stopped;
    assert.equal(busy.instance.state, 'ready', 'the reaper passed over the busy instance');
    assert.deepEqual(scheduler.instances('svc/a'), [busy.instance]);
    busy.release();
    await busy.instance.stopped;
    assert.equal(scheduler.instanceCount, 0);
  });

  it('drops a crashed instance: its slot is gone, the next call starts a new one', async (t) => {
    const { scheduler, sandbox } = await useScheduler(t);
    const first = await lease(scheduler, slot('a', { concurrency: 2 }));
    sandbox.instance(first.instance.id).crash(137);
    await first.instance.stopped;
    assert.equal(first.instance.state, 'stopped');
    assert.deepEqual(first.instance.exit, { code: 137, signal: null, oomKilled: false });
    await until(() => scheduler.instances('svc/a').length === 0, 'the crashed instance leaves its pool');
    const next = assertPermit(await scheduler.acquire(slot('a', { concurrency: 2 })));
    const replacement = await next.start(recipe());
    assert.notEqual(replacement.instance, first.instance);
    first.release();
    replacement.release();
    assert.equal(replacement.instance.state, 'ready', 'releasing a crashed lease touches nothing else');
  });

  it('release({ destroy }) stops the instance', async (t) => {
    const { scheduler, sandbox } = await useScheduler(t);
    const call = await lease(scheduler, slot('a'));
    call.release({ destroy: true });
    await call.instance.stopped;
    assert.equal(sandbox.instance(call.instance.id).stopCalls, 1);
    assert.equal(scheduler.instanceCount, 0);
  });

  it('reports a start that exits before listening (CAExited) or never listens (FunctionNotStarted)', async (t) => {
    const { scheduler } = await useScheduler(t, { instanceStartTimeoutMs: 300 });
    const exits = assertPermit(await scheduler.acquire(slot('a')));
    await assert.rejects(exits.start(recipe('exit-before-ready')), hasCode('CAExited'));
    const silent = assertPermit(await scheduler.acquire(slot('a')));
    await assert.rejects(silent.start(recipe('never-ready')), hasCode('FunctionNotStarted'));
    assert.equal(scheduler.instanceCount, 0, 'failed starts count no more');
    const works = await lease(scheduler, slot('a'));
    works.release();
  });

  it('close stops every instance and turns waiting calls away', async (t) => {
    const { scheduler } = await useScheduler(t, { maxInstancesPerFunction: 1 });
    const held = await lease(scheduler, slot('a'));
    const other = await lease(scheduler, slot('b'));
    other.release();
    const waiting = scheduler.acquire(slot('a'));
    await until(() => scheduler.queuedCalls === 1, 'a call waits');
    await scheduler.close();
    await assert.rejects(waiting, hasCode('ServiceUnavailable'));
    assert.equal(held.instance.state, 'stopped');
    assert.equal(other.instance.state, 'stopped');
    await assert.rejects(scheduler.acquire(slot('a')), hasCode('ServiceUnavailable'));
    assertLease(held).release();
  });
});
