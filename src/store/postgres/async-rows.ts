import { invalidArgument } from '../../model/index.js';
import type { AsyncInvocation, AsyncListQuery } from '../async-types.js';
import type { Page } from '../types.js';
import { type Db, Params, rows } from './db.js';

/** One `async_invocations` row as node-pg returns it (BIGINT read as numbers, see db.ts). */
export interface PgAsyncRow {
  id: string;
  invocation_id: string;
  service: string;
  function: string;
  qualifier: string;
  version_id: string | null;
  payload: Buffer;
  status: AsyncInvocation['status'];
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  error: string | null;
  result: Buffer | null;
  stop_requested: boolean;
  origin: string | null;
}

export function toInvocation(row: PgAsyncRow): AsyncInvocation {
  return {
    id: row.id,
    invocationId: row.invocation_id,
    serviceName: row.service,
    functionName: row.function,
    qualifier: row.qualifier,
    versionId: row.version_id ?? undefined,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    startedAt: row.started_at ?? undefined,
    endedAt: row.ended_at ?? undefined,
    error: row.error ?? undefined,
    result: row.result ?? undefined,
    stopRequested: row.stop_requested,
    origin: row.origin ?? undefined,
  };
}

/** Where the next page starts: the accept time and invocation id of its first item (keyset paging). */
function decodeCursor(token: string): [number, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString());
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') {
      return [value[0], value[1]];
    }
  } catch {
    // falls through to the error below
  }
  throw invalidArgument('nextToken is not a token this server gave');
}

const encodeCursor = (row: PgAsyncRow): string =>
  Buffer.from(JSON.stringify([row.created_at, row.invocation_id])).toString('base64url');

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
  const found = await rows<PgAsyncRow>(
    db,
    `SELECT * FROM async_invocations WHERE ${where.join(' AND ')}
     ORDER BY created_at ${order}, invocation_id ${order} LIMIT ${params.add(query.limit + 1)}`,
    params.values,
  );
  const next = found.length > query.limit ? found.pop() : undefined;
  return { items: found.map(toInvocation), nextToken: next && encodeCursor(next) };
}
