import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { deployCustom } from '../helpers/functions.js';
import { until } from '../helpers/poll.js';
import { killNode, startCluster, type TestNode } from './cluster.js';

const TOTAL = 500;

/** Takes a moment per call, so that node 1 is in the middle of some when it is killed. */
const SLOW = {
  'package.json': '{"type":"commonjs"}',
  bootstrap: `#!/usr/bin/env node
require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => setTimeout(() => res.end('done'), 300));
}).listen(Number(process.env.FC_SERVER_PORT || 9000), '0.0.0.0');
`,
};

test('500 async invocations across three nodes, node 1 SIGKILLed half-way: every accepted one completes', async (t) => {
  const started = Date.now();
  const cluster = await startCluster(t, 3, { KUMO_CLUSTER_LEASE_MS: '3000' });
  const [one] = cluster.nodes as [TestNode];
  await deployCustom(one.fc, 'queue', 'slow', SLOW, { instanceConcurrency: 20 });
  const db = new pg.Client({ connectionString: cluster.storeUrl });
  db.on('error', () => undefined);
  await db.connect();
  t.after(() => db.end().catch(() => undefined));

  const accepted: string[] = [];
  let refused = 0;
  let sent = 0;
  let killed: Promise<void> | undefined;
  const live = () => cluster.nodes.filter((node) => !(killed && node === one));
  /** Sends one event until a node accepts it (a call to node 1 as it dies fails, and is sent again elsewhere). */
  const send = async (n: number) => {
    for (let attempt = 0; ; attempt++) {
      const nodes = live();
      const node = nodes[(n + attempt) % nodes.length] as TestNode;
      const answer = await node.client
        .send('POST', '/services/queue/functions/slow/invocations', `event ${n}`, {
          'x-fc-invocation-type': 'Async',
        })
        .catch(() => undefined);
      if (answer?.status === 202) return accepted.push(answer.headers['x-fc-request-id'] ?? '');
      refused++;
    }
  };
  const sender = async () => {
    while (sent < TOTAL) {
      await send(sent++);
      if (!killed && accepted.length >= TOTAL / 2) {
        // Half-way, while node 1 holds leases on calls it is running, it dies without a word.
        killed = until(
          async () =>
            (
              await db.query(
                `SELECT count(*)::int AS n FROM async_invocations WHERE status = 'Running' AND lease_owner = 'node-1'`,
              )
            ).rows[0].n > 0,
          { what: 'node 1 to be running some invocations', timeoutMs: 60_000 },
        ).then(() => killNode(one));
      }
      await killed;
    }
  };
  await Promise.all(Array.from({ length: 16 }, sender));
  assert.ok(killed, 'node 1 was killed');

  const outcome = await until(
    async () => {
      const { rows } = await db.query<{ status: string; attempts: number; n: number }>(
        `SELECT status, attempts, count(*)::int AS n FROM async_invocations WHERE id = ANY($1)
         GROUP BY status, attempts ORDER BY status, attempts`,
        [accepted],
      );
      const done = rows.filter((row) => row.status === 'Succeeded').reduce((sum, row) => sum + row.n, 0);
      return done === accepted.length ? rows : undefined;
    },
    { what: 'every accepted invocation to succeed', timeoutMs: 240_000, intervalMs: 500 },
  );
  const duplicates = outcome.reduce((sum, row) => sum + (row.attempts - 1) * row.n, 0);
  const retried = outcome.filter((row) => row.attempts > 1).reduce((sum, row) => sum + row.n, 0);
  t.diagnostic(
    `accepted ${accepted.length} (${refused} calls to node 1 as it died failed and were sent again), all succeeded; ` +
      `${retried} ran again on another node (${duplicates} extra attempts: at-least-once duplicates); ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s in all`,
  );
  assert.equal(accepted.length, TOTAL);
  assert.ok(retried > 0, 'the calls node 1 was running when it died were taken over by the other nodes');
});
