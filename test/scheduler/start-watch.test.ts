import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertPermit, recipe, slot, useScheduler } from './fake-sandbox.js';

test('scheduler: three starts failing in the sandbox make it unusable (/readyz) until one succeeds', async (t) => {
  const { scheduler } = await useScheduler(t);
  for (let i = 0; i < 3; i++) {
    assert.equal(scheduler.sandboxTrouble, undefined, `not after ${i} failures`);
    const permit = assertPermit(await scheduler.acquire(slot('fn')));
    await assert.rejects(permit.start(recipe('sandbox-fails')), /cannot create the instance/);
  }
  assert.match(
    scheduler.sandboxTrouble ?? '',
    /last 3 instance starts failed in the sandbox: .*cannot create/,
  );

  // A function whose own server exits is the function's fault: it does not count.
  const exits = assertPermit(await scheduler.acquire(slot('other')));
  await assert.rejects(exits.start(recipe('exit-before-ready')));
  assert.ok(scheduler.sandboxTrouble, 'still unusable');

  const good = await assertPermit(await scheduler.acquire(slot('fn'))).start(recipe('serve'));
  assert.equal(scheduler.sandboxTrouble, undefined, 'a start that works clears it');
  assert.deepEqual(scheduler.instancesByState(), { starting: 0, ready: 1 });
  good.release();
});
