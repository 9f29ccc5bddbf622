import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { LogStore } from './types.js';

const MAX_LINE_BYTES = 32 * 1024;
const RECENT_LINES = 20;

export interface InstanceLogMeta {
  serviceName: string;
  functionName: string;
  qualifier: string;
  instanceId: string;
}

/** The lines of one request, kept in memory for `X-Fc-Log-Result`. */
export class RequestLog {
  readonly #lines: string[] = [];

  add(message: string): void {
    this.#lines.push(message);
  }

  /** The last `maxBytes` bytes of the request's log (whole lines where possible). */
  tail(maxBytes: number): string {
    const text = this.#lines.map((line) => `${line}\n`).join('');
    const bytes = Buffer.from(text);
    return bytes.length <= maxBytes ? text : bytes.subarray(bytes.length - maxBytes).toString();
  }
}

/**
 * Reads an instance's stdout and stderr line by line and attributes each line to a request: a line of the form
 * `<time> <requestId> [LEVEL] …` goes to that request; otherwise to the only request in flight; otherwise to
 * the instance (empty request id).
 */
export class InstanceLogCapture {
  readonly #inFlight = new Map<string, RequestLog>();
  readonly #recent: string[] = [];

  constructor(
    readonly meta: InstanceLogMeta,
    readonly store: LogStore,
    streams: Readable[],
  ) {
    for (const stream of streams) {
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) =>
        this.#onLine(line),
      );
    }
  }

  begin(requestId: string): RequestLog {
    const log = new RequestLog();
    this.#inFlight.set(requestId, log);
    return log;
  }

  end(requestId: string): void {
    this.#inFlight.delete(requestId);
  }

  /** A platform line (start/end frames, billing) for a request. */
  write(requestId: string, message: string): void {
    this.#inFlight.get(requestId)?.add(message);
    this.#store(requestId, message);
  }

  /** The instance's last lines of output, for start-up failure messages. */
  recentOutput(): string {
    return this.#recent.join('\n');
  }

  #onLine(raw: string): void {
    const line =
      Buffer.byteLength(raw) > MAX_LINE_BYTES ? `${raw.slice(0, MAX_LINE_BYTES)}... (truncated)` : raw;
    this.#recent.push(line);
    if (this.#recent.length > RECENT_LINES) this.#recent.shift();
    const requestId = this.#attribute(line);
    if (requestId) this.#inFlight.get(requestId)?.add(line);
    this.#store(requestId, line);
  }

  #attribute(line: string): string {
    const tagged = line.split(' ', 3)[1];
    if (tagged && this.#inFlight.has(tagged)) return tagged;
    if (this.#inFlight.size === 1) return this.#inFlight.keys().next().value ?? '';
    return '';
  }

  #store(requestId: string, message: string): void {
    const { serviceName, functionName, qualifier, instanceId } = this.meta;
    // A literal, not a spread of `meta`: this runs for every line, three times per call at least.
    this.store.append({
      time: Date.now(),
      serviceName,
      functionName,
      qualifier,
      requestId,
      instanceId,
      message,
    });
  }
}
