import { fromRow, type Row } from '../sqlite-rows.js';
import type { Stored } from '../types.js';
import { type Db, one } from './db.js';

/** One `name, data, etag` row as a stored value, or undefined. */
export async function getStored<T>(db: Db, sql: string, values: unknown[]): Promise<Stored<T> | undefined> {
  const row = await one<Row>(db, sql, values);
  return row && fromRow<T>(row);
}
