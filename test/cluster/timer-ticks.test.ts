import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { ensureClusterSchema, TimerTickClaims } from '../../src/cluster/index.js';
import { timerTick } from '../../src/triggers/cron.js';
import { createTestDatabase } from '../helpers/postgres.js';

test('@every ticks are the same cell on every node whatever second it fires on', () => {
  const base = Date.UTC(2026, 11, 1, 5, 0, 0);
  // Nodes started on odd and even seconds fire one second apart: both land in the same 2-second cell.
  assert.equal(timerTick('@every 2s', base + 1_003), timerTick('@every 2s', base + 10));
  assert.notEqual(timerTick('@every 2s', base + 2_001), timerTick('@every 2s', base + 1_999));
  assert.equal(timerTick('@every 1m', base + 59_000), base);
  // A cron pattern fires on whole seconds: a few ms apart is the same tick.
  assert.equal(
    timerTick('0 */5 * * * *', base + 30),
    timerTick('CRON_TZ=Asia/Shanghai 0 */5 * * * *', base - 20),
  );
});

test('each tick of a trigger is won by exactly one of three nodes claiming it at once', async (t) => {
  const { url, drop } = await createTestDatabase();
  t.after(drop);
  const pools = [1, 2, 3].map(() => new pg.Pool({ connectionString: url, max: 2 }));
  // The database is dropped (connections forced closed) by an after hook that may run first.
  for (const pool of pools) pool.on('error', () => undefined);
  t.after(() => Promise.allSettled(pools.map((pool) => pool.end())));
  await ensureClusterSchema(pools[0] as pg.Pool);
  const claims = pools.map((pool, i) => new TimerTickClaims(pool, `node-${i + 1}`));
  const winners: string[] = [];
  for (let tick = 0; tick < 20; tick++) {
    const won = await Promise.all(claims.map((claim) => claim.claim('svc/fn/every-2s', tick * 2000)));
    assert.equal(won.filter(Boolean).length, 1, `tick ${tick} fired ${won.filter(Boolean).length} times`);
    winners.push(`node-${won.indexOf(true) + 1}`);
  }
  // Another trigger's ticks are its own.
  assert.equal(await (claims[0] as TimerTickClaims).claim('svc/fn/other', 0), true);
  const { rows } = await (pools[0] as pg.Pool).query('SELECT count(*)::int AS n FROM kumo_timer_ticks');
  assert.equal(rows[0].n, 21);
  // After a node dies, the others still claim every tick (there is no leader to lose).
  const survivors = claims.slice(1);
  for (let tick = 20; tick < 25; tick++) {
    const won = await Promise.all(survivors.map((claim) => claim.claim('svc/fn/every-2s', tick * 2000)));
    assert.equal(won.filter(Boolean).length, 1);
  }
  assert.equal(winners.length, 20);
});
