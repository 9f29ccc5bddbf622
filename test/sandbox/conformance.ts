import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/index.js';
import { canConnect, getJson, makeCodeDir, serverSpec, startInstance, waitReady } from './helpers.js';

export interface ConformanceOptions {
  /** Tests to skip (by name, or 'all') with the reason shown in the report. */
  skip?: Array<{ reason: string; tests: string[] | 'all' }>;
}

export const CONFORMANCE_TESTS = [
  'serves HTTP on host:port and passes the environment',
  'does not leak the environment of Kumo',
  'reports the exit of the instance',
  'stop kills the instance and is idempotent',
  'measures peak memory',
  'reports a command that cannot run',
  'runs a command from an extra read-only mount',
  'close stops every instance',
] as const;

type TestName = (typeof CONFORMANCE_TESTS)[number];

/**
 * Checks that nothing answers on a stopped instance's address. Only for loopback: a netns address is gone after
 * stop, and connecting to it would send packets out of the host's default route.
 */
async function assertNotListening(handle: { host: string; port: number }): Promise<void> {
  if (handle.host !== '127.0.0.1') return;
  assert.equal(await canConnect(handle.host, handle.port), false, 'nothing listens after stop');
}

/** The behaviour every `Sandbox` implementation must have, run against real processes. */
export function runSandboxConformance(
  makeSandbox: () => Promise<Sandbox>,
  options: ConformanceOptions = {},
): void {
  const skipReason = (name: TestName): string | undefined =>
    options.skip?.find((s) => s.tests === 'all' || s.tests.includes(name))?.reason;
  let sandbox: Sandbox | undefined;
  const sb = (): Sandbox => {
    assert.ok(sandbox, 'sandbox was not created');
    return sandbox;
  };
  const it = (name: TestName, fn: (t: import('node:test').TestContext) => Promise<void>) =>
    test(name, { skip: skipReason(name) ?? false }, fn);

  describe('sandbox conformance', () => {
    before(async () => {
      if (CONFORMANCE_TESTS.some((name) => !skipReason(name))) sandbox = await makeSandbox();
    });
    after(() => sandbox?.close());

    it('serves HTTP on host:port and passes the environment', async (t) => {
      const codeDir = await makeCodeDir(t);
      const { handle, stdout, stderr } = await startInstance(t, sb(), serverSpec(codeDir));
      await waitReady(handle, stderr);
      assert.equal(await getJson(handle, '/'), 'ok');
      const env = await getJson<Record<string, string>>(handle, '/env');
      assert.equal(env.MY_VAR, 'hello');
      assert.equal(env.FC_FUNCTION_NAME, 'fn');
      assert.equal(env.FC_SERVER_PORT, String(handle.port));
      assert.equal(env.FC_CUSTOM_LISTEN_PORT, String(handle.port));
      const id = await getJson<{ cwd: string }>(handle, '/id');
      assert.equal(id.cwd, env.FC_FUNC_CODE_PATH, 'cwd is the code root');
      assert.match(stdout.text(), new RegExp(`listening on ${handle.port}`));
      assert.ok(handle.pid > 0);
    });

    it('does not leak the environment of Kumo', async (t) => {
      process.env.KUMO_TEST_SECRET = 'do-not-leak';
      t.after(() => {
        delete process.env.KUMO_TEST_SECRET;
      });
      const codeDir = await makeCodeDir(t);
      const { handle, stderr } = await startInstance(t, sb(), serverSpec(codeDir));
      await waitReady(handle, stderr);
      const env = await getJson<Record<string, string>>(handle, '/env');
      assert.equal(env.KUMO_TEST_SECRET, undefined);
      assert.ok(env.PATH, 'PATH is set');
    });

    it('reports the exit of the instance', async (t) => {
      const codeDir = await makeCodeDir(t);
      const { handle, stderr } = await startInstance(t, sb(), serverSpec(codeDir));
      await waitReady(handle, stderr);
      assert.equal(await getJson(handle, '/exit?code=3'), 'bye');
      assert.deepEqual(await handle.exited, { code: 3, signal: null, oomKilled: false });
    });

    it('stop kills the instance and is idempotent', async (t) => {
      const codeDir = await makeCodeDir(t);
      const { handle, stderr } = await startInstance(t, sb(), serverSpec(codeDir));
      await waitReady(handle, stderr);
      await handle.stop();
      const exit = await handle.exited;
      assert.equal(exit.oomKilled, false);
      assert.ok(exit.signal !== null || exit.code !== null);
      await assertNotListening(handle);
      await Promise.all([handle.stop(), handle.stop()]);
    });

    it('measures peak memory', async (t) => {
      const codeDir = await makeCodeDir(t);
      const { handle, stderr } = await startInstance(t, sb(), serverSpec(codeDir));
      await waitReady(handle, stderr);
      handle.resetPeakMemory();
      const before = handle.peakMemoryBytes();
      assert.ok(before > 0, `peak after reset is ${before}`);
      await getJson(handle, '/alloc?mb=64');
      const peak = handle.peakMemoryBytes();
      assert.ok(peak >= before + 50 * 1024 * 1024, `peak ${peak} should grow by ~64 MB from ${before}`);
      handle.resetPeakMemory();
      assert.ok(handle.peakMemoryBytes() > 0);
    });

    it('reports a command that cannot run', async (t) => {
      const codeDir = await makeCodeDir(t);
      const spec = serverSpec(codeDir, { command: ['/code/no-such-bootstrap'] });
      try {
        const { handle } = await startInstance(t, sb(), spec);
        const exit = await handle.exited;
        assert.ok(exit.code !== 0, 'a command that cannot run exits non-zero');
      } catch (error) {
        assert.ok(error instanceof Error && /no-such-bootstrap/.test(error.message), String(error));
      }
    });

    it('runs a command from an extra read-only mount', async (t) => {
      const codeDir = await makeCodeDir(t);
      const agentDir = await makeCodeDir(t);
      const spec = serverSpec(codeDir, {
        command: ['node', '/opt/kumo/agent/server.cjs'],
        readOnlyMounts: [{ hostPath: agentDir, sandboxPath: '/opt/kumo/agent' }],
      });
      const { handle, stderr } = await startInstance(t, sb(), spec);
      await waitReady(handle, stderr);
      assert.equal(await getJson(handle, '/'), 'ok');
    });

    it('close stops every instance', async (t) => {
      const own = await makeSandbox();
      const codeDir = await makeCodeDir(t);
      const first = await startInstance(t, own, serverSpec(codeDir));
      const second = await startInstance(t, own, serverSpec(codeDir));
      await waitReady(first.handle, first.stderr);
      await waitReady(second.handle, second.stderr);
      await own.close();
      await Promise.all([first.handle.exited, second.handle.exited]);
      await assertNotListening(first.handle);
      await assertNotListening(second.handle);
    });
  });
}
