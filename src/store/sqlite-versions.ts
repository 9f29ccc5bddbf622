import type Database from 'better-sqlite3';
import { FcError, type Version } from '../model/index.js';
import { etagOf, fromRow, type Row } from './sqlite-rows.js';
import type { SqliteServiceTable } from './sqlite-services.js';
import { StoredCache } from './stored-cache.js';
import type { Page, Stored, VersionQuery } from './types.js';

/**
 * The `versions` table: immutable snapshots, numbered per service from 1 without ever reusing a number (a
 * counter survives deletions). `version_code` lists the code packages a version holds, so code stays stored.
 */
export class SqliteVersionTable {
  readonly #db: Database.Database;
  readonly #services: SqliteServiceTable;
  /** Keyed `service/id`; versions never change, so only deletion drops an entry. */
  readonly #cache = new StoredCache<Version>();

  constructor(db: Database.Database, services: SqliteServiceTable) {
    this.#db = db;
    this.#services = services;
  }

  /** Stores the draft under the next number, unless `unchanged` says it equals the newest version. */
  publish(draft: Omit<Version, 'versionId'>, unchanged: (last: Version) => boolean): Stored<Version> {
    return this.#db.transaction(() => {
      this.#services.requireExists(draft.serviceName);
      const lastRow = this.#db
        .prepare('SELECT id AS name, data, etag FROM versions WHERE service = ? ORDER BY id DESC LIMIT 1')
        .get(draft.serviceName) as Row | undefined;
      if (lastRow && unchanged(fromRow<Version>(lastRow).value)) {
        throw new FcError(
          'InvalidArgument',
          `nothing changed in service '${draft.serviceName}' since version ${lastRow.name}: publish after a change`,
        );
      }
      const counter = this.#db
        .prepare('SELECT last_id FROM version_counters WHERE service = ?')
        .get(draft.serviceName) as { last_id: number } | undefined;
      const id = (counter?.last_id ?? 0) + 1;
      this.#db
        .prepare(
          `INSERT INTO version_counters (service, last_id) VALUES (?, ?)
           ON CONFLICT (service) DO UPDATE SET last_id = excluded.last_id`,
        )
        .run(draft.serviceName, id);
      const version: Version = { ...draft, versionId: String(id) };
      const etag = etagOf(version);
      this.#db
        .prepare('INSERT INTO versions (service, id, data, etag) VALUES (?, ?, ?, ?)')
        .run(draft.serviceName, id, JSON.stringify(version), etag);
      const codeRow = this.#db.prepare(
        'INSERT INTO version_code (service, version, code_sha256) VALUES (?, ?, ?)',
      );
      for (const fn of version.functions) {
        if (fn.code) codeRow.run(draft.serviceName, id, fn.code.sha256);
      }
      return { value: version, etag };
    })();
  }

  get(serviceName: string, versionId: string): Stored<Version> | undefined {
    if (!/^\d{1,10}$/.test(versionId)) return undefined;
    return this.#cache.get(`${serviceName}/${versionId}`, () => {
      const row = this.#db
        .prepare('SELECT id AS name, data, etag FROM versions WHERE service = ? AND id = ?')
        .get(serviceName, Number(versionId)) as Row | undefined;
      return row && fromRow<Version>(row);
    });
  }

  /** Newest first (`BACKWARD`, FC's default) or oldest first; `startKey`/`nextToken` are version ids. */
  list(serviceName: string, query: VersionQuery): Page<Stored<Version>> {
    this.#services.requireExists(serviceName);
    const backward = query.direction !== 'FORWARD';
    const from = [query.startKey, query.nextToken].filter((k) => k !== undefined && k !== '').map(Number);
    if (from.some((k) => !Number.isInteger(k))) {
      throw new FcError('InvalidArgument', 'startKey and nextToken name a version id');
    }
    const bound = from.length === 0 ? undefined : backward ? Math.min(...from) : Math.max(...from);
    const rows = this.#db
      .prepare(
        `SELECT id AS name, data, etag FROM versions WHERE service = ?
         ${bound === undefined ? '' : backward ? 'AND id <= ?' : 'AND id >= ?'}
         ORDER BY id ${backward ? 'DESC' : 'ASC'} LIMIT ?`,
      )
      .all(serviceName, ...(bound === undefined ? [] : [bound]), query.limit + 1) as Row[];
    const more = rows.length > query.limit ? rows.pop() : undefined;
    return { items: rows.map((row) => fromRow<Version>(row)), nextToken: more && String(more.name) };
  }

  /** Refused while an alias names the version (as its version or its additional one). */
  delete(serviceName: string, versionId: string): void {
    this.#cache.drop(`${serviceName}/${versionId}`);
    this.#db.transaction(() => {
      this.#services.requireExists(serviceName);
      if (!this.get(serviceName, versionId)) {
        throw new FcError(
          'VersionNotFound',
          `version '${versionId}' of service '${serviceName}' does not exist`,
        );
      }
      this.#cache.drop(`${serviceName}/${versionId}`);
      const alias = this.#db
        .prepare('SELECT name FROM aliases WHERE service = ? AND (version = ? OR extra_version = ?) LIMIT 1')
        .get(serviceName, Number(versionId), Number(versionId)) as { name: string } | undefined;
      if (alias) {
        throw new FcError(
          'InvalidArgument',
          `version ${versionId} of service '${serviceName}' is used by alias '${alias.name}': point the alias elsewhere or delete it first`,
        );
      }
      this.#db
        .prepare('DELETE FROM versions WHERE service = ? AND id = ?')
        .run(serviceName, Number(versionId));
    })();
  }

  /** Throws VersionNotFound unless the version exists (inside the caller's transaction). */
  requireExists(serviceName: string, versionId: string): void {
    const row = this.#db
      .prepare('SELECT 1 FROM versions WHERE service = ? AND id = ?')
      .get(serviceName, Number(versionId));
    if (!row) {
      throw new FcError(
        'VersionNotFound',
        `version '${versionId}' of service '${serviceName}' does not exist`,
      );
    }
  }

  /** How many published versions hold this code package. */
  codeReferences(sha256: string): number {
    const row = this.#db
      .prepare('SELECT count(*) AS n FROM version_code WHERE code_sha256 = ?')
      .get(sha256) as { n: number };
    return row.n;
  }
}
