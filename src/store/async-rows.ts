import { FcError, invalidArgument } from '../model/index.js';
import type { AsyncInvocation } from './async-types.js';

/** One `async_invocations` row, as SQLite (`stop_requested` 0/1) and PostgreSQL (a boolean) return it. */
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
  stop_requested: number | boolean;
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
    stopRequested: row.stop_requested === 1 || row.stop_requested === true,
    origin: row.origin ?? undefined,
  };
}

/** Where the next page starts: the accept time and invocation id of its first item (keyset paging). */
export function decodeCursor(token: string): [number, string] {
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

export const encodeCursor = (row: AsyncRow): string =>
  Buffer.from(JSON.stringify([row.created_at, row.invocation_id ?? row.id])).toString('base64url');

/** The columns an accepted invocation is inserted with, and their values in that order. */
export const INSERT_COLUMNS =
  'id, invocation_id, service, function, qualifier, version_id, payload, status, attempts, next_attempt_at, created_at, origin';

export function insertValues(inv: AsyncInvocation): (string | number | Buffer | null)[] {
  return [
    inv.id,
    inv.invocationId,
    inv.serviceName,
    inv.functionName,
    inv.qualifier,
    inv.versionId ?? null,
    inv.payload,
    inv.status,
    inv.attempts,
    inv.nextAttemptAt,
    inv.createdAt,
    inv.origin ?? null,
  ];
}

/** The function already has an invocation with this id (a unique-key violation on insert). */
export function invocationExists(inv: AsyncInvocation): FcError {
  return new FcError(
    'StatefulAsyncInvocationAlreadyExists',
    `function ${inv.serviceName}/${inv.functionName} already has an async invocation '${inv.invocationId}'`,
  );
}
