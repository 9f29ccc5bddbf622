import pg from 'pg';
import { FcError } from '../../model/index.js';
import { nextPageToken, pageStart } from '../paging.js';
import { fromRow, type Row } from '../sqlite-rows.js';
import type { ListQuery, Page, Stored } from '../types.js';

/** A pool or one of its clients inside a transaction: both run queries. */
export type Db = pg.Pool | pg.PoolClient;

/** Parameters of one query, numbered as they are added (`$1`, `$2` …). */
export class Params {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** BIGINT (int8) as a JS number: Kumo's times are epoch milliseconds and counts are small. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

/** A pool on `url` whose int8 columns read as numbers. */
export function createPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, types: types as pg.CustomTypesConfig });
  // An idle client losing its connection (server restart) must not crash Kumo: the pool replaces it.
  pool.on('error', () => undefined);
  return pool;
}

export async function rows<T>(db: Db, sql: string, values: unknown[] = []): Promise<T[]> {
  return (await db.query(sql, values)).rows as T[];
}

export async function one<T>(db: Db, sql: string, values: unknown[] = []): Promise<T | undefined> {
  return (await db.query(sql, values)).rows[0] as T | undefined;
}

export async function run(db: Db, sql: string, values: unknown[] = []): Promise<number> {
  return (await db.query(sql, values)).rowCount ?? 0;
}

/** Runs `work` in one transaction on one client: committed when it returns, rolled back when it throws. */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** PostgreSQL's SQLSTATE of a failed query, e.g. 23505 (unique violation). */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';

/**
 * One page of rows in name order, as SQLite's listPage: `base` is a `SELECT name, data, etag … WHERE …` using
 * `params`; the prefix, start key, order and limit are appended. Names are `COLLATE "C"`: byte order, as SQLite.
 */
export async function listPage<T>(
  db: Db,
  base: string,
  params: Params,
  query: ListQuery,
): Promise<Page<Stored<T>>> {
  let sql = base;
  if (query.prefix) sql += ` AND starts_with(name, ${params.add(query.prefix)})`;
  const from = pageStart(query);
  if (from !== undefined) sql += ` AND name >= ${params.add(from)}`;
  sql += ` ORDER BY name LIMIT ${params.add(query.limit + 1)}`;
  const found = await rows<Row>(db, sql, params.values);
  const more = found.length > query.limit ? found.pop() : undefined;
  return {
    items: found.map((row) => fromRow<T>(row)),
    nextToken: more ? nextPageToken(more.name) : undefined,
  };
}

/** Throws ServiceNotFound unless the service exists; locks its row against deletion until the transaction ends. */
export async function requireService(db: Db, name: string): Promise<void> {
  if (!(await one(db, 'SELECT 1 FROM services WHERE name = $1 FOR SHARE', [name]))) {
    throw new FcError('ServiceNotFound', `service '${name}' does not exist`);
  }
}

/** Throws ServiceNotFound or FunctionNotFound unless both exist. */
export async function requireFunction(db: Db, serviceName: string, functionName: string): Promise<void> {
  await requireService(db, serviceName);
  const found = await one(db, 'SELECT 1 FROM functions WHERE service = $1 AND name = $2 FOR SHARE', [
    serviceName,
    functionName,
  ]);
  if (!found) {
    throw new FcError(
      'FunctionNotFound',
      `function '${functionName}' does not exist in service '${serviceName}'`,
    );
  }
}
