import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { LeasedAsyncQueue } from '../../src/cluster/index.js';
import type { AsyncInvocation, AsyncQueueStore } from '../../src/store/index.js';
import { until } from '../helpers/poll.js';
import { createTestDatabase } from '../helpers/postgres.js';

/** The columns of the PostgreSQL store's queue table that the leased claim reads and writes. */
const TABLE = `CREATE TABLE async_invocations (
  id text PRIMARY KEY, status text NOT NULL, attempts int NOT NULL DEFAULT 0, next_attempt_at bigint NOT NULL,
  created_at bigint NOT NULL, started_at bigint, ended_at bigint, stop_requested boolean NOT NULL DEFAULT false)`;

/**
 * The seam: every operation but the claim belongs to the store's own queue. This one reads back what a claim
 * returns (id, status, attempts); nothing else is exercised here.
 */
function innerQueue(pool: pg.Pool): AsyncQueueStore {
  const unused = () => Promise.reject(new Error('not used by the leased claim'));
  return {
    getAsync: async (id) => {
      const { rows } = await pool.query('SELECT * FROM async_invocations WHERE id = $1', [id]);
      const row = rows[0];
      return row && ({ id: row.id, status: row.status, attempts: row.attempts } as AsyncInvocation);
    },
    claimDue: unused,
    backlog: unused,
    enqueue: unused,
    retryLater: unused,
    finish: unused,
    findInvocation: unused,
    listInvocations: unused,
    requestStop: unused,
    isStopRequested: unused,
    requeueRunning: unused,
    renewLeases: unused,
  };
}

async function setUp(t: test.TestContext, rows: number) {
  const { url, drop } = await createTestDatabase();
  t.after(drop);
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  pool.on('error', () => undefined);
  t.after(() => pool.end().catch(() => undefined));
  await pool.query(TABLE);
  // Nodes starting at once all migrate: idempotent and serialised.
  await Promise.all([1, 2, 3].map(() => LeasedAsyncQueue.migrate(pool)));
  const now = Date.now();
  for (let i = 0; i < rows; i++) {
    await pool.query(
      `INSERT INTO async_invocations (id, status, next_attempt_at, created_at) VALUES ($1, 'Enqueued', $2, $2)`,
      [`req-${String(i).padStart(3, '0')}`, now + i],
    );
  }
  return pool;
}

test('three nodes claiming at once take every due invocation exactly once', async (t) => {
  const pool = await setUp(t, 60);
  const nodes = ['n1', 'n2', 'n3'].map((name) => new LeasedAsyncQueue(innerQueue(pool), pool, name, 30_000));
  const claimed = new Map<string, string>();
  await Promise.all(
    nodes.map(async (node) => {
      for (;;) {
        const inv = await node.claimDue(Date.now() + 1000);
        if (!inv) return;
        assert.equal(claimed.has(inv.id), false, `${inv.id} claimed twice`);
        claimed.set(inv.id, node.nodeName);
        assert.equal(inv.status, 'Running');
        assert.equal(inv.attempts, 1);
      }
    }),
  );
  assert.equal(claimed.size, 60);
  // Every node took part (SKIP LOCKED lets them pass each other's rows instead of queueing behind them).
  assert.equal(new Set(claimed.values()).size, 3);
  // Leases are held by their node: renewing keeps all of them.
  const mine = [...claimed].filter(([, node]) => node === 'n1').map(([id]) => id);
  assert.deepEqual(await (nodes[0] as LeasedAsyncQueue).renewLeases(mine), []);
  // Another node cannot renew what it does not hold.
  assert.deepEqual(await (nodes[1] as LeasedAsyncQueue).renewLeases(mine), mine);
});

test("a dead node's lease expires and another node retries the invocation as a new attempt", async (t) => {
  const pool = await setUp(t, 1);
  const dying = new LeasedAsyncQueue(innerQueue(pool), pool, 'dying', 1000);
  const survivor = new LeasedAsyncQueue(innerQueue(pool), pool, 'survivor', 30_000);
  const first = await dying.claimDue(Date.now());
  assert.equal(first?.attempts, 1);
  // While the lease runs, nobody else takes it.
  assert.equal(await survivor.claimDue(Date.now()), undefined);
  // The dying node never renews: once the lease is past, the survivor claims it as attempt 2.
  const retried = await until(() => survivor.claimDue(Date.now()), {
    what: 'the expired lease is claimed by the surviving node',
    timeoutMs: 20_000,
    intervalMs: 100,
  });
  assert.equal(retried.id, first?.id);
  assert.equal(retried.attempts, 2);
  // The dead node, were it only slow, learns that its claim is gone.
  assert.deepEqual(await dying.renewLeases([retried.id]), [retried.id]);
  const { rows } = await pool.query('SELECT lease_owner FROM async_invocations');
  assert.equal(rows[0].lease_owner, 'survivor');
  // A node restarting under its old name puts back only its own running rows.
  assert.equal(await dying.requeueRunning(), 0);
  assert.equal(await survivor.requeueRunning(), 1);
  assert.equal((await dying.claimDue(Date.now()))?.attempts, 3);
});
