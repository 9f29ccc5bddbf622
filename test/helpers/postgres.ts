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
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () =>
      admin(async (client) => void (await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}
