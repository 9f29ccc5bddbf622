import { randomUUID } from 'node:crypto';
import { type AsyncConfig, functionArn, LIMITS, parseFunctionDestination } from '../model/index.js';
import type { AsyncInvocation } from '../store/index.js';

/** How an invocation ended, as its destination record tells it. */
export interface DestinationOutcome {
  ok: boolean;
  /** '' on success; the function's error type, or `EventAgeExceeded` for an expired event. */
  condition: string;
  /** The function's answer, or its error JSON. */
  responsePayload: string;
}

export interface Home {
  region: string;
  accountId: string;
}

/**
 * The destination delivery for a finished invocation, or undefined when none is due: no config, no destination
 * for this outcome, or the invocation is itself a delivery (a delivery never triggers another one, so a
 * destination that names its own function, or one that fails, cannot loop). The delivery is an ordinary async
 * invocation of the destination function, persisted with the end of the original one, carrying FC's record.
 */
export function destinationDelivery(
  inv: AsyncInvocation,
  config: AsyncConfig | undefined,
  outcome: DestinationOutcome,
  home: Home,
): AsyncInvocation | undefined {
  if (!config || inv.origin !== undefined) return undefined;
  const target = outcome.ok ? config.destinationConfig.onSuccess : config.destinationConfig.onFailure;
  if (!target) return undefined;
  // Checked when the config was stored; parsed again because that is what yields the function's names.
  const destination = parseFunctionDestination(target.destination, home);
  const now = Date.now();
  const requestId = randomUUID();
  return {
    id: requestId,
    invocationId: requestId,
    serviceName: destination.serviceName,
    functionName: destination.functionName,
    qualifier: destination.qualifier,
    payload: destinationRecord(inv, outcome, home, now),
    status: 'Enqueued',
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
    origin: inv.id,
  };
}

/**
 * FC's destination record. It is an async payload of the destination function, so it is bounded as one
 * (FC: 128 KB for a function destination): an oversized response payload is cut first, then the request payload.
 */
export function destinationRecord(
  inv: AsyncInvocation,
  outcome: DestinationOutcome,
  home: Home,
  now: number,
): Buffer {
  const record = {
    timestamp: now,
    requestContext: {
      requestId: inv.id,
      functionArn: functionArn(home, inv),
      condition: outcome.condition,
      approximateInvokeCount: inv.attempts,
    },
    requestPayload: inv.payload.toString(),
    responseContext: {
      statusCode: 200,
      functionError: outcome.ok ? '' : outcome.condition,
    },
    responsePayload: outcome.responsePayload,
  };
  const size = () => Buffer.byteLength(JSON.stringify(record));
  const limit = LIMITS.asyncPayloadBytesMax;
  for (const field of ['responsePayload', 'requestPayload'] as const) {
    if (size() <= limit) break;
    const text = record[field];
    record[field] = '';
    record[field] = longestPrefix(text, limit - size());
  }
  return Buffer.from(JSON.stringify(record));
}

/** The longest prefix of `text` whose JSON string form adds at most `budget` bytes over an empty string. */
function longestPrefix(text: string, budget: number): string {
  const cost = (length: number) => Buffer.byteLength(JSON.stringify(text.slice(0, length))) - 2;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (cost(mid) <= budget) low = mid;
    else high = mid - 1;
  }
  return text.slice(0, low);
}
