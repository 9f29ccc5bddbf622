import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import { detectCgroupLayout } from '../../src/sandbox/cgroup.js';
import { listFirewallTables } from '../../src/sandbox/firewall.js';
import { probeBwrap } from '../../src/sandbox/index.js';
import { listNetns, listVeths } from '../../src/sandbox/network.js';
import { containerTestsUnavailable, useSuiteImage } from '../containers/helpers.js';
import {
  ACCESS_KEY_ID,
  ACCESS_KEY_SECRET,
  ACCOUNT_ID,
  sdkClient,
  startTestServer,
} from '../helpers/server.js';
import { deployProbe, PROBE_SOURCE, probe } from './network-helpers.js';

const KUMO = new URL('../../bin/kumo.js', import.meta.url).pathname;
const bwrap = await probeBwrap();
if (typeof bwrap !== 'string') await bwrap.close();
const unavailable = typeof bwrap === 'string' ? `bwrap cannot work here: ${bwrap}` : undefined;
const noContainers = containerTestsUnavailable();

/** Every host resource named after Kumo process `pid`, by kind. */
async function resourcesOf(pid: number, dataDir: string): Promise<Record<string, string[]>> {
  const mine = (name: string) => name.startsWith(`kumo-${pid}-`);
  const layout = detectCgroupLayout();
  const parents =
    layout.version === 1
      ? [join(layout.memory, 'kumo'), join(layout.pids, 'kumo')]
      : [join(layout.root, 'kumo')];
  const cgroups = parents.flatMap((dir) => (existsSync(dir) ? readdirSync(dir).filter(mine) : []));
  const processes = parents.flatMap((dir) =>
    readdirSync(dir)
      .filter(mine)
      .flatMap((name) =>
        readFileSync(join(dir, name, 'cgroup.procs'), 'utf8')
          .split('\n')
          .filter(Boolean),
      ),
  );
  const list = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter(mine) : []);
  return {
    netns: listNetns().filter(mine),
    veths: (await listVeths('ip')).filter(([, alias]) => mine(alias)).map(([name]) => name),
    cgroups,
    processes,
    firewall: (await listFirewallTables()).filter(mine),
    runc: list('/run/kumo-runc'),
    bundles: list(join(dataDir, 'containers')),
  };
}

const total = (resources: Record<string, string[]>) =>
  Object.values(resources).reduce((sum, names) => sum + names.length, 0);

/** The real `kumo serve` (built dist) on a free port with the test credentials. */
async function serve(t: TestContext, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [KUMO, 'serve', '--port', '0', '--data-dir', dataDir], {
    env: {
      ...process.env,
      KUMO_LOG_LEVEL: 'warn',
      KUMO_ACCESS_KEY_ID: ACCESS_KEY_ID,
      KUMO_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
      KUMO_ACCOUNT_ID: ACCOUNT_ID,
      KUMO_REGISTRY_INSECURE: '', // the test registry is on loopback: no setting needed
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  for (let i = 0; i < 600 && !/listening on (\S+)/.test(output) && child.exitCode === null; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const url = /listening on (\S+)/.exec(output)?.[1];
  assert.ok(url, `kumo serve did not start: ${output}`);
  return { child, url };
}

/** Starts instances in a `kumo serve` (two services, plus a container where runc works), then SIGKILLs it. */
async function crashWithInstances(
  t: TestContext,
  dataDir: string,
  image: string | undefined,
): Promise<number> {
  const { child, url } = await serve(t, dataDir);
  const fc = sdkClient(url);
  await deployProbe(fc, 'one');
  await deployProbe(fc, 'two', { internetAccess: false });
  await probe(fc, 'one', []);
  await probe(fc, 'two', []);
  if (image) {
    await fc.createService('boxed');
    await fc.createFunction('boxed', {
      functionName: 'probe',
      runtime: 'custom-container',
      handler: 'not-used',
      memorySize: 256,
      timeout: 10,
      caPort: 9000,
      customContainerConfig: { image, args: JSON.stringify(['-e', PROBE_SOURCE]) },
    });
    await probe(fc, 'boxed', []);
  }
  const pid = child.pid ?? 0;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  const left = await resourcesOf(pid, dataDir);
  // What a crash leaves: the instances keep running in their cgroups and netns.
  for (const kind of ['netns', 'veths', 'cgroups', 'processes', 'firewall']) {
    assert.ok(left[kind]?.length, `a SIGKILLed server leaves ${kind}: ${JSON.stringify(left)}`);
  }
  if (image) assert.ok(left.runc?.length && left.bundles?.length, JSON.stringify(left));
  return pid;
}

describe('crash hygiene: a SIGKILLed kumo serve leaves nothing behind', {
  skip: unavailable ?? false,
}, () => {
  before(() => {
    if (!existsSync(new URL('../../dist/cli/main.js', import.meta.url))) throw new Error('run npm run build');
  });
  const suite = useSuiteImage(
    { before, after },
    'test/probe',
    { entrypoint: ['/usr/bin/node'], env: ['PATH=/usr/bin:/bin'] },
    !noContainers,
  );

  test('kumo doctor --clean removes every leftover and says what it removed', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kumo-crash-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const pid = await crashWithInstances(t, dataDir, suite.image);
    const left = await resourcesOf(pid, dataDir);

    const doctor = spawnSync(process.execPath, [KUMO, 'doctor', '--clean'], {
      env: { ...process.env, KUMO_DATA_DIR: dataDir },
      encoding: 'utf8',
    });
    assert.equal(doctor.status, 0, doctor.stderr);
    assert.match(doctor.stdout, /^Removed \d+ leftovers?:$/m);
    // Tables and bundles are only ever removed by this sweep. Netns and cgroups of a dead pid may also be swept by
    // any other Kumo starting on this host meanwhile (parallel test runs): those doctor names only if still there.
    for (const name of [left.firewall, left.runc, left.bundles].flatMap((names) => names ?? [])) {
      assert.ok(doctor.stdout.includes(name), `doctor names ${name}:\n${doctor.stdout}`);
    }
    const named = [...doctor.stdout.matchAll(/^ {2}(?:netns|cgroup) (\S+)$/gm)].map((m) => m[1]);
    for (const name of named)
      assert.ok([...(left.netns ?? []), ...(left.cgroups ?? [])].includes(name ?? ''));
    assert.deepEqual(await resourcesOf(pid, dataDir), {
      netns: [],
      veths: [],
      cgroups: [],
      processes: [],
      firewall: [],
      runc: [],
      bundles: [],
    });
    for (const instancePid of left.processes ?? []) assert.equal(existsSync(`/proc/${instancePid}`), false);
  });

  test('the next start of the server removes every leftover', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kumo-crash-'));
    const pid = await crashWithInstances(t, dataDir, suite.image);
    assert.ok(total(await resourcesOf(pid, dataDir)) > 0);
    await startTestServer(t, {}, dataDir);
    t.after(() => rmSync(dataDir, { recursive: true, force: true })); // after the server's own close
    assert.deepEqual(await resourcesOf(pid, dataDir), {
      netns: [],
      veths: [],
      cgroups: [],
      processes: [],
      firewall: [],
      runc: [],
      bundles: [],
    });
  });
});
