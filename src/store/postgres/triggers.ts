import type pg from 'pg';
import { FcError, type Trigger } from '../../model/index.js';
import { checkEtag, etagOf, fromRow, type Row } from '../sqlite-rows.js';
import type { ListQuery, Page, Stored } from '../types.js';
import { listPage, one, Params, requireFunction, rows, run, transaction } from './db.js';
import { getStored } from './stored.js';

/** The `triggers` table. */
export class PgTriggerTable {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  create(trigger: Trigger): Promise<Stored<Trigger>> {
    return transaction(this.#pool, async (db) => {
      await requireFunction(db, trigger.serviceName, trigger.functionName);
      const etag = etagOf(trigger);
      const inserted = await run(
        db,
        `INSERT INTO triggers (service, function, name, type, data, etag) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT DO NOTHING`,
        [
          trigger.serviceName,
          trigger.functionName,
          trigger.triggerName,
          trigger.triggerType,
          JSON.stringify(trigger),
          etag,
        ],
      );
      if (inserted === 0) {
        throw new FcError('TriggerAlreadyExists', `trigger '${trigger.triggerName}' already exists`);
      }
      return { value: trigger, etag };
    });
  }

  get(serviceName: string, functionName: string, triggerName: string): Promise<Stored<Trigger> | undefined> {
    return getStored<Trigger>(
      this.#pool,
      'SELECT name, data, etag FROM triggers WHERE service = $1 AND function = $2 AND name = $3',
      [serviceName, functionName, triggerName],
    );
  }

  update(trigger: Trigger, ifMatch?: string): Promise<Stored<Trigger>> {
    return transaction(this.#pool, async (db) => {
      await checkTriggerEtag(db, trigger.serviceName, trigger.functionName, trigger.triggerName, ifMatch);
      const etag = etagOf(trigger);
      await run(
        db,
        'UPDATE triggers SET data = $1, etag = $2 WHERE service = $3 AND function = $4 AND name = $5',
        [JSON.stringify(trigger), etag, trigger.serviceName, trigger.functionName, trigger.triggerName],
      );
      return { value: trigger, etag };
    });
  }

  async delete(
    serviceName: string,
    functionName: string,
    triggerName: string,
    ifMatch?: string,
  ): Promise<void> {
    await transaction(this.#pool, async (db) => {
      await checkTriggerEtag(db, serviceName, functionName, triggerName, ifMatch);
      await run(db, 'DELETE FROM triggers WHERE service = $1 AND function = $2 AND name = $3', [
        serviceName,
        functionName,
        triggerName,
      ]);
    });
  }

  async list(serviceName: string, functionName: string, query: ListQuery): Promise<Page<Stored<Trigger>>> {
    await requireFunction(this.#pool, serviceName, functionName);
    const params = new Params();
    const sql = `SELECT name, data, etag FROM triggers WHERE service = ${params.add(serviceName)} AND function = ${params.add(functionName)}`;
    return listPage(this.#pool, sql, params, query);
  }

  /** The function's HTTP trigger (the first by name), frozen, or undefined for none. */
  async http(serviceName: string, functionName: string): Promise<Trigger | undefined> {
    const row = await one<Row>(
      this.#pool,
      `SELECT name, data, etag FROM triggers WHERE service = $1 AND function = $2 AND type = 'http'
       ORDER BY name LIMIT 1`,
      [serviceName, functionName],
    );
    return row && Object.freeze(fromRow<Trigger>(row).value);
  }

  async ofType(type: string): Promise<Stored<Trigger>[]> {
    const found = await rows<Row>(this.#pool, 'SELECT name, data, etag FROM triggers WHERE type = $1', [
      type,
    ]);
    return found.map((row) => fromRow<Trigger>(row));
  }
}

async function checkTriggerEtag(
  db: pg.PoolClient,
  serviceName: string,
  functionName: string,
  triggerName: string,
  ifMatch?: string,
): Promise<void> {
  await requireFunction(db, serviceName, functionName);
  const row = await one<{ etag: string }>(
    db,
    'SELECT etag FROM triggers WHERE service = $1 AND function = $2 AND name = $3 FOR UPDATE',
    [serviceName, functionName, triggerName],
  );
  if (!row) {
    throw new FcError(
      'TriggerNotFound',
      `trigger '${triggerName}' does not exist on function '${functionName}'`,
    );
  }
  checkEtag(row.etag, ifMatch);
}
