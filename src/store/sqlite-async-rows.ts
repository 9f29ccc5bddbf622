import type Database from 'better-sqlite3';
import { type AsyncRow, decodeCursor, encodeCursor, toInvocation } from './async-rows.js';
import type { AsyncInvocation, AsyncListQuery } from './async-types.js';
import type { Page } from './types.js';

/** One function's invocations, filtered and ordered by accept time as FC's list is. */
export function listInvocations(db: Database.Database, query: AsyncListQuery): Page<AsyncInvocation> {
  const where = ['service = ?', 'function = ?'];
  const args: (string | number)[] = [query.serviceName, query.functionName];
  if (query.qualifier !== undefined) {
    where.push('qualifier = ?');
    args.push(query.qualifier);
  }
  if (query.status !== undefined) {
    where.push('status = ?');
    args.push(query.status);
  }
  if (query.invocationIdPrefix) {
    // substr, not LIKE: a prefix with % or _ is matched as text.
    where.push('substr(invocation_id, 1, ?) = ?');
    args.push(query.invocationIdPrefix.length, query.invocationIdPrefix);
  }
  if (query.startedTimeBegin !== undefined) {
    where.push('created_at >= ?');
    args.push(query.startedTimeBegin);
  }
  if (query.startedTimeEnd !== undefined) {
    where.push('created_at <= ?');
    args.push(query.startedTimeEnd);
  }
  const desc = query.sortOrderByTime === 'desc';
  if (query.nextToken) {
    const [time, id] = decodeCursor(query.nextToken);
    where.push(desc ? '(created_at, invocation_id) <= (?, ?)' : '(created_at, invocation_id) >= (?, ?)');
    args.push(time, id);
  }
  const order = desc ? 'DESC' : 'ASC';
  const rows = db
    .prepare(
      `SELECT * FROM async_invocations WHERE ${where.join(' AND ')}
       ORDER BY created_at ${order}, invocation_id ${order} LIMIT ?`,
    )
    .all(...args, query.limit + 1) as AsyncRow[];
  const next = rows.length > query.limit ? rows.pop() : undefined;
  return { items: rows.map(toInvocation), nextToken: next && encodeCursor(next) };
}
