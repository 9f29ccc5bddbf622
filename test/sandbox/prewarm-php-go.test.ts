import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invoke } from '../helpers/functions.js';
import { until } from '../helpers/poll.js';
import { startTestServer } from '../helpers/server.js';
import {
  comparable,
  deployProbe,
  firstCallBothWays,
  type PooledRuntime,
  type Probe,
  poolOf,
  poolReady,
} from './prewarm-helpers.js';

const canPool = process.getuid?.() === 0 && process.env.KUMO_SANDBOX !== 'process';
const skip = !canPool && 'pre-warmed pools need the bwrap sandbox as root';
const RUNTIMES = ['php7.2', 'go1'] as const satisfies readonly PooledRuntime[];

/** FC_* variables a function may see (the agents' KEEP lists); the PHP agent removes the others. */
const KEPT_FC = new Set([
  'FC_FUNC_CODE_PATH',
  'FC_FUNCTION_MEMORY_SIZE',
  'FC_ACCOUNT_ID',
  'FC_FUNCTION_HANDLER',
  'FC_FUNCTION_NAME',
  'FC_SERVICE_NAME',
  'FC_QUALIFIER',
  'FC_REGION',
  'FC_INSTANCE_ID',
  'FC_SERVER_PORT',
  'FC_CUSTOM_LISTEN_PORT',
  'FC_RUNTIME_VERSION',
  'FC_VER_ID',
  'FC_FUNCTION_VERSION',
]);

/** A go1 handler's text answer is a JSON string (the SDK marshals what the handler returns). */
const text = (runtime: string, body: string): string =>
  runtime === 'go1' ? (JSON.parse(body) as string) : body;

type PhpProbe = Probe & { server: Record<string, string>; envArray: Record<string, string> | [] };

