import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { deployCustom } from '../helpers/functions.js';
import { until } from '../helpers/poll.js';
import { killNode, startCluster, type TestNode } from './cluster.js';

/** Logs one line per firing (the logs of every node are read back at the end). */
const TICK = {
  'package.json': '{"type":"commonjs"}',
  bootstrap: `#!/usr/bin/env node
require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    console.log(new Date().toISOString() + ' ' + req.headers['x-fc-request-id'] + ' [INFO] timer fired');
    res.end('ok');
  });
}).listen(Number(process.env.FC_SERVER_PORT || 9000), '0.0.0.0');
`,
};
const KEY = 'clock/tick/every-2s';

interface Claim {
  tick: number;
  node: string;
}

test('a timer @every 2s on three nodes fires once per tick over 20 s, across the kill of the node firing it; logs from any node', async (t) => {
  const started = Date.now();
  const cluster = await startCluster(t, 3);
  const db = new pg.Client({ connectionString: cluster.storeUrl });
  db.on('error', () => undefined);
  await db.connect();
  t.after(() => db.end().catch(() => undefined));
  const claims = async (): Promise<Claim[]> =>
    (
      await db.query<{ tick: string; node: string }>(
        'SELECT tick, node FROM kumo_timer_ticks WHERE trigger_key = $1 ORDER BY tick',
        [KEY],
      )
    ).rows.map((row) => ({ tick: Number(row.tick), node: row.node }));
  const span = (list: Claim[]) =>
    list.length === 0 ? 0 : (list.at(-1) as Claim).tick - (list[0] as Claim).tick;

  const [one] = cluster.nodes as [TestNode];
  await deployCustom(one.fc, 'clock', 'tick', TICK);
  // Created through node 1: nodes 2 and 3 schedule it from the change notification.
  await one.fc.createTrigger('clock', 'tick', {
    triggerName: 'every-2s',
    triggerType: 'timer',
    triggerConfig: { cronExpression: '@every 2s', enable: true, payload: 'tick' },
  });

  // 8 s in, the node that fired the latest tick (the leader of the moment, if there were one) is killed.
  const before = await until(
    async () => ((list) => (span(list) >= 8000 ? list : undefined))(await claims()),
    {
      what: 'ticks over 8 s',
      timeoutMs: 60_000,
      intervalMs: 200,
    },
  );
  const leaderName = (before.at(-1) as Claim).node;
  const leaderIndex = cluster.nodes.findIndex((node) => node.name === leaderName);
  await killNode(cluster.nodes[leaderIndex] as TestNode);
  const killedAt = Date.now();
  const all = await until(
    async () =>
      ((list) => (span(list) >= 20_000 && (list.at(-1) as Claim).tick > killedAt + 4000 ? list : undefined))(
        await claims(),
      ),
    { what: 'ticks over 20 s, three of them after the kill', timeoutMs: 90_000, intervalMs: 200 },
  );

  // One claim per 2-second tick (the key forbids two), and no tick skipped, across the kill.
  for (let i = 1; i < all.length; i++)
    assert.equal(
      (all[i] as Claim).tick - (all[i - 1] as Claim).tick,
      2000,
      `tick after ${(all[i - 1] as Claim).tick}`,
    );
  const after = all.filter((claim) => claim.tick > killedAt);
  assert.ok(after.length >= 2);
  assert.ok(
    after.every((claim) => claim.node !== leaderName),
    'a dead node claims nothing',
  );

  // Each claim fired the function once: the killed node is started again to read its logs.
  await cluster.restart(leaderIndex);
  const stop = (await claims()).length;
  const perNode = new Map<string, number>();
  const firings = async (node: TestNode, scope: string) =>
    (
      await node.client.json<{ logs: { requestId: string }[] }>(
        'GET',
        `/services/clock/functions/tick/logs?text=timer+fired&scope=${scope}`,
      )
    ).logs.map((line) => line.requestId);
  for (const node of cluster.nodes) perNode.set(node.name, (await firings(node, 'node')).length);
  // Any node answers with every node's lines (asked of the others and merged); firings are not repeated.
  const merged = await firings(cluster.nodes[2] as TestNode, 'all');
  const sum = [...perNode.values()].reduce((x, y) => x + y, 0);
  assert.ok(merged.length >= sum, `${merged.length} lines through node-3, ${sum} from the nodes one by one`);
  assert.equal(new Set(merged).size, merged.length, 'one line per firing, each with its own request id');
  const claimed = (name: string, list: Claim[]) => list.filter((claim) => claim.node === name).length;
  const latest = await claims();
  for (const node of cluster.nodes) {
    const fired = perNode.get(node.name) ?? 0;
    if (node.name === leaderName) {
      // Its last claim may have died with it before the call (or before its log line reached logs.db).
      assert.ok(
        fired <= claimed(node.name, latest) && fired >= claimed(node.name, before) - 1,
        `${node.name} fired ${fired}`,
      );
    } else {
      // Firings still running while the logs were read may be one short; never one too many.
      const count = claimed(node.name, latest);
      assert.ok(fired <= count && fired >= count - 2, `${node.name} fired ${fired} for ${count} claims`);
    }
  }
  t.diagnostic(
    `${all.length} ticks over ${span(all) / 1000} s, ${after.length} after killing ${leaderName}; ` +
      `claims by node ${JSON.stringify(Object.fromEntries(cluster.nodes.map((n) => [n.name, claimed(n.name, latest)])))}, ` +
      `firings logged ${JSON.stringify(Object.fromEntries(perNode))} (${stop} claims when read); ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s in all`,
  );
});
