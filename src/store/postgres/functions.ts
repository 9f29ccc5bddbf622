import type pg from 'pg';
import { FcError, type FunctionRecord } from '../../model/index.js';
import { checkEtag, etagOf, fromRow, type Row } from '../sqlite-rows.js';
import type { ListQuery, Page, Stored } from '../types.js';
import { listPage, one, Params, requireService, run, transaction } from './db.js';
import { getStored } from './stored.js';

/** The `functions` table. */
export class PgFunctionTable {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  create(fn: FunctionRecord): Promise<Stored<FunctionRecord>> {
    return transaction(this.#pool, async (db) => {
      await requireService(db, fn.serviceName);
      const etag = etagOf(fn);
      const inserted = await run(
        db,
        `INSERT INTO functions (service, name, code_sha256, data, etag) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING`,
        [fn.serviceName, fn.functionName, fn.code?.sha256 ?? null, JSON.stringify(fn), etag],
      );
      if (inserted === 0) {
        throw new FcError(
          'FunctionAlreadyExists',
          `function '${fn.functionName}' already exists in service '${fn.serviceName}'`,
        );
      }
      return { value: fn, etag };
    });
  }

  get(serviceName: string, functionName: string): Promise<Stored<FunctionRecord> | undefined> {
    return getStored<FunctionRecord>(
      this.#pool,
      'SELECT name, data, etag FROM functions WHERE service = $1 AND name = $2',
      [serviceName, functionName],
    );
  }

  update(fn: FunctionRecord, ifMatch?: string): Promise<Stored<FunctionRecord>> {
    return transaction(this.#pool, async (db) => {
      await current(db, fn.serviceName, fn.functionName, ifMatch);
      const etag = etagOf(fn);
      await run(
        db,
        'UPDATE functions SET code_sha256 = $1, data = $2, etag = $3 WHERE service = $4 AND name = $5',
        [fn.code?.sha256 ?? null, JSON.stringify(fn), etag, fn.serviceName, fn.functionName],
      );
      return { value: fn, etag };
    });
  }

  /** Returns the deleted record; its triggers and async configs go with it (ON DELETE CASCADE). */
  delete(serviceName: string, functionName: string, ifMatch?: string): Promise<Stored<FunctionRecord>> {
    return transaction(this.#pool, async (db) => {
      const stored = await current(db, serviceName, functionName, ifMatch);
      await run(db, 'DELETE FROM functions WHERE service = $1 AND name = $2', [serviceName, functionName]);
      return stored;
    });
  }

  async list(serviceName: string, query: ListQuery): Promise<Page<Stored<FunctionRecord>>> {
    await requireService(this.#pool, serviceName);
    const params = new Params();
    const sql = `SELECT name, data, etag FROM functions WHERE service = ${params.add(serviceName)}`;
    return listPage(this.#pool, sql, params, query);
  }
}

/** The stored record, locked for the caller's transaction; with `ifMatch`, it must carry that etag. */
async function current(
  db: pg.PoolClient,
  serviceName: string,
  functionName: string,
  ifMatch?: string,
): Promise<Stored<FunctionRecord>> {
  await requireService(db, serviceName);
  const row = await one<Row>(
    db,
    'SELECT name, data, etag FROM functions WHERE service = $1 AND name = $2 FOR UPDATE',
    [serviceName, functionName],
  );
  if (!row) {
    throw new FcError(
      'FunctionNotFound',
      `function '${functionName}' does not exist in service '${serviceName}'`,
    );
  }
  checkEtag(row.etag, ifMatch);
  return fromRow<FunctionRecord>(row);
}
