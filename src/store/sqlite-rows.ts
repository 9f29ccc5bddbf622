import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { FcError } from '../model/index.js';
import { nextPageToken, pageStart } from './paging.js';
import type { ListQuery, Page, Stored } from './types.js';

/** How every resource table holds a value: its name, its JSON, and the etag of that JSON. */
export interface Row {
  name: string;
  data: string;
  etag: string;
}

export function etagOf(value: unknown): string {
  return createHash('md5').update(JSON.stringify(value)).digest('hex');
}

export function fromRow<T>(row: Row): Stored<T> {
  return { value: JSON.parse(row.data) as T, etag: row.etag };
}

/** `ifMatch` is a bare etag (the control layer reads HTTP's If-Match forms); undefined matches anything. */
export function checkEtag(actual: string, ifMatch?: string): void {
  if (ifMatch !== undefined && ifMatch !== actual) {
    throw new FcError(
      'PreconditionFailed',
      `the resource being modified has been changed (If-Match '${ifMatch}', current etag '${actual}')`,
    );
  }
}

/**
 * One page of rows in name order. `base` is a `SELECT name, data, etag … WHERE …` that the prefix, start key,
 * order and limit are appended to; the next token is the first name of the following page.
 */
export function listPage<T>(
  db: Database.Database,
  base: string,
  params: unknown[],
  query: ListQuery,
): Page<Stored<T>> {
  let sql = base;
  const args = [...params];
  if (query.prefix) {
    sql += ` AND substr(name, 1, ?) = ?`;
    args.push(query.prefix.length, query.prefix);
  }
  const from = pageStart(query);
  if (from !== undefined) {
    sql += ' AND name >= ?';
    args.push(from);
  }
  sql += ' ORDER BY name LIMIT ?';
  args.push(query.limit + 1);
  const rows = db.prepare(sql).all(...args) as Row[];
  const more = rows.length > query.limit ? rows.pop() : undefined;
  return {
    items: rows.map((row) => fromRow<T>(row)),
    nextToken: more ? nextPageToken(more.name) : undefined,
  };
}
