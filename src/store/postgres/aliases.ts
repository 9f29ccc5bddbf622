import type pg from 'pg';
import { type Alias, FcError } from '../../model/index.js';
import { checkEtag, etagOf, fromRow, type Row } from '../sqlite-rows.js';
import type { ListQuery, Page, Stored } from '../types.js';
import { listPage, one, Params, requireService, run, transaction } from './db.js';
import { getStored } from './stored.js';
import { requireVersion } from './versions.js';

/** The `aliases` table. */
export class PgAliasTable {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  create(alias: Alias): Promise<Stored<Alias>> {
    return transaction(this.#pool, async (db) => {
      await requireService(db, alias.serviceName);
      await requireVersions(db, alias);
      const etag = etagOf(alias);
      const inserted = await run(
        db,
        `INSERT INTO aliases (service, name, version, extra_version, data, etag) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT DO NOTHING`,
        [...columns(alias), JSON.stringify(alias), etag],
      );
      if (inserted === 0) {
        throw new FcError(
          'AliasAlreadyExists',
          `alias '${alias.aliasName}' of service '${alias.serviceName}' already exists`,
        );
      }
      return { value: alias, etag };
    });
  }

  get(serviceName: string, aliasName: string): Promise<Stored<Alias> | undefined> {
    return getStored<Alias>(
      this.#pool,
      'SELECT name, data, etag FROM aliases WHERE service = $1 AND name = $2',
      [serviceName, aliasName],
    );
  }

  update(alias: Alias, ifMatch?: string): Promise<Stored<Alias>> {
    return transaction(this.#pool, async (db) => {
      await current(db, alias.serviceName, alias.aliasName, ifMatch);
      await requireVersions(db, alias);
      const etag = etagOf(alias);
      const [service, name, version, extra] = columns(alias);
      await run(
        db,
        'UPDATE aliases SET version = $1, extra_version = $2, data = $3, etag = $4 WHERE service = $5 AND name = $6',
        [version, extra, JSON.stringify(alias), etag, service, name],
      );
      return { value: alias, etag };
    });
  }

  async delete(serviceName: string, aliasName: string, ifMatch?: string): Promise<void> {
    await transaction(this.#pool, async (db) => {
      await current(db, serviceName, aliasName, ifMatch);
      await run(db, 'DELETE FROM aliases WHERE service = $1 AND name = $2', [serviceName, aliasName]);
    });
  }

  async list(serviceName: string, query: ListQuery): Promise<Page<Stored<Alias>>> {
    await requireService(this.#pool, serviceName);
    const params = new Params();
    const sql = `SELECT name, data, etag FROM aliases WHERE service = ${params.add(serviceName)}`;
    return listPage(this.#pool, sql, params, query);
  }
}

function columns(alias: Alias): [string, string, number, number | null] {
  const extra = Object.keys(alias.additionalVersionWeight)[0];
  return [alias.serviceName, alias.aliasName, Number(alias.versionId), extra ? Number(extra) : null];
}

async function requireVersions(db: pg.PoolClient, alias: Alias): Promise<void> {
  for (const id of [alias.versionId, ...Object.keys(alias.additionalVersionWeight)]) {
    await requireVersion(db, alias.serviceName, id);
  }
}

async function current(
  db: pg.PoolClient,
  serviceName: string,
  aliasName: string,
  ifMatch?: string,
): Promise<Stored<Alias>> {
  await requireService(db, serviceName);
  const row = await one<Row>(
    db,
    'SELECT name, data, etag FROM aliases WHERE service = $1 AND name = $2 FOR UPDATE',
    [serviceName, aliasName],
  );
  if (!row)
    throw new FcError('AliasNotFound', `alias '${aliasName}' of service '${serviceName}' does not exist`);
  checkEtag(row.etag, ifMatch);
  return fromRow<Alias>(row);
}
