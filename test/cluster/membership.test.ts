import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { pino } from 'pino';
import { ensureClusterSchema, Membership } from '../../src/cluster/index.js';
import { until } from '../helpers/poll.js';
import { createTestDatabase } from '../helpers/postgres.js';

const logger = pino({ level: 'silent' });

test('nodes register with a heartbeat; one that stops beating is dead, one that leaves is gone', async (t) => {
  const { url, drop } = await createTestDatabase();
  t.after(drop);
  const pools = ['a', 'b', 'c'].map(() => new pg.Pool({ connectionString: url, max: 2 }));
  for (const pool of pools) pool.on('error', () => undefined);
  t.after(() => Promise.allSettled(pools.map((pool) => pool.end())));
  // Three nodes migrating at once must not trip over each other's CREATE TABLE.
  await Promise.all(pools.map((pool) => ensureClusterSchema(pool)));
  const nodes = pools.map(
    (pool, i) =>
      new Membership(
        pool,
        { name: `node-${i + 1}`, url: `http://127.0.0.1:${9000 + i}`, heartbeatMs: 100, missedBeats: 3 },
        logger,
      ),
  );
  await Promise.all(nodes.map((node) => node.start()));
  const [first, second, third] = nodes as [Membership, Membership, Membership];
  const listed = await first.list();
  assert.deepEqual(
    listed.map((node) => [node.name, node.url, node.alive]),
    [
      ['node-1', 'http://127.0.0.1:9000', true],
      ['node-2', 'http://127.0.0.1:9001', true],
      ['node-3', 'http://127.0.0.1:9002', true],
    ],
  );

  // Provisioned instances are spread: 4 over three live nodes is 2 + 1 + 1, once every node has seen the others
  // (a node that started first saw itself alone until its next heartbeat).
  await until(() => nodes.map((node) => node.shareOf(4)).join() === '2,1,1', {
    what: 'every node computes the same split of 4 instances',
  });

  // node-2 dies: its connection pool is gone, so its heartbeats stop reaching the database.
  await (pools[1] as pg.Pool).end();
  const afterDeath = await until(
    async () => {
      const list = await first.list();
      return list.find((node) => node.name === 'node-2')?.alive === false ? list : undefined;
    },
    { what: 'node-2 is seen as dead after missing its heartbeats', timeoutMs: 20_000 },
  );
  assert.deepEqual(
    afterDeath.map((node) => [node.name, node.alive]),
    [
      ['node-1', true],
      ['node-3', true],
      ['node-2', false],
    ],
  );
  assert.deepEqual(
    (await third.liveNodes()).map((node) => node.name),
    ['node-1', 'node-3'],
  );

  // The survivors take node-2's part over at their next heartbeat.
  await until(() => first.shareOf(4) === 2 && third.shareOf(4) === 2, {
    what: 'the live nodes split the instances between the two of them',
  });

  // node-3 stops cleanly: it leaves the table at once.
  await third.close();
  assert.deepEqual(
    (await first.list()).map((node) => node.name),
    ['node-1', 'node-2'],
  );
  await first.close();
  void second;
});
