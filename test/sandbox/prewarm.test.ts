import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invoke } from '../helpers/functions.js';
import {
  comparable,
  firstCallBothWays,
  type PooledRuntime,
  type Probe,
  poolReady,
} from './prewarm-helpers.js';

const canPool = process.getuid?.() === 0 && process.env.KUMO_SANDBOX !== 'process';
const RUNTIMES: PooledRuntime[] = ['nodejs20', 'python3.10'];

for (const runtime of RUNTIMES) {
  test(`${runtime}: a new function's first call is served by a pre-warmed instance that behaves as a cold-started one`, {
    skip: !canPool && 'pre-warmed pools need the bwrap sandbox as root',
  }, async (t) => {
    const { pooled, deployedAt, first, seen, normal, cold } = await firstCallBothWays(t, runtime);
    assert.ok(seen.startedAt < deployedAt, 'the instance process was running before the function existed');
    assert.ok(cold.startedAt > deployedAt);
    assert.deepEqual(comparable(seen, first.logs), comparable(cold, normal.logs));

    // What the function sees is its own: variables, code, name, read-only /code without host paths.
    assert.equal(seen.env.MY_VAR, 'value-of-fn');
    assert.equal(seen.env.KUMO_PREWARM_TOKEN, undefined);
    assert.deepEqual(seen.code, ['data.txt', 'fn.txt', `index.${runtime === 'nodejs20' ? 'js' : 'py'}`]);
    assert.equal(seen.cwd, '/code');
    assert.equal(seen.hostname, `fc-${seen.env.FC_INSTANCE_ID}`);
    assert.match(seen.hosts, new RegExp(` fc-${seen.env.FC_INSTANCE_ID}\\n`));
    assert.equal(seen.write, 'EROFS');
    const codeMounts = seen.mountinfo.split('\n').filter((line) => line.split(' ')[4] === '/code');
    assert.ok(codeMounts.length > 0);
    for (const line of codeMounts) {
      assert.match(line.split(' ')[5] ?? '', /^ro,nosuid,nodev/, line);
      assert.doesNotMatch(line, /\/(work|tmp|root|home|var)\//, line);
    }
    assert.doesNotMatch(seen.mountinfo, /kumo-test-|\/code\/[0-9a-f]{2}\//, 'no host path of the code');

    // The function calls its own agent's specialisation endpoint with its start token: an ordinary request to the
    // function now, nothing changes.
    const attack = JSON.parse((await invoke(pooled.fc, 'svc', 'fn', 'attack')).body) as { status: number };
    assert.notEqual(attack.status, 204);
    const after = JSON.parse((await invoke(pooled.fc, 'svc', 'fn', 'probe')).body) as Probe;
    assert.deepEqual(after.env, seen.env);

    // The pool refills behind the take.
    await poolReady(pooled.server, runtime, 1);
  });
}
