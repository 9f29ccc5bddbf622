import type pg from 'pg';

/** One key for every Kumo node's cluster-schema migration (any 64-bit number; this spells "kumoclus"). */
const SCHEMA_LOCK = 0x6b756d6f636c7573n;

/**
 * The cluster's own tables: membership and per-tick timer claims. Created under a transaction-scoped advisory
 * lock, so nodes starting at once do not race each other's `CREATE TABLE` (IF NOT EXISTS alone is not safe
 * against concurrent creators in PostgreSQL: both can pass the check and one fails on the catalog's unique key).
 */
export async function ensureClusterSchema(pool: pg.Pool): Promise<void> {
  await underSchemaLock(
    pool,
    `CREATE TABLE IF NOT EXISTS kumo_nodes (
       name text PRIMARY KEY,
       url text NOT NULL,
       started_at bigint NOT NULL,
       last_seen bigint NOT NULL
     );
     CREATE TABLE IF NOT EXISTS kumo_timer_ticks (
       trigger_key text NOT NULL,
       tick bigint NOT NULL,
       node text NOT NULL,
       claimed_at bigint NOT NULL,
       PRIMARY KEY (trigger_key, tick)
     );
     CREATE INDEX IF NOT EXISTS kumo_timer_ticks_claimed ON kumo_timer_ticks (claimed_at);`,
  );
}

/** Runs schema statements in one transaction that holds the cluster's schema lock. */
export async function underSchemaLock(pool: pg.Pool, statements: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK.toString()]);
    await client.query(statements);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** PostgreSQL's clock in epoch milliseconds: every node compares times on one clock, never its own. */
export const DB_NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;
