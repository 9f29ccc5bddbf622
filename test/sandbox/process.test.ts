import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ProcessSandbox } from '../../src/sandbox/index.js';
import { until } from '../helpers/poll.js';
import { runSandboxConformance } from './conformance.js';
import { getJson, makeCodeDir, serverSpec, startInstance, waitReady } from './helpers.js';

/** True while `pid` exists and is not a zombie (orphans may wait a while for init to reap them). */
function isRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

runSandboxConformance(async () => new ProcessSandbox());

test('process sandbox: a unique port per instance, code path rewritten to the host dir', async (t) => {
  const sandbox = new ProcessSandbox();
  t.after(() => sandbox.close());
  const codeDir = await makeCodeDir(t);
  const a = await startInstance(t, sandbox, serverSpec(codeDir));
  const b = await startInstance(t, sandbox, serverSpec(codeDir));
  await Promise.all([waitReady(a.handle, a.stderr), waitReady(b.handle, b.stderr)]);
  assert.notEqual(a.handle.port, b.handle.port);
  assert.equal(a.handle.host, '127.0.0.1');
  const env = await getJson<Record<string, string>>(a.handle, '/env');
  assert.equal(env.FC_FUNC_CODE_PATH, codeDir);
  assert.match(sandbox.reason, /no memory/);
});

test('process sandbox: stop kills children left in the process group', async (t) => {
  const sandbox = new ProcessSandbox();
  t.after(() => sandbox.close());
  const codeDir = await makeCodeDir(t);
  const spec = serverSpec(codeDir, { command: ['sh', '-c', 'sleep 30 & echo $!; exec node server.cjs'] });
  const { handle, stdout, stderr } = await startInstance(t, sandbox, spec);
  await waitReady(handle, stderr);
  const sleeper = Number(stdout.text().split('\n')[0]);
  assert.ok(sleeper > 0);
  await handle.stop();
  await until(() => !isRunning(sleeper), { what: 'the background child is gone (or a zombie)' });
});
