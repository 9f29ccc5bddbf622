import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import pg from 'pg';
import { resolveSharedCredentials } from '../../src/api/index.js';
import { CodeStore } from '../../src/code/index.js';
import { loadConfig } from '../../src/config.js';
import { PG_MIGRATIONS, PostgresMetaStore } from '../../src/store/postgres/index.js';
import { zipFiles } from '../helpers/code.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { service } from './conformance.js';

async function database(t: TestContext): Promise<TestDatabase> {
  const db = await createTestDatabase();
  t.after(() => db.drop());
  return db;
}

async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-pg-shared-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('migrations: six nodes starting at once on an empty database migrate it once', async (t) => {
  const db = await database(t);
  const stores = await Promise.all(
    Array.from({ length: 6 }, () => PostgresMetaStore.open(db.url, { poolSize: 2 })),
  );
  t.after(() => Promise.all(stores.map((s) => s.close())));
  assert.deepEqual(await query(db.url, 'SELECT version FROM kumo_schema'), [
    { version: PG_MIGRATIONS.length },
  ]);
  await stores[0]?.createService(service('from-node-0'));
  assert.equal((await stores[5]?.getService('from-node-0'))?.value.serviceName, 'from-node-0');
});

test('migrations: a database from a newer Kumo is refused, not changed', async (t) => {
  const db = await database(t);
  await (await PostgresMetaStore.open(db.url)).close();
  await query(db.url, 'UPDATE kumo_schema SET version = $1', [PG_MIGRATIONS.length + 1]);
  await assert.rejects(PostgresMetaStore.open(db.url), /newer than this Kumo knows/);
});

test('code: stored once as chunks, fetched into another node cache by checksum, corruption refused', async (t) => {
  const db = await database(t);
  const store = await PostgresMetaStore.open(db.url);
  t.after(() => store.close());
  const limits = { maxZipBytes: 8 * 1024 * 1024, maxUnzippedBytes: 16 * 1024 * 1024, maxEntries: 100 };
  const nodeA = new CodeStore(join(tempDir(t), 'code'), limits, store.codeBlobs);
  const nodeB = new CodeStore(join(tempDir(t), 'code'), limits, store.codeBlobs);
  // Random bytes do not compress: the zip spans three 1 MiB chunks.
  const big = randomBytes(2.5 * 1024 * 1024).toString('base64');
  const zip = Buffer.from(
    await zipFiles({ 'index.js': 'exports.handler = () => 1;\n', 'big.txt': big }),
    'base64',
  );
  const stored = await nodeA.put(zip);
  await nodeA.put(zip);
  const chunks = await query<{ n: string }>(
    db.url,
    'SELECT count(*) AS n FROM code_chunks WHERE sha256 = $1',
    [stored.sha256],
  );
  assert.equal(Number(chunks[0]?.n), Math.ceil(zip.length / (1024 * 1024)));
  assert.equal(await nodeB.has(stored.sha256), true, 'node B finds the package in PostgreSQL');
  assert.deepEqual(readFileSync(nodeB.zipPath(stored.sha256)), zip, 'and caches the same bytes on its disk');
  const dir = await nodeB.unpackedDir(stored.sha256);
  assert.equal(readFileSync(join(dir, 'big.txt'), 'utf8'), big);

  await query(db.url, `UPDATE code_chunks SET data = 'x'::bytea WHERE sha256 = $1 AND seq = 1`, [
    stored.sha256,
  ]);
  const nodeC = new CodeStore(join(tempDir(t), 'code'), limits, store.codeBlobs);
  await assert.rejects(nodeC.unpackedDir(stored.sha256), /corrupt/);
  assert.equal(await nodeC.has('f'.repeat(64)), false);
});

test('credentials: nodes without configured keys share the first node pair', async (t) => {
  const db = await database(t);
  const store = await PostgresMetaStore.open(db.url);
  t.after(() => store.close());
  const [dirA, dirB] = [tempDir(t), tempDir(t)];
  const [a, b] = await Promise.all(
    [dirA, dirB].map((dataDir) => resolveSharedCredentials(loadConfig({}, { dataDir }), store.settings)),
  );
  assert.equal(a?.accessKeyId, b?.accessKeyId);
  assert.equal(a?.accessKeySecret, b?.accessKeySecret);
  assert.deepEqual([a?.generated, b?.generated].sort(), [false, true], 'one node generated them');
  const saved = JSON.parse(readFileSync(join(dirB, 'credentials.json'), 'utf8'));
  assert.equal(saved.accessKeyId, a?.accessKeyId, 'written where the kumo CLI on the node reads them');
});
