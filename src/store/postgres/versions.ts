import type pg from 'pg';
import { FcError, type Version } from '../../model/index.js';
import { etagOf, fromRow, type Row } from '../sqlite-rows.js';
import type { Page, Stored, VersionQuery } from '../types.js';
import { type Db, one, requireService, rows, run, transaction } from './db.js';
import { getStored } from './stored.js';

/**
 * The `versions` table: immutable snapshots numbered per service from 1, never reusing a number (a counter
 * survives deletions). `version_code` lists the code packages a version holds, so code stays stored.
 */
export class PgVersionTable {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Stores the draft under the next number, unless `unchanged` says it equals the newest version. */
  publish(
    draft: Omit<Version, 'versionId'>,
    unchanged: (last: Version) => boolean,
  ): Promise<Stored<Version>> {
    return transaction(this.#pool, async (db) => {
      // The service row locked FOR UPDATE: publishes of one service (from any node) take turns.
      const service = await one(db, 'SELECT 1 FROM services WHERE name = $1 FOR UPDATE', [draft.serviceName]);
      if (!service) throw new FcError('ServiceNotFound', `service '${draft.serviceName}' does not exist`);
      const lastRow = await one<Row>(
        db,
        'SELECT id::text AS name, data, etag FROM versions WHERE service = $1 ORDER BY id DESC LIMIT 1',
        [draft.serviceName],
      );
      if (lastRow && unchanged(fromRow<Version>(lastRow).value)) {
        throw new FcError(
          'InvalidArgument',
          `nothing changed in service '${draft.serviceName}' since version ${lastRow.name}: publish after a change`,
        );
      }
      const counter = await one<{ last_id: number }>(
        db,
        `INSERT INTO version_counters (service, last_id) VALUES ($1, 1)
         ON CONFLICT (service) DO UPDATE SET last_id = version_counters.last_id + 1 RETURNING last_id`,
        [draft.serviceName],
      );
      const id = counter?.last_id ?? 1;
      const version: Version = { ...draft, versionId: String(id) };
      const etag = etagOf(version);
      await run(db, 'INSERT INTO versions (service, id, data, etag) VALUES ($1, $2, $3, $4)', [
        draft.serviceName,
        id,
        JSON.stringify(version),
        etag,
      ]);
      for (const fn of version.functions) {
        if (!fn.code) continue;
        await run(db, 'INSERT INTO version_code (service, version, code_sha256) VALUES ($1, $2, $3)', [
          draft.serviceName,
          id,
          fn.code.sha256,
        ]);
      }
      return { value: version, etag };
    });
  }

  async get(serviceName: string, versionId: string): Promise<Stored<Version> | undefined> {
    const id = versionNumber(versionId);
    if (id === undefined) return undefined;
    return getStored<Version>(
      this.#pool,
      'SELECT id::text AS name, data, etag FROM versions WHERE service = $1 AND id = $2',
      [serviceName, id],
    );
  }

  /** Newest first (`BACKWARD`, FC's default) or oldest first; `startKey`/`nextToken` are version ids. */
  async list(serviceName: string, query: VersionQuery): Promise<Page<Stored<Version>>> {
    await requireService(this.#pool, serviceName);
    const backward = query.direction !== 'FORWARD';
    const from = [query.startKey, query.nextToken].filter((k) => k !== undefined && k !== '').map(Number);
    if (from.some((k) => !Number.isInteger(k))) {
      throw new FcError('InvalidArgument', 'startKey and nextToken name a version id');
    }
    const bound = from.length === 0 ? undefined : backward ? Math.min(...from) : Math.max(...from);
    const values: unknown[] = [serviceName, query.limit + 1];
    let range = '';
    if (bound !== undefined) {
      values.push(bound);
      range = backward ? 'AND id <= $3' : 'AND id >= $3';
    }
    const found = await rows<Row>(
      this.#pool,
      `SELECT id::text AS name, data, etag FROM versions WHERE service = $1 ${range}
       ORDER BY id ${backward ? 'DESC' : 'ASC'} LIMIT $2`,
      values,
    );
    const more = found.length > query.limit ? found.pop() : undefined;
    return { items: found.map((row) => fromRow<Version>(row)), nextToken: more && String(more.name) };
  }

  /** Refused while an alias names the version (as its version or its additional one). */
  async delete(serviceName: string, versionId: string): Promise<void> {
    await transaction(this.#pool, async (db) => {
      await requireService(db, serviceName);
      await requireVersion(db, serviceName, versionId, true);
      const alias = await one<{ name: string }>(
        db,
        'SELECT name FROM aliases WHERE service = $1 AND (version = $2 OR extra_version = $2) LIMIT 1',
        [serviceName, Number(versionId)],
      );
      if (alias) {
        throw new FcError(
          'InvalidArgument',
          `version ${versionId} of service '${serviceName}' is used by alias '${alias.name}': point the alias elsewhere or delete it first`,
        );
      }
      await run(db, 'DELETE FROM versions WHERE service = $1 AND id = $2', [serviceName, Number(versionId)]);
    });
  }
}

/** Throws VersionNotFound unless the version exists; locks it (`forUpdate` to delete it, else against deletion). */
export async function requireVersion(
  db: Db,
  serviceName: string,
  versionId: string,
  forUpdate = false,
): Promise<void> {
  const id = versionNumber(versionId);
  const lock = forUpdate ? 'FOR UPDATE' : 'FOR SHARE';
  const found =
    id !== undefined &&
    (await one(db, `SELECT 1 FROM versions WHERE service = $1 AND id = $2 ${lock}`, [serviceName, id]));
  if (!found) {
    throw new FcError('VersionNotFound', `version '${versionId}' of service '${serviceName}' does not exist`);
  }
}

/** A version id as the INTEGER column holds it; undefined for anything that cannot name a version. */
function versionNumber(versionId: string): number | undefined {
  if (!/^\d{1,10}$/.test(versionId)) return undefined;
  const id = Number(versionId);
  return id <= 2 ** 31 - 1 ? id : undefined;
}
