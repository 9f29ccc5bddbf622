import type Database from 'better-sqlite3';
import type { AsyncConfig } from '../model/index.js';
import type { AsyncConfigStore } from './async-types.js';
import { nextPageToken, strictPageStart } from './paging.js';
import type { Page } from './types.js';

/** Async invoke configs, one row per function and qualifier; they go when their function goes. */
export class SqliteAsyncConfigTable implements AsyncConfigStore {
  constructor(readonly db: Database.Database) {}

  async putConfig(config: AsyncConfig): Promise<AsyncConfig> {
    this.db
      .prepare(
        `INSERT INTO async_configs (service, function, qualifier, data) VALUES (?, ?, ?, ?)
         ON CONFLICT (service, function, qualifier) DO UPDATE SET data = excluded.data`,
      )
      .run(config.serviceName, config.functionName, config.qualifier, JSON.stringify(config));
    return config;
  }

  async getConfig(
    serviceName: string,
    functionName: string,
    qualifier: string,
  ): Promise<AsyncConfig | undefined> {
    const row = this.db
      .prepare('SELECT data FROM async_configs WHERE service = ? AND function = ? AND qualifier = ?')
      .get(serviceName, functionName, qualifier) as { data: string } | undefined;
    return row && (JSON.parse(row.data) as AsyncConfig);
  }

  async deleteConfig(serviceName: string, functionName: string, qualifier: string): Promise<boolean> {
    return (
      this.db
        .prepare('DELETE FROM async_configs WHERE service = ? AND function = ? AND qualifier = ?')
        .run(serviceName, functionName, qualifier).changes > 0
    );
  }

  async listConfigs(
    serviceName: string,
    functionName: string,
    query: { limit: number; nextToken?: string },
  ): Promise<Page<AsyncConfig>> {
    const after = query.nextToken === undefined ? '' : strictPageStart(query.nextToken);
    const rows = this.db
      .prepare(
        `SELECT qualifier, data FROM async_configs WHERE service = ? AND function = ? AND qualifier >= ?
         ORDER BY qualifier LIMIT ?`,
      )
      .all(serviceName, functionName, after, query.limit + 1) as { qualifier: string; data: string }[];
    const next = rows.length > query.limit ? rows.pop() : undefined;
    return {
      items: rows.map((row) => JSON.parse(row.data) as AsyncConfig),
      nextToken: next && nextPageToken(next.qualifier),
    };
  }
}
