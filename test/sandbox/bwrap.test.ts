import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { detectCgroupLayout } from '../../src/sandbox/cgroup.js';
import { BwrapSandbox, probeBwrap, sweepLeftovers } from '../../src/sandbox/index.js';
import { until } from '../helpers/poll.js';
import { runSandboxConformance } from './conformance.js';
import { getJson, makeCodeDir, serverSpec, startInstance, waitReady } from './helpers.js';

const probe = await probeBwrap();
const unavailable =
  typeof probe === 'string' ? `bwrap cannot work here (detect chose process): ${probe}` : undefined;
if (typeof probe !== 'string') await probe.close();

runSandboxConformance(async () => new BwrapSandbox(), {
  skip: unavailable ? [{ reason: unavailable, tests: 'all' }] : [],
});

/** The instance's cgroup dirs (memory first), as the sandbox names them. */
function cgroupDirs(instanceId: string): string[] {
  const layout = detectCgroupLayout();
  const name = `kumo-${process.pid}-${instanceId}`;
  return layout.version === 1
    ? [join(layout.memory, 'kumo', name), join(layout.pids, 'kumo', name)]
    : [join(layout.root, 'kumo', name)];
}

const readCg = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8');
const hostAddresses = (): string =>
  spawnSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' }).stdout;

/** The name of this process's netns whose eth0 has `ip` (instances take their netns from a pool). */
function netnsHolding(ip: string): string {
  for (const name of readdirSync('/run/netns').filter((n) => n.startsWith(`kumo-${process.pid}-`))) {
    const out = spawnSync('ip', ['-n', name, '-o', '-4', 'addr', 'show', 'dev', 'eth0'], {
      encoding: 'utf8',
    });
    if (out.stdout.includes(`inet ${ip}/`)) return name;
  }
  throw new Error(`no netns of ours holds ${ip}`);
}

