import type pg from 'pg';
import { type CustomDomain, FcError } from '../../model/index.js';
import { checkEtag, etagOf } from '../sqlite-rows.js';
import type { ListQuery, Page, Stored } from '../types.js';
import { listPage, one, Params, run, transaction } from './db.js';
import { getStored } from './stored.js';

/** The `custom_domains` table. */
export class PgCustomDomainTable {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async create(domain: CustomDomain): Promise<Stored<CustomDomain>> {
    const etag = etagOf(domain);
    const inserted = await run(
      this.#pool,
      'INSERT INTO custom_domains (name, data, etag) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [domain.domainName, JSON.stringify(domain), etag],
    );
    if (inserted === 0) {
      throw new FcError('DomainNameAlreadyExists', `domain name '${domain.domainName}' already exists`);
    }
    return { value: domain, etag };
  }

  get(name: string): Promise<Stored<CustomDomain> | undefined> {
    return getStored<CustomDomain>(
      this.#pool,
      'SELECT name, data, etag FROM custom_domains WHERE name = $1',
      [name],
    );
  }

  update(domain: CustomDomain, ifMatch?: string): Promise<Stored<CustomDomain>> {
    return transaction(this.#pool, async (db) => {
      await checkDomainEtag(db, domain.domainName, ifMatch);
      const etag = etagOf(domain);
      await run(db, 'UPDATE custom_domains SET data = $1, etag = $2 WHERE name = $3', [
        JSON.stringify(domain),
        etag,
        domain.domainName,
      ]);
      return { value: domain, etag };
    });
  }

  async delete(name: string, ifMatch?: string): Promise<void> {
    await transaction(this.#pool, async (db) => {
      await checkDomainEtag(db, name, ifMatch);
      await run(db, 'DELETE FROM custom_domains WHERE name = $1', [name]);
    });
  }

  list(query: ListQuery): Promise<Page<Stored<CustomDomain>>> {
    return listPage(
      this.#pool,
      'SELECT name, data, etag FROM custom_domains WHERE true',
      new Params(),
      query,
    );
  }
}

async function checkDomainEtag(db: pg.PoolClient, name: string, ifMatch?: string): Promise<void> {
  const row = await one<{ etag: string }>(db, 'SELECT etag FROM custom_domains WHERE name = $1 FOR UPDATE', [
    name,
  ]);
  if (!row) throw new FcError('DomainNameNotFound', `domain name '${name}' does not exist`);
  checkEtag(row.etag, ifMatch);
}
