import type Database from 'better-sqlite3';
import { invalidArgument } from '../model/index.js';
import type { AsyncInvocation, AsyncListQuery } from './async-types.js';
import type { Page } from './types.js';

export interface AsyncRow {
  id: string;
  invocation_id: string | null;
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
  stop_requested: number;
  origin: string | null;
}

export function toInvocation(row: AsyncRow): AsyncInvocation {
  return {
    id: row.id,
    invocationId: row.invocation_id ?? row.id,
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
    stopRequested: row.stop_requested === 1,
    origin: row.origin ?? undefined,
  };
}

/** Where the next page starts: the accept time and invocation id of its first item (keyset paging). */
type Cursor = [number, string];

function decodeCursor(token: string): Cursor {
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

const encodeCursor = (row: AsyncRow): string =>
  Buffer.from(JSON.stringify([row.created_at, row.invocation_id ?? row.id])).toString('base64url');

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
