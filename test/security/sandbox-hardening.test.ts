import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import type FC from '@alicloud/fc2';
import { detectCgroupLayout } from '../../src/sandbox/cgroup.js';
import { zipFiles } from '../helpers/code.js';
import { invoke } from '../helpers/functions.js';
import { startTestServer } from '../helpers/server.js';

const REPO = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const HOSTILE = readFileSync(new URL('../fixtures/security/hostile.py', import.meta.url), 'utf8');
const unavailable =
  process.platform !== 'linux' || process.getuid?.() !== 0
    ? 'the bwrap sandbox needs root on Linux'
    : !existsSync('/usr/bin/python3')
      ? 'needs /usr/bin/python3'
      : undefined;

async function deployHostile(fc: FC, name: string, memorySize = 128): Promise<void> {
  await fc.createService('evil').catch((error: Error & { code?: string }) => {
    if (error.code !== 'ServiceAlreadyExists') throw error;
  });
  await fc.createFunction('evil', {
    functionName: name,
    runtime: 'python3.10',
    handler: 'index.handler',
    memorySize,
    timeout: 60,
    code: { zipFile: await zipFiles({ 'index.py': HOSTILE }) },
  });
}

async function attack(fc: FC, name: string, what: string): Promise<Record<string, unknown>> {
  const result = await invoke(fc, 'evil', name, what);
  assert.equal(result.errorType, undefined, `${what}: ${result.body}`);
  return JSON.parse(result.body) as Record<string, unknown>;
}

/** The cgroup dirs (cpu controller) of this process's instances, and the file holding their CFS quota. */
function instanceCpuQuotas(): number[] {
  const layout = detectCgroupLayout();
  const parent = layout.version === 2 ? join(layout.root, 'kumo') : layout.cpu && join(layout.cpu, 'kumo');
  if (!parent) return [];
  return readdirSync(parent)
    .filter((name) => name.startsWith(`kumo-${process.pid}-`))
    .map((name) => {
      const dir = join(parent, name);
      if (layout.version === 2) return Number(readFileSync(join(dir, 'cpu.max'), 'utf8').split(' ')[0]);
      return Number(readFileSync(join(dir, 'cpu.cfs_quota_us'), 'utf8'));
    });
}

/** pids.current and the count of forks refused at pids.max, per instance cgroup of this process. */
function instancePids(): Array<{ current: number; refused: number }> {
  const layout = detectCgroupLayout();
  const parent = join(layout.version === 2 ? layout.root : layout.pids, 'kumo');
  return readdirSync(parent)
    .filter((name) => name.startsWith(`kumo-${process.pid}-`))
    .map((name) => ({
      current: Number(readFileSync(join(parent, name, 'pids.current'), 'utf8')),
      refused: Number(/^max (\d+)/m.exec(readFileSync(join(parent, name, 'pids.events'), 'utf8'))?.[1] ?? 0),
    }));
}

/** Polls `check` until it returns true (the instance of a deleted function stops in the background). */
async function eventually(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`still not true after 30 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function server(t: TestContext) {
  const started = await startTestServer(t, { sandbox: 'bwrap', instancePidsLimit: 64 });
  assert.equal(started.server.sandbox.kind, 'bwrap');
  return started;
}

describe('sandbox hardening: hostile functions in the bwrap sandbox', { skip: unavailable ?? false }, () => {
  test('no user namespaces (unshare -Ur, nested bwrap), no mount, and a seccomp filter is on', async (t) => {
    const { fc } = await server(t);
    await deployHostile(fc, 'ns');
    const unshare = await attack(fc, 'ns', 'unshare');
    assert.notEqual(unshare.code, 0, `unshare -Ur worked: ${unshare.output}`);
    assert.match(String(unshare.output), /Operation not permitted/);
    const bwrap = await attack(fc, 'ns', 'bwrap');
    assert.notEqual(bwrap.code, 0, `nested bwrap worked: ${bwrap.output}`);
    const mount = await attack(fc, 'ns', 'mount');
    assert.notEqual(mount.code, 0, `mount worked: ${mount.output}`);
    const { status, uid } = await attack(fc, 'ns', 'files');
    assert.match(String(status), /^Seccomp:\s+2$/m, 'the seccomp filter mode');
    assert.match(String(status), /^NoNewPrivs:\s+1$/m);
    assert.notEqual(uid, 0);
  });

  test('/etc/passwd and /etc/group hold root and the function user only; mountinfo shows no host path', async (t) => {
    const { fc, dataDir } = await server(t);
    await deployHostile(fc, 'files');
    const { passwd, group, mountinfo, uid } = await attack(fc, 'files', 'files');
    const users = String(passwd)
      .trim()
      .split('\n')
      .map((line) => line.split(':'));
    assert.deepEqual(
      users.map(([name, , id]) => [name, Number(id)]),
      [
        ['root', 0],
        ['user', uid],
      ],
    );
    assert.deepEqual(
      String(group)
        .trim()
        .split('\n')
        .map((line) => line.split(':')[0]),
      ['root', 'user'],
    );
    const table = String(mountinfo);
    assert.match(table, / \/code /, 'the code is mounted');
    for (const secret of [dataDir, basename(dataDir), REPO])
      assert.ok(!table.includes(secret), `mountinfo shows ${secret}:\n${table}`);
  });

  test('a fork bomb stays under the pids limit; the server and other functions stay responsive', async (t) => {
    const { fc, server: kumo } = await server(t);
    await deployHostile(fc, 'bomb');
    await deployHostile(fc, 'bystander');
    // The bomb collapses and regrows as forks fail, so the function's own sampling of /proc may miss its peaks:
    // the kernel's count of refused forks is what proves it ran into the limit.
    await attack(fc, 'bomb', 'forkbomb');
    // The kernel's own count: the bomb hit the limit (forks were refused) and no instance is above it.
    await eventually('the bomb hit the pids limit', () =>
      instancePids().some((instance) => instance.refused > 0),
    );
    const pids = instancePids();
    assert.equal(pids.filter((instance) => instance.refused > 0).length, 1, JSON.stringify(pids));
    for (const instance of pids) assert.ok(instance.current <= 64, JSON.stringify(pids));
    // The bomb keeps forking in its instance while these run.
    const health = await fetch(`${kumo.url}/healthz`);
    assert.equal(health.status, 200);
    const { uid } = await attack(fc, 'bystander', 'files');
    assert.notEqual(uid, 0);
    await fc.deleteFunction('evil', 'bomb');
    await fc.deleteFunction('evil', 'bystander');
  });

  test("each instance's cgroup carries a CPU quota scaled from its memory", async (t) => {
    const { fc } = await server(t);
    await deployHostile(fc, 'big', 1536);
    await attack(fc, 'big', 'files');
    const expected = Math.min(1.5, availableParallelism()) * 100_000;
    assert.deepEqual(instanceCpuQuotas(), [expected]);
    await fc.deleteFunction('evil', 'big');
    await eventually('the instance of the deleted function is gone', () => instanceCpuQuotas().length === 0);
    await deployHostile(fc, 'small', 128);
    await attack(fc, 'small', 'files');
    assert.deepEqual(instanceCpuQuotas(), [Math.min(0.5, availableParallelism()) * 100_000]);
  });
});
