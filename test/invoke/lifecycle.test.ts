import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zipFiles } from '../helpers/code.js';
import { deployCustom, invoke, NODE_RUNTIME } from '../helpers/functions.js';
import { until } from '../helpers/poll.js';
import { forEachSandbox, startTestServer } from '../helpers/server.js';

forEachSandbox((sandbox) => {
  test('idle instances are reclaimed; warm ones are reused', async (t) => {
    const { fc, server } = await startTestServer(t, { sandbox, instanceIdleMs: 400 });
    await deployCustom(fc, 'svc', 'fn', NODE_RUNTIME);
    const first = await invoke(fc, 'svc', 'fn', 'stats');
    const warm = await invoke(fc, 'svc', 'fn', 'stats');
    assert.equal(warm.headers['x-fc-instance-id'], first.headers['x-fc-instance-id']);
    assert.equal(JSON.parse(warm.body).calls, 2);
    await until(() => server.instanceCount() === 0, { what: 'the idle instance is stopped' });
    const cold = await invoke(fc, 'svc', 'fn', 'stats');
    assert.notEqual(cold.headers['x-fc-instance-id'], first.headers['x-fc-instance-id']);
    assert.equal(JSON.parse(cold.body).calls, 1);
  });

  test('updating a function retires its old instances', async (t) => {
    const { fc } = await startTestServer(t, { sandbox });
    await deployCustom(fc, 'svc', 'fn', NODE_RUNTIME);
    const before = await invoke(fc, 'svc', 'fn', 'v');
    assert.equal(before.body, 'echo:v');
    const v2 = NODE_RUNTIME.bootstrap.replace('echo:', 'v2:');
    await fc.updateFunction('svc', 'fn', {
      code: { zipFile: await zipFiles({ ...NODE_RUNTIME, bootstrap: v2 }) },
    });
    const after = await invoke(fc, 'svc', 'fn', 'v');
    assert.equal(after.body, 'v2:v');
    assert.notEqual(after.headers['x-fc-instance-id'], before.headers['x-fc-instance-id']);
    await fc.updateFunction('svc', 'fn', { environmentVariables: { CHANGED: '1' } });
    const seen = JSON.parse((await invoke(fc, 'svc', 'fn', 'headers')).body);
    assert.equal(seen.env.CHANGED, '1', 'a config change also starts fresh instances');
  });

  test('isolation (bwrap): memory limit, fork bomb, read-only /code, non-root uid', async (t) => {
    const { fc, server } = await startTestServer(t, { sandbox, instancePidsLimit: 64 });
    if (server.sandbox.kind !== 'bwrap') {
      t.skip(`needs the bwrap sandbox; this machine uses '${server.sandbox.kind}': ${server.sandbox.reason}`);
      return;
    }
    await deployCustom(fc, 'svc', 'fn', NODE_RUNTIME, { memorySize: 128 });
    const stats = JSON.parse((await invoke(fc, 'svc', 'fn', 'stats')).body);
    assert.notEqual(stats.uid, 0);
    const writes = JSON.parse((await invoke(fc, 'svc', 'fn', 'writecode')).body);
    assert.equal(writes.code, 'EROFS', '/code is read-only');
    assert.equal(writes.tmp, 'ok', '/tmp is writable');

    const oom = await invoke(fc, 'svc', 'fn', 'oom');
    assert.equal(oom.errorType, 'UnhandledInvocationError');
    assert.match(JSON.parse(oom.body).errorMessage, /Process exited unexpectedly.*memory limit of 128 MB/);

    const bomb = await invoke(fc, 'svc', 'fn', 'forkbomb');
    assert.equal(bomb.errorType, undefined, bomb.body);
    const contained = JSON.parse(bomb.body);
    // The bomb doubles without end; it plateaus under the limit (threads count too, so processes stay below 64).
    assert.ok(contained.processes >= 20, `the fork bomb did run: ${bomb.body}`);
    assert.ok(contained.processes <= 64, `the pids limit of 64 contained it: ${bomb.body}`);
    // The host is fine and so is Kumo: a new instance of another function starts and answers.
    await fc.updateFunction('svc', 'fn', { description: 'retire the bombed instance' });
    await deployCustom(fc, 'svc', 'other', NODE_RUNTIME);
    assert.equal((await invoke(fc, 'svc', 'other', 'ok')).body, 'echo:ok');
  });
});