describe('bwrap isolation', { skip: unavailable ?? false }, () => {
  let sandbox: BwrapSandbox;
  before(() => {
    sandbox = new BwrapSandbox();
  });
  after(() => sandbox.close());

  test('two instances listen on port 9000 at once, both reachable', async (t) => {
    const codeDir = await makeCodeDir(t);
    const a = await startInstance(t, sandbox, serverSpec(codeDir));
    const b = await startInstance(t, sandbox, serverSpec(codeDir));
    await Promise.all([waitReady(a.handle, a.stderr), waitReady(b.handle, b.stderr)]);
    assert.equal(a.handle.port, 9000);
    assert.equal(b.handle.port, 9000);
    assert.notEqual(a.handle.host, b.handle.host);
    const [idA, idB] = await Promise.all([
      getJson<{ hostname: string }>(a.handle, '/id'),
      getJson<{ hostname: string }>(b.handle, '/id'),
    ]);
    assert.equal(idA.hostname, `fc-${a.handle.instanceId}`);
    assert.equal(idB.hostname, `fc-${b.handle.instanceId}`);
  });

  test('/code is read-only, the uid is not root, env is exactly what was asked', async (t) => {
    const codeDir = await makeCodeDir(t);
    const spec = serverSpec(codeDir, { env: { A: '1', LD_LIBRARY_PATH: '/code/lib' } });
    const { handle, stderr } = await startInstance(t, sandbox, spec);
    await waitReady(handle, stderr);
    const id = await getJson<{ uid: number; gid: number; cwd: string }>(handle, '/id');
    assert.notEqual(id.uid, 0);
    assert.notEqual(id.gid, 0);
    assert.equal(id.cwd, '/code');
    for (const path of ['/code/new-file', '/code/server.cjs', '/usr/kumo-test', '/etc/kumo-test']) {
      const result = await getJson<{ ok: boolean; code?: string }>(handle, `/write?path=${path}`);
      assert.equal(result.ok, false, `${path} must not be writable`);
    }
    assert.equal(existsSync(join(codeDir, 'new-file')), false);
    const env = await getJson<Record<string, string>>(handle, '/env');
    const expected = [
      'A',
      'FC_CUSTOM_LISTEN_PORT',
      'FC_FUNC_CODE_PATH',
      'FC_SERVER_PORT',
      'HOME',
      'LD_LIBRARY_PATH',
    ];
    assert.deepEqual(Object.keys(env).sort(), [...expected, 'PATH', 'PWD']);
    assert.equal(env.FC_FUNC_CODE_PATH, '/code');
    assert.equal(env.LD_LIBRARY_PATH, '/code/lib');
    const status = await getJson<{ text: string }>(handle, '/read?path=/proc/self/status');
    assert.match(status.text, /^CapEff:\s+0+$/m, 'no capabilities');
    assert.match(status.text, /^NoNewPrivs:\s+1$/m);
  });

  test('/tmp is private, writable and limited to tmpSizeMb', async (t) => {
    const codeDir = await makeCodeDir(t);
    const { handle, stderr } = await startInstance(t, sandbox, serverSpec(codeDir, { tmpSizeMb: 4 }));
    await waitReady(handle, stderr);
    const marker = `/tmp/kumo-sandbox-marker-${process.pid}`;
    assert.deepEqual(await getJson(handle, `/write?path=${marker}`), { ok: true });
    assert.equal(existsSync(marker), false, "the instance's /tmp is not the host's");
    const hostFile = `${codeDir}-host-only`;
    writeFileSync(hostFile, 'secret');
    t.after(() => spawnSync('rm', ['-f', hostFile]));
    assert.equal((await getJson<{ ok: boolean }>(handle, `/read?path=${hostFile}`)).ok, false);
    const big = await getJson<{ ok: boolean; code?: string }>(
      handle,
      `/write?path=/tmp/big&bytes=${8 << 20}`,
    );
    assert.deepEqual(big, { ok: false, code: 'ENOSPC' });
  });

  test('memory limit: 300 MB in a 128 MB sandbox is OOM-killed', async (t) => {
    const codeDir = await makeCodeDir(t);
    const spec = serverSpec(codeDir, { memoryMb: 128, command: ['node', '/code/hog.cjs', '300'] });
    const { handle, stdout } = await startInstance(t, sandbox, spec);
    const exit = await handle.exited;
    assert.deepEqual(exit, { code: null, signal: 'SIGKILL', oomKilled: true });
    assert.doesNotMatch(stdout.text(), /allocated 300 MB/);
    assert.ok(handle.peakMemoryBytes() <= 128 * 1024 * 1024);
  });

  test('pids limit contains a fork bomb; stop cleans it all up', async (t) => {
    const codeDir = await makeCodeDir(t);
    const spec = serverSpec(codeDir, {
      pidsLimit: 64,
      // The bomb forks in a background subshell; the instance's own shell forks once, first, then execs.
      command: ['sh', '-c', '(f() { f | f & }; f) & exec sleep 60'],
    });
    const { handle } = await startInstance(t, sandbox, spec);
    const [memoryDir = '', pidsDir = memoryDir] = cgroupDirs(handle.instanceId);
    await until(() => /^max [1-9]/m.test(readCg(pidsDir, 'pids.events')), {
      what: 'the fork bomb hits the pids limit',
      detail: () => readCg(pidsDir, 'pids.events'),
    });
    const current = Number(readCg(pidsDir, 'pids.current'));
    assert.ok(current <= 64, `pids.current ${current} exceeds the limit`);
    assert.equal(spawnSync('true').status, 0, 'the host can still start processes');
    const started = Date.now();
    await handle.stop();
    assert.ok(Date.now() - started < 5000, 'stop is quick');
    const exit = await handle.exited;
    assert.ok(exit.signal !== null, `stopped by a signal, not exited by itself: ${JSON.stringify(exit)}`);
    for (const dir of cgroupDirs(handle.instanceId)) assert.equal(existsSync(dir), false, `${dir} removed`);
  });

  test('stop removes the netns, the veth pair and the cgroups', async (t) => {
    const codeDir = await makeCodeDir(t);
    const { handle, stderr } = await startInstance(t, sandbox, serverSpec(codeDir));
    await waitReady(handle, stderr);
    const netns = `/run/netns/${netnsHolding(handle.host)}`;
    const hostIp = handle.host.replace(/\d+$/, (last) => String(Number(last) - 1));
    assert.ok(existsSync(netns));
    assert.match(hostAddresses(), new RegExp(`inet ${hostIp.replaceAll('.', '\\.')}/30`));
    for (const dir of cgroupDirs(handle.instanceId)) assert.ok(existsSync(dir));
    await handle.stop();
    assert.equal(existsSync(netns), false);
    assert.doesNotMatch(hostAddresses(), new RegExp(`inet ${hostIp.replaceAll('.', '\\.')}/`));
    for (const dir of cgroupDirs(handle.instanceId)) assert.equal(existsSync(dir), false);
  });

  test('instance networks are made ahead of starts, used once, and removed at close', async (t) => {
    const subnet = '10.215.7.0/24'; // apart from the other sandboxes', so their pools do not show up here
    const ours = () =>
      readdirSync('/run/netns').filter((name) => {
        if (!name.startsWith(`kumo-${process.pid}-net-`)) return false;
        const out = spawnSync('ip', ['-n', name, '-o', '-4', 'addr', 'show', 'dev', 'eth0'], {
          encoding: 'utf8',
        });
        return out.stdout.includes('inet 10.215.7.');
      });
    const pooled = new BwrapSandbox({ subnet, networkPool: 2 });
    t.after(() => pooled.close());
    await pooled.prepare();
    await until(() => ours().length >= 2, { what: 'two networks are made ahead', timeoutMs: 10_000 });
    const made = ours();
    assert.equal(made.length, 2, 'two networks ready before any start');
    const codeDir = await makeCodeDir(t);
    const { handle, stderr } = await startInstance(t, pooled, serverSpec(codeDir));
    await waitReady(handle, stderr);
    const used = netnsHolding(handle.host);
    assert.ok(made.includes(used), 'the instance took a network made ahead');
    await handle.stop();
    assert.equal(existsSync(`/run/netns/${used}`), false, 'a used network is destroyed, not reused');
    await pooled.close();
    assert.deepEqual(ours(), [], 'close removes the networks no instance took');
  });

  test('leftovers of a crashed Kumo (netns, cgroups, processes) are removed; others are kept', async (t) => {
    const dead = spawnSync('true').pid;
    assert.ok(dead);
    const slot = `kumo-${dead}-leftover`;
    const foreign = `kumo-notours-${process.pid}`;
    assert.equal(spawnSync('ip', ['netns', 'add', slot]).status, 0);
    assert.equal(spawnSync('ip', ['netns', 'add', foreign]).status, 0);
    t.after(() => spawnSync('ip', ['netns', 'del', foreign]));
    const dirs = cgroupDirs('x').map((dir) => join(dir, '..', slot));
    for (const dir of dirs) mkdirSync(dir, { recursive: true });
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    t.after(() => sleeper.kill('SIGKILL'));
    const gone = new Promise((resolve) => sleeper.once('exit', resolve));
    for (const dir of dirs) writeFileSync(join(dir, 'cgroup.procs'), String(sleeper.pid));
    t.after(() => {
      for (const dir of dirs) if (existsSync(dir)) rmdirSync(dir);
    });
    await sweepLeftovers();
    await gone;
    assert.equal(existsSync(`/run/netns/${slot}`), false);
    assert.equal(existsSync(`/run/netns/${foreign}`), true);
    for (const dir of dirs) assert.equal(existsSync(dir), false);
  });
});
