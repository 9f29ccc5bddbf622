import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { detectCgroupLayout } from '../../src/sandbox/cgroup.js';
import { invoke } from '../helpers/functions.js';
import { startTestServer } from '../helpers/server.js';
import { deployProbe, type Probe, poolOf, poolReady } from './prewarm-helpers.js';

const skip = (process.getuid?.() !== 0 || process.env.KUMO_SANDBOX === 'process') && 'needs bwrap as root';
const ours = (name: string) => name.startsWith(`kumo-${process.pid}-`);

test('a function in a pool instance cannot see another pool instance’s function, nor re-specialise its own', {
  skip,
}, async (t) => {
  const { fc, server } = await startTestServer(t, { prewarm: 'nodejs20=2' });
  await poolReady(server, 'nodejs20', 2);
  await deployProbe(fc, 'svc', 'alpha', 'nodejs20', { environmentVariables: { SECRET: 'alpha-secret' } });
  await deployProbe(fc, 'svc', 'beta', 'nodejs20');
  const alpha = JSON.parse((await invoke(fc, 'svc', 'alpha', 'probe')).body) as Probe;
  const beta = JSON.parse((await invoke(fc, 'svc', 'beta', 'probe')).body) as Probe;
  assert.equal(poolOf(server, 'nodejs20').takes, 2, 'both first calls came from the pool');
  assert.equal(alpha.env.SECRET, 'alpha-secret');

  // beta sees its own code, variables and name only.
  assert.equal(beta.env.SECRET, undefined);
  assert.equal(beta.env.FC_FUNCTION_NAME, 'beta');
  assert.deepEqual(beta.code, ['beta.txt', 'data.txt', 'index.js']);
  assert.notEqual(beta.hostname, alpha.hostname);
  assert.doesNotMatch(beta.mountinfo, /alpha/);
  const stolen = (await invoke(fc, 'svc', 'beta', 'read:/code/alpha.txt')).body;
  assert.match(stolen, /^error ENOENT/);

  // alpha calls its own agent's specialisation endpoint: the function answers it, nothing changes.
  const attack = JSON.parse((await invoke(fc, 'svc', 'alpha', 'attack')).body) as {
    status: number;
    body: string;
  };
  assert.notEqual(attack.status, 204);
  assert.equal(attack.body, 'the function answered');
  const after = JSON.parse((await invoke(fc, 'svc', 'alpha', 'probe')).body) as Probe;
  assert.equal(after.env.FC_FUNCTION_NAME, 'alpha');
  assert.equal(after.env.SECRET, 'alpha-secret');
  assert.ok(Math.abs(after.startedAt - alpha.startedAt) < 50, 'the same instance');

  // The pools refill, and /metrics shows them.
  await poolReady(server, 'nodejs20', 2);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /kumo_prewarm_starts_total\{runtime="nodejs20",result="take"\} 2/);
  assert.match(metrics, /kumo_prewarm_sandboxes\{runtime="nodejs20",state="ready"\} 2/);
});

test('stopping a server with pools leaves no mount, cgroup or netns of its instances behind', {
  skip,
}, async (t) => {
  const { fc, server } = await startTestServer(t, { prewarm: 'nodejs20=1,python3.10=1' });
  await poolReady(server, 'nodejs20', 1);
  await poolReady(server, 'python3.10', 1);
  await deployProbe(fc, 'svc', 'fn', 'python3.10');
  assert.equal((await invoke(fc, 'svc', 'fn', 'probe')).errorType, undefined);
  await poolReady(server, 'python3.10', 1);
  const layout = detectCgroupLayout();
  const memoryRoot = `${layout.version === 1 ? layout.memory : layout.root}/kumo`;
  const pooled = () => readdirSync(memoryRoot).filter((name) => ours(name) && name.includes('-pw-'));
  const slotMounts = () =>
    readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter((line) => line.includes(' - tmpfs kumo-slot ') && line.includes(`/kumo-${process.pid}-`));
  assert.equal(pooled().length, 3, 'two idle pool instances and the specialised one');
  assert.equal(slotMounts().length, 3);

  await server.close();
  assert.deepEqual(pooled(), []);
  assert.deepEqual(slotMounts(), []);
  assert.deepEqual(
    readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter((line) => line.includes(`/kumo-${process.pid}-`)),
    [],
  );
  const netns = existsSync('/run/netns') ? readdirSync('/run/netns').filter(ours) : [];
  assert.deepEqual(netns, []);
});
