import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runKumo } from '../helpers/cli.js';
import { zipFiles } from '../helpers/code.js';
import { deployCustom, invoke } from '../helpers/functions.js';
import { startCluster } from './cluster.js';

/** Answers with the code's version (the text below is replaced for the update) and its instance's pid. */
const versioned = (version: string) => ({
  'package.json': '{"type":"commonjs"}',
  bootstrap: `#!/usr/bin/env node
require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => res.end('${version} ' + process.pid));
}).listen(Number(process.env.FC_SERVER_PORT || 9000), '0.0.0.0');
`,
});

test('three nodes on one PostgreSQL: created on node 1, invoked on 2 and 3; updated on 2, node 3 runs the new code at once; listInstances shows every node', async (t) => {
  const { nodes } = await startCluster(t, 3);
  const [one, two, three] = nodes as [(typeof nodes)[0], (typeof nodes)[0], (typeof nodes)[0]];

  await deployCustom(one.fc, 'shared', 'echo', versioned('v1'));
  assert.match((await invoke(two.fc, 'shared', 'echo', 'x')).body, /^v1 /);
  const warm = (await invoke(three.fc, 'shared', 'echo', 'x')).body;
  assert.match(warm, /^v1 /);
  // Node 3 keeps its v1 instance warm: the next call reuses it.
  assert.equal((await invoke(three.fc, 'shared', 'echo', 'x')).body, warm);

  // The update is acknowledged by node 2; node 3's very next call (no wait) must run v2, not its warm v1 instance.
  await two.fc.updateFunction('shared', 'echo', { code: { zipFile: await zipFiles(versioned('v2')) } });
  assert.match((await invoke(three.fc, 'shared', 'echo', 'x')).body, /^v2 /);
  assert.match((await invoke(one.fc, 'shared', 'echo', 'x')).body, /^v2 /);

  // listInstances through node 2 shows every node's instances, each with its node (node 2's own only with scope=node).
  const listed2 = await two.client.json<{ instances: { instanceId: string; nodeName: string }[] }>(
    'GET',
    '/services/shared/functions/echo/instances',
  );
  const byNode = new Set(listed2.instances.map((i) => i.nodeName));
  assert.ok(byNode.has('node-1') && byNode.has('node-3'), JSON.stringify(listed2.instances));
  const own = await two.client.json<{ instances: { nodeName: string }[] }>(
    'GET',
    '/services/shared/functions/echo/instances?scope=node',
  );
  assert.ok(own.instances.every((i) => i.nodeName === 'node-2'));

  // Every node lists the same three live nodes.
  const listed = await runKumo(['nodes', '--json'], { endpoint: three.url });
  assert.equal(listed.code, 0, listed.stderr);
  const answer = JSON.parse(listed.stdout) as {
    store: string;
    self: string;
    nodes: { name: string; state: string; url: string }[];
  };
  assert.equal(answer.store, 'postgres');
  assert.equal(answer.self, 'node-3');
  assert.deepEqual(
    answer.nodes.map((node) => [node.name, node.state, node.url]),
    nodes.map((node) => [node.name, 'Alive', node.url]),
  );
  const table = await runKumo(['nodes'], { endpoint: one.url });
  assert.match(table.stdout, /^node-1 \*\s+Alive\s+http/m);
});
