import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invoke } from '../helpers/functions.js';
import { startTestServer } from '../helpers/server.js';
import {
  comparable,
  deployProbe,
  firstCallBothWays,
  type Probe,
  poolOf,
  poolReady,
} from './prewarm-helpers.js';

const canPool = process.getuid?.() === 0 && process.env.KUMO_SANDBOX !== 'process';
const skip = !canPool && 'pre-warmed pools need the bwrap sandbox as root';

test('java11: a new function’s first call is served by a pre-warmed JVM that behaves as a cold-started one', {
  skip,
}, async (t) => {
  const own = { environmentVariables: { MY_VAR: 'value-of-fn', GREETING: 'héllo ☃' } };
  const { pooled, deployedAt, first, seen, normal, cold } = await firstCallBothWays(t, 'java11', own);
  assert.ok(seen.startedAt < deployedAt, 'the JVM was running before the function existed');
  assert.ok(cold.startedAt > deployedAt);
  assert.deepEqual(comparable(seen, first.logs), comparable(cold, normal.logs));

  // System.getenv() is the function's, and so is a child process's environment; no trace of the pool's token.
  assert.equal(seen.env.MY_VAR, 'value-of-fn');
  assert.equal(seen.env.GREETING, 'héllo ☃');
  assert.equal(seen.env.FC_FUNCTION_NAME, 'fn');
  assert.ok(seen.env.ALIBABA_CLOUD_ACCESS_KEY_ID, 'the credentials are in the environment');
  assert.equal(seen.env.KUMO_PREWARM_TOKEN, undefined);
  assert.deepEqual(seen.childEnv, seen.env);
  assert.deepEqual(cold.childEnv, cold.env);
  assert.equal(seen.cwd, '/code');
  assert.equal(seen.relative, true, 'relative paths resolve in /code');
  assert.deepEqual(seen.code, ['data.txt', 'fn.txt', 'probe']);
  assert.equal(seen.write, 'EROFS');
  assert.equal(seen.hostname, `fc-${seen.env.FC_INSTANCE_ID}`);
  const { functionName, service, memory, hasCredentials } = seen.context;
  assert.deepEqual(
    { functionName, service, memory, hasCredentials },
    {
      functionName: 'fn',
      service: 'svc',
      memory: 128,
      hasCredentials: true,
    },
  );

  // The handler class loads on the first call: its static initialiser's output is in that call's log, framed
  // by FC's start and end lines, before the initializer's and the handler's.
  const lines = first.logs.split('\n');
  const at = (text: string) => lines.findIndex((line) => line.includes(text));
  assert.ok(at('FC Initialize Start') >= 0 && at('FC Invoke End') > at('FC Invoke Start'), first.logs);
  assert.ok(at('[INFO] static initialiser ran') > at('FC Initialize Start'), first.logs);
  assert.ok(at('[INFO] initializer ran') > at('[INFO] static initialiser ran'), first.logs);
  assert.ok(at('[INFO] handler log line') > at('FC Invoke Start'), first.logs);
  assert.ok(at('FC Invoke End') > at('[INFO] handler log line'), first.logs);

  // The function calls its agent's specialisation endpoint with its start token: its own path now, no change.
  const attack = JSON.parse((await invoke(pooled.fc, 'svc', 'fn', 'attack')).body) as { status: number };
  assert.notEqual(attack.status, 204);
  const after = JSON.parse((await invoke(pooled.fc, 'svc', 'fn', 'probe')).body) as Probe;
  assert.deepEqual(after.env, seen.env);

  // Another memory size means another -Xmx: not the pool's.
  await deployProbe(pooled.fc, 'svc', 'big', 'java11', { memorySize: 256 });
  await poolReady(pooled.server, 'java11', 1);
  const big = await invoke(pooled.fc, 'svc', 'big', 'probe');
  assert.equal(big.errorType, undefined, big.body);
  assert.equal(poolOf(pooled.server, 'java11').takes, 1, 'a 256 MB function starts as usual');
});

test('java8: two functions taken from the pool one after the other share nothing', { skip }, async (t) => {
  const { fc, server } = await startTestServer(t, { prewarm: 'java8=1' });
  await poolReady(server, 'java8', 1);
  await deployProbe(fc, 'svc', 'alpha', 'java8', { environmentVariables: { SECRET: 'alpha-secret' } });
  const alpha = JSON.parse((await invoke(fc, 'svc', 'alpha', 'probe')).body) as Probe;
  assert.equal(alpha.env.SECRET, 'alpha-secret');
  assert.equal((await invoke(fc, 'svc', 'alpha', 'tmp:alpha-was-here')).body, 'written');
  assert.equal((await invoke(fc, 'svc', 'alpha', 'read:/tmp/left-behind')).body, 'alpha-was-here');

  await poolReady(server, 'java8', 1);
  await deployProbe(fc, 'svc', 'beta', 'java8');
  const beta = JSON.parse((await invoke(fc, 'svc', 'beta', 'probe')).body) as Probe;
  assert.equal(poolOf(server, 'java8').takes, 2, 'both first calls came from the pool');
  assert.notEqual(beta.startedAt, alpha.startedAt);
  assert.equal(beta.env.SECRET, undefined);
  assert.equal(beta.childEnv?.SECRET, undefined);
  assert.equal(beta.env.FC_FUNCTION_NAME, 'beta');
  assert.deepEqual(beta.code, ['beta.txt', 'data.txt', 'probe']);
  assert.doesNotMatch(beta.mountinfo, /alpha/);
  assert.match((await invoke(fc, 'svc', 'beta', 'read:/code/alpha.txt')).body, /^error NoSuchFile/);
  assert.match((await invoke(fc, 'svc', 'beta', 'read:/tmp/left-behind')).body, /^error NoSuchFile/);

  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /kumo_prewarm_starts_total\{runtime="java8",result="take"\} 2/);
});
