import type pg from 'pg';
import { type LayerVersion, layerNotFound } from '../../model/index.js';
import { etagOf, fromRow, type Row } from '../sqlite-rows.js';
import type { LayerListQuery, LayerVersionPage, Page, Stored } from '../types.js';
import { type Db, listPage, one, Params, rows, run, transaction } from './db.js';
import { getStored } from './stored.js';

/** The newest visible version of each layer, as a `SELECT name, data, etag … WHERE …` for listPage. */
const NEWEST_VERSIONS = `SELECT name, data, etag FROM layer_versions AS lv WHERE NOT deleted
  AND version = (SELECT max(version) FROM layer_versions WHERE name = lv.name AND NOT deleted)`;

/**
 * The `layers` and `layer_versions` tables, as in SQLite: versions numbered per layer from 1 and never reused;
 * a deleted version stays as a flagged row, still resolvable with `includeDeleted`.
 */
export class PgLayerTable {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  publish(draft: Omit<LayerVersion, 'version' | 'acl'>): Promise<Stored<LayerVersion>> {
    return transaction(this.#pool, async (db) => {
      // One atomic upsert numbers the version: concurrent publishes (from any node) get distinct numbers.
      const layer = await one<{ last_version: number; acl: number }>(
        db,
        `INSERT INTO layers (name, last_version) VALUES ($1, 1)
         ON CONFLICT (name) DO UPDATE SET last_version = layers.last_version + 1 RETURNING last_version, acl`,
        [draft.layerName],
      );
      const version = layer?.last_version ?? 1;
      const value: LayerVersion = { ...draft, version, acl: layer?.acl ?? 0 };
      const etag = etagOf(value);
      await run(
        db,
        'INSERT INTO layer_versions (name, version, code_sha256, data, etag) VALUES ($1, $2, $3, $4, $5)',
        [draft.layerName, version, draft.sha256, JSON.stringify(value), etag],
      );
      return { value, etag };
    });
  }

  get(layerName: string, version: number, includeDeleted = false): Promise<Stored<LayerVersion> | undefined> {
    if (!Number.isInteger(version) || version < 0 || version > 2 ** 31 - 1) return Promise.resolve(undefined);
    return getStored<LayerVersion>(
      this.#pool,
      `SELECT name, data, etag FROM layer_versions WHERE name = $1 AND version = $2
       ${includeDeleted ? '' : 'AND NOT deleted'}`,
      [layerName, version],
    );
  }

  /** One entry per layer (its newest version) in name order; `publicOnly` keeps layers with acl 1. */
  list(query: LayerListQuery): Promise<Page<Stored<LayerVersion>>> {
    const base = query.publicOnly
      ? `${NEWEST_VERSIONS} AND name IN (SELECT name FROM layers WHERE acl = 1)`
      : NEWEST_VERSIONS;
    return listPage<LayerVersion>(this.#pool, base, new Params(), query);
  }

  /** A layer's visible versions from `startVersion` on, oldest first. */
  async listVersions(layerName: string, startVersion: number, limit: number): Promise<LayerVersionPage> {
    const found = await rows<Row>(
      this.#pool,
      `SELECT name, data, etag FROM layer_versions WHERE name = $1 AND NOT deleted AND version >= $2
       ORDER BY version LIMIT $3`,
      [layerName, startVersion, limit + 1],
    );
    if (found.length === 0 && !(await hasVisibleVersion(this.#pool, layerName))) {
      throw layerNotFound(`'${layerName}'`);
    }
    const items = found.map((row) => fromRow<LayerVersion>(row));
    const more = items.length > limit ? items.pop() : undefined;
    return { items, nextVersion: more?.value.version };
  }

  async delete(layerName: string, version: number): Promise<void> {
    const changed =
      Number.isInteger(version) && version >= 0 && version <= 2 ** 31 - 1
        ? await run(
            this.#pool,
            'UPDATE layer_versions SET deleted = true WHERE name = $1 AND version = $2 AND NOT deleted',
            [layerName, version],
          )
        : 0;
    if (changed === 0) throw layerNotFound(`'${layerName}' version ${version}`);
  }

  /** Sets the layer's ACL (0 private, 1 public) on the layer and on every version's stored answer. */
  async setAcl(layerName: string, acl: number): Promise<void> {
    await transaction(this.#pool, async (db) => {
      if (!(await hasVisibleVersion(db, layerName))) throw layerNotFound(`'${layerName}'`);
      await run(db, 'UPDATE layers SET acl = $1 WHERE name = $2', [acl, layerName]);
      const versions = await rows<{ version: number; data: string }>(
        db,
        'SELECT version, data FROM layer_versions WHERE name = $1 FOR UPDATE',
        [layerName],
      );
      for (const row of versions) {
        const value: LayerVersion = { ...(JSON.parse(row.data) as LayerVersion), acl };
        await run(db, 'UPDATE layer_versions SET data = $1, etag = $2 WHERE name = $3 AND version = $4', [
          JSON.stringify(value),
          etagOf(value),
          layerName,
          row.version,
        ]);
      }
    });
  }
}

async function hasVisibleVersion(db: Db, layerName: string): Promise<boolean> {
  return !!(await one(db, 'SELECT 1 FROM layer_versions WHERE name = $1 AND NOT deleted LIMIT 1', [
    layerName,
  ]));
}
