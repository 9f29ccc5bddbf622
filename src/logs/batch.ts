import type { LogLine } from './types.js';

/**
 * Lines on their way to the log thread, by column. Copying a message to a thread serialises every object's
 * property names and every string again; in columns, the names go once and an instance's service, function,
 * qualifier and id once per batch instead of once per line.
 */
export interface LogBatch {
  /** Four strings per instance in the batch: service, function, qualifier, instance id. */
  sources: string[];
  /** Per line: which of `sources` (its index / 4). */
  source: number[];
  times: number[];
  requestIds: string[];
  messages: string[];
}

export class LogBatchBuilder {
  #batch = emptyBatch();
  /** Instance id → its index in `sources`. */
  #sourceOf = new Map<string, number>();

  get length(): number {
    return this.#batch.times.length;
  }

  add(line: LogLine): void {
    const batch = this.#batch;
    let source = this.#sourceOf.get(line.instanceId);
    if (source === undefined) {
      source = batch.sources.length / 4;
      batch.sources.push(line.serviceName, line.functionName, line.qualifier, line.instanceId);
      this.#sourceOf.set(line.instanceId, source);
    } else if (!sameSource(batch, source, line)) {
      // An instance id names one instance of one function: this only guards the encoding, never taken in practice.
      source = batch.sources.length / 4;
      batch.sources.push(line.serviceName, line.functionName, line.qualifier, line.instanceId);
    }
    batch.source.push(source);
    batch.times.push(line.time);
    batch.requestIds.push(line.requestId);
    batch.messages.push(line.message);
  }

  /** The batch so far; the builder starts a new one. */
  take(): LogBatch {
    const batch = this.#batch;
    this.#batch = emptyBatch();
    this.#sourceOf = new Map();
    return batch;
  }
}

/** Line `index` of a batch. */
export function lineAt(batch: LogBatch, index: number): LogLine {
  const at = (batch.source[index] as number) * 4;
  return {
    time: batch.times[index] as number,
    serviceName: batch.sources[at] as string,
    functionName: batch.sources[at + 1] as string,
    qualifier: batch.sources[at + 2] as string,
    requestId: batch.requestIds[index] as string,
    instanceId: batch.sources[at + 3] as string,
    message: batch.messages[index] as string,
  };
}

function sameSource(batch: LogBatch, source: number, line: LogLine): boolean {
  const at = source * 4;
  return (
    batch.sources[at] === line.serviceName &&
    batch.sources[at + 1] === line.functionName &&
    batch.sources[at + 2] === line.qualifier
  );
}

function emptyBatch(): LogBatch {
  return { sources: [], source: [], times: [], requestIds: [], messages: [] };
}