for (const runtime of RUNTIMES) {
  test(`${runtime}: a new function's first call is served by a pre-warmed instance that behaves as a cold-started one`, {
    skip,
  }, async (t) => {
    const { pooled, deployedAt, first, seen, normal, cold } = await firstCallBothWays<PhpProbe>(t, runtime);
    if (runtime === 'php7.2') {
      assert.ok(seen.startedAt < deployedAt, 'the PHP process was running before the function existed');
    } else {
      // The bridge was running; the function's executable is started once the instance is the function's.
      assert.ok(seen.startedAt > deployedAt, 'the executable started after specialisation');
    }
    assert.deepEqual(comparable(seen, first.logs), comparable(cold, normal.logs));

    // Logs framed by FC's lines. PHP loads the code on the first call, so what it prints then is in that call's log;
    // a Go executable prints it when it starts, before any call, as at a normal start.
    const lines = first.logs.split('\n').filter(Boolean);
    assert.match(lines[0] ?? '', /^FC Initialize Start RequestId: /, first.logs);
    assert.match(lines.at(-2) ?? '', /^FC Invoke End RequestId: /, first.logs);
    assert.match(first.logs, /handler log line/);
    if (runtime === 'php7.2') assert.match(first.logs, /probe loaded/);
    else assert.doesNotMatch(first.logs + normal.logs, /probe loaded/);

    // What the function sees is its own: variables (FC's internal ones removed as at a normal start), code, name.
    assert.equal(seen.env.MY_VAR, 'value-of-fn');
    assert.equal(seen.env.KUMO_PREWARM_TOKEN, undefined);
    assert.equal(seen.env.FC_FUNCTION_NAME, 'fn');
    assert.equal(seen.context.functionName, 'fn');
    assert.equal(seen.context.memory, 128);
    assert.equal(seen.context.hasCredentials, true);
    if (runtime === 'php7.2') {
      for (const name of Object.keys(seen.env)) assert.ok(!/^_?FC_/.test(name) || KEPT_FC.has(name), name);
      for (const probe of [seen, cold]) {
        assert.deepEqual(probe.server, probe.env, '$_SERVER and getenv() agree');
        assert.deepEqual(probe.envArray, [], "$_ENV is empty as variables_order 'GPCS' makes it");
      }
    }
    const executable = runtime === 'go1' ? ['index.handler', 'main'] : ['index.php'];
    assert.deepEqual(seen.code, ['data.txt', 'fn.txt', ...executable].sort());
    assert.equal(seen.cwd, '/code');
    assert.equal(seen.hostname, `fc-${seen.env.FC_INSTANCE_ID}`);
    assert.match(seen.hosts, new RegExp(` fc-${seen.env.FC_INSTANCE_ID}\\n`));
    assert.equal(seen.write, 'EROFS');
    const codeMounts = seen.mountinfo.split('\n').filter((line) => line.split(' ')[4] === '/code');
    assert.ok(codeMounts.length > 0);
    for (const line of codeMounts) assert.match(line.split(' ')[5] ?? '', /^ro,nosuid,nodev/, line);
    assert.doesNotMatch(seen.mountinfo, /kumo-test-|\/code\/[0-9a-f]{2}\//, 'no host path of the code');

    // The function asks its own agent to re-specialise it with the token its instance was started with: an
    // ordinary request to the function now, nothing changes.
    const attack = JSON.parse((await invoke(pooled.fc, 'svc', 'fn', 'attack')).body) as { token: boolean };
    assert.equal(attack.token, true, 'the start token is readable in /proc, and useless');
    const answer = await until(
      async () => {
        const body = (await invoke(pooled.fc, 'svc', 'fn', 'attack-result')).body;
        const value: unknown = body === '' ? '' : JSON.parse(body);
        return typeof value === 'object' ? (value as { status: number }) : undefined;
      },
      { what: 'the answer to the attack', timeoutMs: 30_000 },
    );
    assert.ok(answer.status > 0 && answer.status !== 204, JSON.stringify(answer));
    const after = JSON.parse((await invoke(pooled.fc, 'svc', 'fn', 'probe')).body) as Probe;
    assert.deepEqual(after.env, seen.env);
    assert.ok(Math.abs(after.startedAt - seen.startedAt) < 50, 'the same process');

    await poolReady(pooled.server, runtime, 1);
  });

  test(`${runtime}: two functions from the pool in sequence: the second sees nothing of the first`, {
    skip,
  }, async (t) => {
    const { fc, server } = await startTestServer(t, { prewarm: `${runtime}=1` });
    await poolReady(server, runtime, 1);
    await deployProbe(fc, 'svc', 'alpha', runtime, { environmentVariables: { SECRET: 'alpha-secret' } });
    await deployProbe(fc, 'svc', 'beta', runtime);
    const alpha = JSON.parse((await invoke(fc, 'svc', 'alpha', 'probe')).body) as Probe;
    assert.equal(alpha.env.SECRET, 'alpha-secret');
    assert.equal(text(runtime, (await invoke(fc, 'svc', 'alpha', 'stash')).body).length > 0, true);
    await poolReady(server, runtime, 1);
    const beta = JSON.parse((await invoke(fc, 'svc', 'beta', 'probe')).body) as Probe;
    assert.equal(poolOf(server, runtime).takes, 2, 'both first calls came from the pool');

    assert.equal(beta.env.SECRET, undefined);
    assert.equal(beta.env.FC_FUNCTION_NAME, 'beta');
    assert.ok(!beta.code.includes('alpha.txt'));
    assert.notEqual(beta.hostname, alpha.hostname);
    assert.doesNotMatch(beta.mountinfo, /alpha/);
    for (const path of ['/code/alpha.txt', '/tmp/stash.txt']) {
      assert.match(text(runtime, (await invoke(fc, 'svc', 'beta', `read:${path}`)).body), /^error ENOENT/);
    }
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, new RegExp(`kumo_prewarm_starts_total\\{runtime="${runtime}",result="take"\\} 2`));
  });
}
