import { userInfo } from 'node:os';
import type { TestContext } from 'node:test';
import pg from 'pg';

/**
 * The PostgreSQL server the tests use: `KUMO_TEST_PG_URL` (a database a superuser-like role may create databases
 * from), else the local server's Unix socket as the current user (scripts/setup.d starts Debian's PostgreSQL and
 * gives root a role).
 */
export const ADMIN_URL =
  process.env.KUMO_TEST_PG_URL ||
  `postgresql://${userInfo().username}@localhost/postgres?host=/var/run/postgresql`;

let count = 0;

/** A fresh database for one test, dropped after it (named after this process so parallel runs do not meet). */
export async function freshDatabase(t: TestContext): Promise<string> {
  const name = `kumo_${process.pid}_${++count}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  t.after(async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await client.end();
    }
  });
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
