import { type AsyncRow, decodeCursor, encodeCursor, toInvocation } from '../async-rows.js';
import type { AsyncInvocation, AsyncListQuery } from '../async-types.js';
import type { Page } from '../types.js';
import { type Db, Params, rows } from './db.js';

/** One function's invocations, filtered and ordered by accept time as FC's list is (same tokens as SQLite). */
export async function listInvocations(db: Db, query: AsyncListQuery): Promise<Page<AsyncInvocation>> {
  const params = new Params();
  const where = [
    `service = ${params.add(query.serviceName)}`,
    `function = ${params.add(query.functionName)}`,
  ];
  if (query.qualifier !== undefined) where.push(`qualifier = ${params.add(query.qualifier)}`);
  if (query.status !== undefined) where.push(`status = ${params.add(query.status)}`);
  // starts_with, not LIKE: a prefix with % or _ is matched as text.
  if (query.invocationIdPrefix)
    where.push(`starts_with(invocation_id, ${params.add(query.invocationIdPrefix)})`);
  if (query.startedTimeBegin !== undefined) where.push(`created_at >= ${params.add(query.startedTimeBegin)}`);
  if (query.startedTimeEnd !== undefined) where.push(`created_at <= ${params.add(query.startedTimeEnd)}`);
  const desc = query.sortOrderByTime === 'desc';
  if (query.nextToken) {
    const [time, id] = decodeCursor(query.nextToken);
    const cursor = `(${params.add(time)}::bigint, ${params.add(id)}::text COLLATE "C")`;
    where.push(
      desc ? `(created_at, invocation_id) <= ${cursor}` : `(created_at, invocation_id) >= ${cursor}`,
    );
  }
  const order = desc ? 'DESC' : 'ASC';
  const found = await rows<AsyncRow>(
    db,
    `SELECT * FROM async_invocations WHERE ${where.join(' AND ')}
     ORDER BY created_at ${order}, invocation_id ${order} LIMIT ${params.add(query.limit + 1)}`,
    params.values,
  );
  const next = found.length > query.limit ? found.pop() : undefined;
  return { items: found.map(toInvocation), nextToken: next && encodeCursor(next) };
}
