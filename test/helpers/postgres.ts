import pg from 'pg';

/**
 * The PostgreSQL server the tests use: KUMO_TEST_PG_URL, default the role scripts/setup.d/postgres.sh makes
 * on Debian's local cluster. Each test gets its own database (`kumo_test_<pid>_<n>`), dropped after it, so test
 * files running in parallel (and other worktrees) never share one.
 */
export const TEST_PG_URL =
  process.env.KUMO_TEST_PG_URL ?? 'postgres://kumo_test:kumo_test@127.0.0.1:5432/postgres';

let created = 0;

export interface TestDatabase {
  /** The new database's URL (TEST_PG_URL with its database name). */
  url: string;
  name: string;
  /** Drops it, closing whatever connections are still open on it. */
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at KUMO_TEST_PG_URL=${TEST_PG_URL} (${(error as Error).message}): ` +
        'run scripts/setup.d/postgres.sh (CI does), or point KUMO_TEST_PG_URL at a server where this role may CREATE DATABASE',
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `kumo_test_${process.pid}_${++created}`;
  // A linguistic (ICU en-US) default collation, as production databases often have: Kumo's byte-order paging
  // must not depend on the database's locale. Servers before PostgreSQL 15 cannot set it per database.
  await admin((client) =>
    client
      .query(`CREATE DATABASE ${name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'`)
      .catch(() => client.query(`CREATE DATABASE ${name}`)),
  );
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin((client) => dropDatabase(client, name)),
  };
}

/**
 * Drops the database, ending the connections still open on it. A backend this role may not signal (a server
 * process briefly attached to the new database, e.g. autovacuum) makes DROP fail for a moment: retried.
 */
async function dropDatabase(client: pg.Client, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      return;
    } catch (error) {
      if (attempt >= 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
