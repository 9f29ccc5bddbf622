import type Database from 'better-sqlite3';
import { type CustomDomain, FcError } from '../model/index.js';
import { checkEtag, etagOf, fromRow, listPage, type Row } from './sqlite-rows.js';
import type { ListQuery, Page, Stored } from './types.js';

/** The `custom_domains` table. */
export class SqliteCustomDomainTable {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  create(domain: CustomDomain): Stored<CustomDomain> {
    const etag = etagOf(domain);
    const result = this.#db
      .prepare('INSERT INTO custom_domains (name, data, etag) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
      .run(domain.domainName, JSON.stringify(domain), etag);
    if (result.changes === 0) {
      throw new FcError('DomainNameAlreadyExists', `domain name '${domain.domainName}' already exists`);
    }
    return { value: domain, etag };
  }

  get(name: string): Stored<CustomDomain> | undefined {
    const row = this.#db.prepare('SELECT name, data, etag FROM custom_domains WHERE name = ?').get(name) as
      | Row
      | undefined;
    return row && fromRow<CustomDomain>(row);
  }

  update(domain: CustomDomain, ifMatch?: string): Stored<CustomDomain> {
    return this.#db.transaction(() => {
      this.#checkEtag(domain.domainName, ifMatch);
      const etag = etagOf(domain);
      this.#db
        .prepare('UPDATE custom_domains SET data = ?, etag = ? WHERE name = ?')
        .run(JSON.stringify(domain), etag, domain.domainName);
      return { value: domain, etag };
    })();
  }

  delete(name: string, ifMatch?: string): void {
    this.#db.transaction(() => {
      this.#checkEtag(name, ifMatch);
      this.#db.prepare('DELETE FROM custom_domains WHERE name = ?').run(name);
    })();
  }

  list(query: ListQuery): Page<Stored<CustomDomain>> {
    return listPage(this.#db, 'SELECT name, data, etag FROM custom_domains WHERE 1 = 1', [], query);
  }

  #checkEtag(name: string, ifMatch?: string): void {
    const row = this.#db.prepare('SELECT etag FROM custom_domains WHERE name = ?').get(name) as
      | { etag: string }
      | undefined;
    if (!row) throw new FcError('DomainNameNotFound', `domain name '${name}' does not exist`);
    checkEtag(row.etag, ifMatch);
  }
}
