import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zipFiles } from '../helpers/code.js';
import { deployCustom, invoke } from '../helpers/functions.js';
import { until } from '../helpers/poll.js';
import { kumoClient, sdkClient } from '../helpers/server.js';
import { childPids, liveNodes, resourcesOf, startWorkers } from './workers-helpers.js';

/** Answers with the code's version and its pid; an event `slow` keeps the instance busy a while. */
const versioned = (version: string) => ({
  'package.json': '{"type":"commonjs"}',
  bootstrap: `#!/usr/bin/env node
require('node:http').createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => setTimeout(() => res.end('${version} ' + process.pid), body === 'slow' ? 300 : 0));
}).listen(Number(process.env.FC_SERVER_PORT || 9000), '0.0.0.0');
`,
});

type Listed = { instances: { instanceId: string; nodeName: string }[] };

test('kumo serve --workers 2: both workers serve, updates reach both, caps hold overall, a killed worker is replaced, SIGTERM leaves nothing', async (t) => {
  const server = await startWorkers(t, 2);
  const fc = sdkClient(server.url);
  const client = kumoClient(server.url);
  const names = [`${server.base}-w1`, `${server.base}-w2`];
  const nodes = await liveNodes(server);
  assert.deepEqual(nodes.map((n) => n.name).sort(), names);
  // Each worker also answers on its own loopback port (the URL `kumo nodes` gives): what other workers query.
  const [one, two] = names.map((name) => sdkClient(nodes.find((n) => n.name === name)?.url ?? '')) as [
    typeof fc,
    typeof fc,
  ];
  const workerPids = new Set(childPids(server.child.pid ?? 0));
  assert.equal(workerPids.size, 2);

  // Many calls through the shared port: the connections are spread over both workers, each starts instances.
  await deployCustom(fc, 'shared', 'echo', versioned('v1'), { timeout: 60 });
  const spread = await Promise.all(Array.from({ length: 16 }, () => invoke(fc, 'shared', 'echo', 'slow')));
  assert.ok(
    spread.every((call) => /^v1 \d+$/.test(call.body)),
    JSON.stringify(spread.map((c) => c.body)),
  );
  const listed = await client.json<Listed>('GET', '/services/shared/functions/echo/instances');
  assert.deepEqual([...new Set(listed.instances.map((i) => i.nodeName))].sort(), names);

  // Updated through worker 1; worker 2's very next call runs the new code, not its warm v1 instances.
  assert.match((await invoke(two, 'shared', 'echo', 'x')).body, /^v1 /);
  await one.updateFunction('shared', 'echo', { code: { zipFile: await zipFiles(versioned('v2')) } });
  assert.match((await invoke(two, 'shared', 'echo', 'x')).body, /^v2 /);
  assert.match((await invoke(one, 'shared', 'echo', 'x')).body, /^v2 /);

  // maximumInstanceCount 2 holds over both workers: each warms one, then a burst waits for them.
  await deployCustom(fc, 'shared', 'capped', versioned('c'), { timeout: 60 });
  await fc.putOnDemandConfig('shared', 'capped', 'LATEST', { maximumInstanceCount: 2 });
  // The other worker hears of the config through the change bus (as another cluster node would).
  for (const worker of [one, two]) {
    await until(async () => (await worker.getOnDemandConfig('shared', 'capped', 'LATEST')).data, {
      what: 'both workers to know the on-demand config',
    });
  }
  for (const worker of [one, two, one, two]) await invoke(worker, 'shared', 'capped', 'x');
  const burst = await Promise.all(Array.from({ length: 12 }, () => invoke(fc, 'shared', 'capped', 'slow')));
  assert.ok(
    burst.every((call) => /^c \d+$/.test(call.body)),
    JSON.stringify(burst.map((c) => c.body)),
  );
  const capped = await client.json<Listed>('GET', '/services/shared/functions/capped/instances');
  assert.deepEqual(capped.instances.map((i) => i.nodeName).sort(), names);

  // A worker killed outright is replaced; the server keeps answering and what the dead one left is removed.
  const [victim] = [...workerPids];
  process.kill(victim as number, 'SIGKILL');
  const replaced = await until(
    () => {
      const now = childPids(server.child.pid ?? 0);
      return now.length === 2 && !now.includes(victim as number) ? now : undefined;
    },
    { what: 'the primary to start a new worker', timeoutMs: 60_000, detail: server.output },
  );
  for (const pid of replaced) workerPids.add(pid);
  await until(async () => (await liveNodes(server)).length === 2, {
    what: 'both workers alive again',
    timeoutMs: 60_000,
    detail: server.output,
  });
  const after = await Promise.all(Array.from({ length: 8 }, () => invoke(fc, 'shared', 'echo', 'slow')));
  assert.ok(
    after.every((call) => /^v2 \d+$/.test(call.body)),
    JSON.stringify(after.map((c) => c.body)),
  );
  await until(() => resourcesOf(victim as number).length === 0, {
    what: `the killed worker's netns, cgroups and mounts to be removed`,
    timeoutMs: 30_000,
    detail: () => resourcesOf(victim as number).join('\n'),
  });

  // SIGTERM to the primary stops every worker and their instances, and leaves nothing named after them.
  const exited = new Promise<number | null>((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  assert.equal(await exited, 0, server.output());
  assert.deepEqual(childPids(server.child.pid ?? 0), []);
  for (const pid of workerPids) assert.deepEqual(resourcesOf(pid), [], `worker ${pid}`);
});

test('kumo serve --workers 2 with the SQLite store fails at once and says why', async () => {
  const { runKumo } = await import('../helpers/cli.js');
  const result = await runKumo(['serve', '--workers', '2', '--port', '0'], {
    endpoint: '',
    env: { KUMO_STORE_URL: '' },
  });
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(
    result.stderr,
    /--workers 2 needs --store postgres:\/\/…: workers share state as cluster nodes/,
  );
});
