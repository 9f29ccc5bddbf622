import type pg from 'pg';
import type { AsyncConfig } from '../../model/index.js';
import type { AsyncConfigStore } from '../async-types.js';
import { nextPageToken, strictPageStart } from '../paging.js';
import type { Page } from '../types.js';
import { one, rows, run } from './db.js';

/** Async invoke configs, one row per function and qualifier; they go when their function goes. */
export class PgAsyncConfigTable implements AsyncConfigStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async putConfig(config: AsyncConfig): Promise<AsyncConfig> {
    await run(
      this.#pool,
      `INSERT INTO async_configs (service, function, qualifier, data) VALUES ($1, $2, $3, $4)
       ON CONFLICT (service, function, qualifier) DO UPDATE SET data = excluded.data`,
      [config.serviceName, config.functionName, config.qualifier, JSON.stringify(config)],
    );
    return config;
  }

  async getConfig(
    serviceName: string,
    functionName: string,
    qualifier: string,
  ): Promise<AsyncConfig | undefined> {
    const row = await one<{ data: string }>(
      this.#pool,
      'SELECT data FROM async_configs WHERE service = $1 AND function = $2 AND qualifier = $3',
      [serviceName, functionName, qualifier],
    );
    return row && (JSON.parse(row.data) as AsyncConfig);
  }

  async deleteConfig(serviceName: string, functionName: string, qualifier: string): Promise<boolean> {
    const deleted = await run(
      this.#pool,
      'DELETE FROM async_configs WHERE service = $1 AND function = $2 AND qualifier = $3',
      [serviceName, functionName, qualifier],
    );
    return deleted > 0;
  }

  async listConfigs(
    serviceName: string,
    functionName: string,
    query: { limit: number; nextToken?: string },
  ): Promise<Page<AsyncConfig>> {
    const after = query.nextToken === undefined ? '' : strictPageStart(query.nextToken);
    const found = await rows<{ qualifier: string; data: string }>(
      this.#pool,
      `SELECT qualifier, data FROM async_configs WHERE service = $1 AND function = $2 AND qualifier >= $3
       ORDER BY qualifier LIMIT $4`,
      [serviceName, functionName, after, query.limit + 1],
    );
    const next = found.length > query.limit ? found.pop() : undefined;
    return {
      items: found.map((row) => JSON.parse(row.data) as AsyncConfig),
      nextToken: next && nextPageToken(next.qualifier),
    };
  }
}
