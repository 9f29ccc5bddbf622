import type Database from 'better-sqlite3';
import { type LayerVersion, layerNotFound } from '../model/index.js';
import { etagOf, fromRow, listPage, type Row } from './sqlite-rows.js';
import type { LayerListQuery, LayerVersionPage, Page, Stored } from './types.js';

/** The newest visible version of each layer, as a `SELECT name, data, etag … WHERE …` for listPage. */
const NEWEST_VERSIONS = `SELECT name, data, etag FROM layer_versions AS lv WHERE deleted = 0
  AND version = (SELECT max(version) FROM layer_versions WHERE name = lv.name AND deleted = 0)`;

/**
 * The `layers` and `layer_versions` tables. Versions are numbered per layer from 1 and never reused (the
 * counter outlives deleted versions). A deleted version stays as a flagged row: invisible to reads and new
 * references, still resolvable for the functions that already list it (`includeDeleted`).
 */
export class SqliteLayerTable {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  publish(draft: Omit<LayerVersion, 'version' | 'acl'>): Stored<LayerVersion> {
    return this.#db.transaction(() => {
      const layer = this.#db
        .prepare('SELECT last_version, acl FROM layers WHERE name = ?')
        .get(draft.layerName) as { last_version: number; acl: number } | undefined;
      const version = (layer?.last_version ?? 0) + 1;
      this.#db
        .prepare(
          `INSERT INTO layers (name, last_version) VALUES (?, ?)
           ON CONFLICT (name) DO UPDATE SET last_version = excluded.last_version`,
        )
        .run(draft.layerName, version);
      const value: LayerVersion = { ...draft, version, acl: layer?.acl ?? 0 };
      const etag = etagOf(value);
      this.#db
        .prepare('INSERT INTO layer_versions (name, version, code_sha256, data, etag) VALUES (?, ?, ?, ?, ?)')
        .run(draft.layerName, version, draft.sha256, JSON.stringify(value), etag);
      return { value, etag };
    })();
  }

  get(layerName: string, version: number, includeDeleted = false): Stored<LayerVersion> | undefined {
    const row = this.#db
      .prepare(
        `SELECT name, data, etag FROM layer_versions WHERE name = ? AND version = ?
         ${includeDeleted ? '' : 'AND deleted = 0'}`,
      )
      .get(layerName, version) as Row | undefined;
    return row && fromRow<LayerVersion>(row);
  }

  /** One entry per layer (its newest version) in name order; `publicOnly` keeps layers with acl 1. */
  list(query: LayerListQuery): Page<Stored<LayerVersion>> {
    const base = query.publicOnly
      ? `${NEWEST_VERSIONS} AND name IN (SELECT name FROM layers WHERE acl = 1)`
      : NEWEST_VERSIONS;
    return listPage<LayerVersion>(this.#db, base, [], query);
  }

  /** A layer's visible versions from `startVersion` on, oldest first. */
  listVersions(layerName: string, startVersion: number, limit: number): LayerVersionPage {
    const rows = this.#db
      .prepare(
        `SELECT name, data, etag FROM layer_versions WHERE name = ? AND deleted = 0 AND version >= ?
         ORDER BY version LIMIT ?`,
      )
      .all(layerName, startVersion, limit + 1) as Row[];
    if (rows.length === 0 && !this.#hasVisibleVersion(layerName)) throw layerNotFound(`'${layerName}'`);
    const items = rows.map((row) => fromRow<LayerVersion>(row));
    const more = items.length > limit ? items.pop() : undefined;
    return { items, nextVersion: more?.value.version };
  }

  delete(layerName: string, version: number): void {
    const result = this.#db
      .prepare('UPDATE layer_versions SET deleted = 1 WHERE name = ? AND version = ? AND deleted = 0')
      .run(layerName, version);
    if (result.changes === 0) throw layerNotFound(`'${layerName}' version ${version}`);
  }

  /** Sets the layer's ACL (0 private, 1 public) on the layer and on every version's stored answer. */
  setAcl(layerName: string, acl: number): void {
    this.#db.transaction(() => {
      if (!this.#hasVisibleVersion(layerName)) throw layerNotFound(`'${layerName}'`);
      this.#db.prepare('UPDATE layers SET acl = ? WHERE name = ?').run(acl, layerName);
      const rows = this.#db
        .prepare('SELECT version, data FROM layer_versions WHERE name = ?')
        .all(layerName) as Array<{ version: number; data: string }>;
      const update = this.#db.prepare(
        'UPDATE layer_versions SET data = ?, etag = ? WHERE name = ? AND version = ?',
      );
      for (const row of rows) {
        const value: LayerVersion = { ...(JSON.parse(row.data) as LayerVersion), acl };
        update.run(JSON.stringify(value), etagOf(value), layerName, row.version);
      }
    })();
  }

  /** How many layer versions (deleted ones too: functions may still run them) hold this code package. */
  codeReferences(sha256: string): number {
    const row = this.#db
      .prepare('SELECT count(*) AS n FROM layer_versions WHERE code_sha256 = ?')
      .get(sha256) as { n: number };
    return row.n;
  }

  #hasVisibleVersion(layerName: string): boolean {
    return !!this.#db
      .prepare('SELECT 1 FROM layer_versions WHERE name = ? AND deleted = 0 LIMIT 1')
      .get(layerName);
  }
}
